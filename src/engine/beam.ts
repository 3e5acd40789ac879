import { logSoftmax } from './softmax.ts';
import { topIndices } from './order.ts';
import { penalize } from './stages/repetitionPenalty.ts';
import type { EarlyStopping } from './settings.ts';

/**
 * Beam-search bookkeeping, pure. Semantics follow the current (vectorised)
 * Hugging Face transformers beam search, `generate(num_beams=k, do_sample=False)`:
 * top 2k candidates over beams × vocabulary; an EOS (or max-length) candidate is
 * finished only if it ranks within the top k; finished score = Σ logprob / L^α with
 * L = generated length including the token just added; early stopping true /
 * false / "never" as HF's `_check_early_stop_heuristic`.
 */

/** A live beam: generated tokens (prompt excluded) and its cumulative log-probability (nats). */
export interface RunningBeam {
  tokens: number[];
  sumLogprobs: number;
}

/** A finished hypothesis. */
export interface BeamHypothesis {
  tokens: number[];
  sumLogprobs: number;
  /** Σ logprob / L^α. */
  beamScore: number;
  /** true when it ended with EOS, false when it hit max new tokens. */
  endedWithEos: boolean;
}

export type CandidateState = 'kept' | 'pruned' | 'finished';

/** One of the top-2k candidates of a step. */
export interface BeamCandidate {
  /** Index of the running beam it extends. */
  parentBeam: number;
  tokenId: number;
  /** Cumulative log-probability including this token (nats). */
  sumLogprobs: number;
  /** 0-based rank among the 2k candidates. */
  rank: number;
  state: CandidateState;
  /** Length-normalised score, for finished candidates. */
  beamScore: number | null;
  /** Index in the next running set, for kept candidates. */
  nextBeam: number | null;
}

export interface BeamOptions {
  beamWidth: number;
  lengthPenalty: number;
  earlyStopping: EarlyStopping;
  eosTokenId: number | null;
  /**
   * Further ids that finish a hypothesis exactly like EOS, e.g. an instruct model's end-of-turn token
   * (Hugging Face `eos_token_id` given as a list). Optional; none by default.
   */
  stopTokenIds?: readonly number[];
  maxNewTokens: number;
}

export interface BeamState {
  /** Generated tokens so far (the same for every running beam). */
  step: number;
  /** Running beams, best first. One beam before the first step. */
  running: RunningBeam[];
  /** Finished hypotheses, best first, at most k. */
  finished: BeamHypothesis[];
  /** HF's `is_early_stop_heuristic_unsatisfied`. */
  improvementPossible: boolean;
  done: boolean;
}

export function initialBeamState(): BeamState {
  return { step: 0, running: [{ tokens: [], sumLogprobs: 0 }], finished: [], improvementPossible: true, done: false };
}

/**
 * Beam scores of one row: log-softmax of the logits, then the repetition penalty
 * applied to the log-probabilities (as HF applies its processors after
 * log_softmax in beam search): logprob < 0 → logprob·θ, else logprob/θ.
 * @param logits Float32Array of length vocabSize
 * @returns Float64Array of length vocabSize (natural log)
 */
export function beamLogprobs(logits: ArrayLike<number>, contextIds: readonly number[], repetitionPenalty: number): Float64Array {
  const lp = logSoftmax(logits);
  if (repetitionPenalty !== 1) {
    for (const id of new Set(contextIds)) {
      if (id < 0 || id >= lp.length) continue;
      lp[id] = penalize(lp[id], repetitionPenalty);
    }
  }
  return lp;
}

/** Σ logprob / L^α. */
export function lengthNormalizedScore(sumLogprobs: number, generatedLength: number, lengthPenalty: number): number {
  return sumLogprobs / generatedLength ** lengthPenalty;
}

export interface BeamStepResult {
  state: BeamState;
  /** The top-2k candidates in rank order. */
  candidates: BeamCandidate[];
  /** For each new running beam, the index of its parent in the previous running set (to reorder KV caches). */
  parents: number[];
}

/**
 * One beam-search step.
 * @param rows one Float64Array of beam log-probabilities (see beamLogprobs) per running beam, in state.running order
 * @throws RangeError when rows do not match the running beams or the state is done
 */
export function beamStep(state: BeamState, rows: readonly Float64Array[], opts: BeamOptions): BeamStepResult {
  if (state.done) throw new RangeError('beam search is already done');
  if (rows.length !== state.running.length) throw new RangeError(`expected ${state.running.length} rows: ${rows.length}`);
  const k = opts.beamWidth;
  const keep2k = 2 * k;
  // top 2k over beams × vocabulary; ties: lower beam index, then lower token id
  const pool: { b: number; t: number; s: number }[] = [];
  rows.forEach((row, b) => {
    const base = state.running[b].sumLogprobs;
    for (const t of topIndices(row, keep2k)) pool.push({ b, t, s: base + row[t] });
  });
  pool.sort((x, y) => y.s - x.s || x.b - y.b || x.t - y.t);
  const top = pool.slice(0, keep2k);

  const newLen = state.step + 1;
  const hitsMax = newLen >= opts.maxNewTokens;
  const candidates: BeamCandidate[] = [];
  const running: RunningBeam[] = [];
  const parents: number[] = [];
  const newlyFinished: BeamHypothesis[] = [];
  const fullAndEarly = opts.earlyStopping === 'true' && state.finished.length >= k;
  top.forEach((c, rank) => {
    const isEos = (opts.eosTokenId !== null && c.t === opts.eosTokenId) || (opts.stopTokenIds?.includes(c.t) ?? false);
    const stops = isEos || hitsMax;
    const cand: BeamCandidate = {
      parentBeam: c.b,
      tokenId: c.t,
      sumLogprobs: c.s,
      rank,
      state: 'pruned',
      beamScore: null,
      nextBeam: null,
    };
    const tokens = [...state.running[c.b].tokens, c.t];
    if (stops) {
      if (rank < k && !fullAndEarly && state.improvementPossible) {
        cand.state = 'finished';
        cand.beamScore = lengthNormalizedScore(c.s, newLen, opts.lengthPenalty);
        newlyFinished.push({ tokens, sumLogprobs: c.s, beamScore: cand.beamScore, endedWithEos: isEos });
      }
    } else if (running.length < k) {
      cand.state = 'kept';
      cand.nextBeam = running.length;
      running.push({ tokens, sumLogprobs: c.s });
      parents.push(c.b);
    }
    candidates.push(cand);
  });
  // merge: previous finished first so ties keep the older hypothesis
  const finished = [...state.finished, ...newlyFinished]
    .map((h, i) => ({ h, i }))
    .sort((x, y) => y.h.beamScore - x.h.beamScore || x.i - y.i)
    .slice(0, k)
    .map((x) => x.h);
  // a finished candidate that fell out of the top k is not finished after all
  for (const c of candidates) {
    if (c.state === 'finished' && !finished.some((h) => h.beamScore === c.beamScore && h.tokens.at(-1) === c.tokenId)) {
      c.state = 'pruned';
    }
  }

  let improvementPossible = state.improvementPossible;
  if (running.length > 0) {
    const hypotheticalLength =
      opts.earlyStopping === 'never' && opts.lengthPenalty > 0 ? opts.maxNewTokens : newLen;
    const bestPossible = running[0].sumLogprobs / hypotheticalLength ** opts.lengthPenalty;
    const worstFinished = finished.length >= k ? Math.min(...finished.map((h) => h.beamScore)) : -1e9;
    improvementPossible = improvementPossible && bestPossible > worstFinished;
  }
  const allFinishedEarly = opts.earlyStopping === 'true' && finished.length >= k;
  const done = running.length === 0 || !improvementPossible || allFinishedEarly;
  return {
    state: { step: newLen, running, finished, improvementPossible, done },
    candidates,
    parents,
  };
}
