import type { DistributionRecord } from './distribution.ts';
import { computeStep, type FastChoose } from './fastStep.ts';
import { drawUniform, type DrawKey } from './random.ts';
import { beamRecordSettings, greedySettings, validateSamplingSettings, type SamplingSettings, type Strategy } from './settings.ts';
import { EngineError } from './errors.ts';

/** The chosen token of a step, with where it sits in the distribution. */
export interface StepChoice {
  tokenId: number;
  /** How it was chosen. */
  method: 'sampled' | 'greedy' | 'manual';
  /** Uniform draw used (sampled only). */
  u: number | null;
  /** Model probability (raw softmax). */
  prob: number;
  /** Natural log of `prob`. */
  logprob: number;
  /** 1-based rank by model probability. */
  rank: number;
  /** Probability after all processors. */
  finalProb: number;
  /** 1-based rank by final probability. */
  finalRank: number;
}

export interface StepInput {
  /** Prompt + generated ids so far (for the repetition penalty). */
  ids: readonly number[];
  strategy: Strategy;
  settings: SamplingSettings;
  /** How many of the most probable tokens the record keeps. */
  topN: number;
  /** Ids the record must include (queried tokens). */
  extraIds: readonly number[];
  /** Draw key for sampling, null otherwise. */
  drawKey: DrawKey | null;
  /** A token id to choose by hand, null to let the strategy choose, 'none' for the distribution only. */
  choose: number | null | 'none';
}

/** The processor chain a strategy's records show (greedy: T = 0; beam: raw → repetition penalty). */
export function effectiveSettings(strategy: Strategy, s: SamplingSettings): SamplingSettings {
  if (strategy === 'greedy') return greedySettings(s);
  if (strategy === 'beam') return beamRecordSettings(s.repetitionPenalty);
  return s;
}

/**
 * One generation step on a node's logits: the processor chain, the choice (greedy argmax, sampling
 * with the draw key's u, or a token chosen by hand), and the distribution record (top-N plus the
 * chosen token, EOS and `extraIds`). Computed by fastStep.ts's computeStep; the same as the
 * straightforward oracle under tests/oracle, which fastStep.test.ts checks.
 * @param logits Float32Array of length vocabSize (raw model logits at the node)
 * @throws RangeError for invalid settings; EngineError `non-finite-logits`, or `invalid-setting`
 *   when sampling has no draw key or beam search is asked to choose here
 */
export function decideStep(logits: ArrayLike<number>, input: StepInput, eosTokenId: number | null): { record: DistributionRecord; choice: StepChoice | null } {
  validateSamplingSettings(input.settings);
  let choose: FastChoose;
  let u: number | null = null;
  let method: StepChoice['method'] = 'manual';
  if (input.choose === 'none') choose = { kind: 'none' };
  else if (typeof input.choose === 'number') choose = { kind: 'manual', tokenId: input.choose };
  else if (input.strategy === 'greedy') {
    choose = { kind: 'greedy' };
    method = 'greedy';
  } else if (input.strategy === 'beam') {
    throw new EngineError('invalid-setting', 'beam search chooses through a beam request');
  } else {
    if (!input.drawKey) throw new EngineError('invalid-setting', 'sampling needs a draw key');
    u = drawUniform(input.drawKey);
    choose = { kind: 'sample', u };
    method = 'sampled';
  }
  const extra = [...input.extraIds];
  if (eosTokenId !== null) extra.push(eosTokenId);
  const r = computeStep(logits, input.ids, effectiveSettings(input.strategy, input.settings), input.topN, extra, choose);
  const choice: StepChoice | null = r.choice ? { ...r.choice, method, u } : null;
  return { record: r.record, choice };
}
