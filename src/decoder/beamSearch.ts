/**
 * Batched beam search from a node (Hugging Face beam semantics: processors on log-softmax scores,
 * engine/beam.ts): k rows per level in one forward pass on the shared level loop, caches following
 * each new beam's parent. Hypotheses finish at the stop rule's tokens (EOS and end-of-turn).
 */
import { beamLogprobs, beamStep, initialBeamState, type BeamHypothesis } from '../engine/beam.ts';
import { EngineError } from '../engine/errors.ts';
import { validateBeamSettings } from '../engine/settings.ts';
import type { BeamStepRecord, WorkerRequest } from '../worker/protocol.ts';
import type { ModelBackend } from './backend.ts';
import { runLevels } from './levels.ts';
import type { NodeCache } from './nodeCache.ts';
import { stopTokenIds } from './stopRule.ts';
import { reportedOf } from './topScores.ts';

export type BeamRequest = Extract<WorkerRequest, { type: 'beam' }>;

/**
 * @param onStep called after each beam step with the running beams before it, the top-2k candidates and the finished hypotheses
 * @returns the finished hypotheses, best first
 * @throws RangeError for invalid beam settings; EngineError `context-overflow` when no token fits
 */
export async function beamSearch(backend: ModelBackend, nodes: NodeCache, req: BeamRequest, onStep: (r: BeamStepRecord) => void): Promise<BeamHypothesis[]> {
  validateBeamSettings(req.settings);
  const info = backend.info;
  const maxNew = Math.min(req.maxNewTokens, info.contextLength - req.ids.length);
  if (maxNew < 1) throw new EngineError('context-overflow', `no room for new tokens in a context of ${info.contextLength}`);
  const stops = stopTokenIds(info);
  const opts = {
    beamWidth: req.settings.beamWidth,
    lengthPenalty: req.settings.lengthPenalty,
    earlyStopping: req.settings.earlyStopping,
    eosTokenId: info.eosTokenId,
    stopTokenIds: stops.filter((t) => t !== info.eosTokenId),
    maxNewTokens: maxNew,
  };
  const start = await nodes.startOf(req.path, req.ids);
  let state = initialBeamState();
  await runLevels(backend, start.cache, start.logits, (_level, scores) => {
    const rows = state.running.map((b, j) => {
      const lp = beamLogprobs(scores[j], b.tokens.length === 0 ? req.ids : [...req.ids, ...b.tokens], req.settings.repetitionPenalty);
      // a top-N row: log-softmax renormalised over the reported tokens; back to the server's own log-probabilities
      const rep = reportedOf(scores[j]);
      if (rep) {
        const shift = Math.log(rep.mass);
        for (let i = 0; i < lp.length; i++) lp[i] += shift;
      }
      return lp;
    });
    const before = state.running.map((b) => ({ tokens: b.tokens.slice(), sumLogprobs: b.sumLogprobs }));
    const r = beamStep(state, rows, opts);
    state = r.state;
    onStep({ step: state.step, beams: before, candidates: r.candidates, finished: state.finished, done: state.done });
    if (state.done) return null;
    return state.running.map((b, j) => ({ parent: r.parents[j], tokenId: b.tokens[b.tokens.length - 1] }));
  });
  return state.finished;
}
