/**
 * Teacher forcing: one forward pass over a text scores every position's actual next token (windows
 * of the context length, half-overlapping, when the text is longer). Each position's numbers come
 * from the same step math as a generation step (engine computeStep on the raw distribution), so a
 * probability here equals the bar a step would show.
 */
import { EngineError } from '../engine/errors.ts';
import { computeStep } from '../engine/fastStep.ts';
import { beamRecordSettings } from '../engine/settings.ts';
import type { ScoredToken } from '../worker/protocol.ts';
import type { ModelBackend } from './backend.ts';
import { UNREPORTED_SCORE, positionCount, positionScores, reportedOf } from './topScores.ts';

/** Alternatives listed per position. */
const TOP = 5;

/** Progress and cancel of a teacher forcing run. */
export interface ScoreHooks {
  /**
   * Tokens of the text covered so far (`done`) of all of them (`total`): after each request of an
   * engine that scores one position per request (a server without `prompt_logprobs`), else after each
   * window. The last call has `done === total`.
   */
  progress?: (done: number, total: number) => void;
  /** Checked between windows and (per-position engines) between positions. */
  cancelled?: () => boolean;
}

/**
 * @returns per token of `tokenize(text, addSpecialTokens = true)` its score (null for the first, which nothing predicts) and the windows run
 * @throws EngineError `invalid-setting` when the backend cannot score every position of a row; `cancelled` when `hooks.cancelled` said so
 */
export async function scoreText(backend: ModelBackend, text: string, hooks: ScoreHooks = {}): Promise<{ tokens: ScoredToken[]; windows: number }> {
  const ids = await backend.tokenize(text, true);
  const out: ScoredToken[] = ids.map((id) => ({ tokenId: id, prob: null, rank: null, entropyBits: null, top: [] }));
  const C = backend.info.contextLength;
  const V = backend.info.vocabSize;
  // the raw distribution: no processor changes anything (repetition penalty 1)
  const raw = beamRecordSettings(1);
  let start = 0;
  let windows = 0;
  let scoredUpTo = 0; // positions < scoredUpTo already scored
  while (start < ids.length - 1 || windows === 0) {
    const win = ids.slice(start, start + C);
    if (win.length === 0) break;
    if (hooks.cancelled?.()) throw new EngineError('cancelled', 'teacher forcing cancelled');
    const at = start;
    const res = await backend.forward([{ prefix: null, tokens: win }], {
      positions: 'all',
      keepCache: false,
      // the window's k-th request covers tokens up to at + k
      onPosition: hooks.progress ? (done) => hooks.progress!(Math.min(ids.length, at + done), ids.length) : undefined,
      cancelled: hooks.cancelled,
    });
    const row = res.rows[0];
    if (positionCount(row) !== win.length) {
      throw new EngineError('invalid-setting', 'teacher forcing needs scores at every position');
    }
    windows++;
    for (let t = 0; t < win.length - 1; t++) {
      const pos = start + t + 1;
      if (pos < scoredUpTo || pos < 1) continue;
      const target = ids[pos];
      const scores = positionScores(row, t, V);
      // a top-N engine: probabilities on its own scale; a target it did not report has no score here
      const rep = reportedOf(scores);
      const r = computeStep(scores, [], raw, rep ? Math.min(TOP, rep.count) : TOP, [], { kind: 'manual', tokenId: target });
      const S = rep ? rep.mass : 1;
      const top: [number, number][] = [];
      for (let j = 0; j < Math.min(TOP, r.record.tokenIds.length); j++) top.push([r.record.tokenIds[j], r.record.stageProbs[j] * S]);
      const unreported = rep !== null && scores[target] === UNREPORTED_SCORE;
      // the engine's own rank over the whole vocabulary when it gives one (vLLM prompt_logprobs)
      let rank = unreported ? null : r.choice!.rank;
      if (row.coverage === 'top') {
        const p = row.positions[t];
        const k = p.ranks ? p.tokenIds.indexOf(target) : -1;
        if (k >= 0 && p.ranks![k] > 0) rank = p.ranks![k];
      }
      out[pos] = {
        tokenId: target,
        prob: unreported ? null : r.choice!.prob * S,
        rank,
        // over the reported tokens only on a top-N engine (a lower bound of the true entropy's support)
        entropyBits: r.record.entropyRawBits,
        top,
      };
    }
    scoredUpTo = start + win.length;
    hooks.progress?.(scoredUpTo, ids.length);
    if (start + win.length >= ids.length) break;
    start += Math.max(1, Math.floor(C / 2));
  }
  return { tokens: out, windows };
}
