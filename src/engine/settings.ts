/**
 * Decoding settings and their validation. Semantics follow Hugging Face
 * transformers (Python) logits processors; see fastStep.ts and its stages (the oracle: tests/oracle/processors.ts).
 */

/** A reorderable processor (repetition penalty always runs first). */
export type ProcessorName = 'temperature' | 'topK' | 'topP' | 'minP';
/** Every stage a distribution record can show, 'raw' = softmax of the model's logits. */
export type StageName = 'raw' | 'repetitionPenalty' | ProcessorName;
/** Named processor orders offered by the UI. */
export type ProcessorOrderName = 'hf' | 'temperature-last';
export type Strategy = 'greedy' | 'sample' | 'beam';
export type EarlyStopping = 'true' | 'false' | 'never';

/** Smallest non-zero temperature: logits / T must stay finite (a subnormal T overflows every logit). */
export const MIN_TEMPERATURE = 1e-6;

/** Hugging Face transformers order: temperature → top-k → top-p → min-p. */
export const HF_ORDER: readonly ProcessorName[] = ['temperature', 'topK', 'topP', 'minP'];
/** llama.cpp-like order: filters first, temperature last. */
export const TEMPERATURE_LAST_ORDER: readonly ProcessorName[] = ['topK', 'topP', 'minP', 'temperature'];

export function processorOrder(name: ProcessorOrderName): readonly ProcessorName[] {
  return name === 'hf' ? HF_ORDER : TEMPERATURE_LAST_ORDER;
}

/** The logits-processor settings of one sampling step. */
export interface SamplingSettings {
  /** T ≥ 0; 0 means greedy (argmax, lowest id on ties). */
  temperature: number;
  /** k ≥ 0 integer; 0 (or ≥ vocabSize) disables. */
  topK: number;
  /** p ∈ (0, 1]; 1 disables. */
  topP: number;
  /** min_p ∈ [0, 1]; 0 disables. */
  minP: number;
  /** θ > 0; 1 disables. */
  repetitionPenalty: number;
  /** Order of the four reorderable processors, each exactly once. */
  order: readonly ProcessorName[];
}

/** Beam-search settings (Hugging Face `generate(num_beams=k, do_sample=False)`). */
export interface BeamSettings {
  /** k ∈ [1, 8]. */
  beamWidth: number;
  /** α: scores are Σ logprob / L^α. Any finite number. */
  lengthPenalty: number;
  earlyStopping: EarlyStopping;
  /** θ > 0, applied to the log-softmax scores as HF does. */
  repetitionPenalty: number;
}

export const DEFAULT_SAMPLING: SamplingSettings = {
  temperature: 1,
  topK: 0,
  topP: 1,
  minP: 0,
  repetitionPenalty: 1,
  order: HF_ORDER,
};

/**
 * Settings that turn the pipeline into greedy decoding: repetition penalty, then temperature 0
 * (argmax, lowest id on ties) as the only other stage.
 */
export function greedySettings(s: SamplingSettings): SamplingSettings {
  return { ...s, temperature: 0, topK: 0, topP: 1, minP: 0, order: ['temperature'] };
}

/**
 * The stages a beam-search step shows: raw → repetition penalty (the scores beams rank by, as
 * probabilities); no temperature or filters, as in HF beam search.
 */
export function beamRecordSettings(repetitionPenalty: number): SamplingSettings {
  return { temperature: 1, topK: 0, topP: 1, minP: 0, repetitionPenalty, order: [] };
}

/**
 * @throws RangeError naming the first invalid value, e.g. `topP must be in (0, 1]: 1.2`.
 */
export function validateSamplingSettings(s: SamplingSettings): void {
  if (!Number.isFinite(s.temperature) || s.temperature < 0 || (s.temperature > 0 && s.temperature < MIN_TEMPERATURE)) {
    throw new RangeError(`temperature must be 0 (greedy) or in [${MIN_TEMPERATURE}, ∞): ${s.temperature}`);
  }
  if (!Number.isInteger(s.topK) || s.topK < 0) throw new RangeError(`topK must be an integer ≥ 0: ${s.topK}`);
  if (!Number.isFinite(s.topP) || s.topP <= 0 || s.topP > 1) throw new RangeError(`topP must be in (0, 1]: ${s.topP}`);
  if (!Number.isFinite(s.minP) || s.minP < 0 || s.minP > 1) throw new RangeError(`minP must be in [0, 1]: ${s.minP}`);
  if (!Number.isFinite(s.repetitionPenalty) || s.repetitionPenalty <= 0) {
    throw new RangeError(`repetitionPenalty must be > 0: ${s.repetitionPenalty}`);
  }
  const seen = new Set(s.order);
  if (s.order.length !== 4 || seen.size !== 4 || !HF_ORDER.every((p) => seen.has(p))) {
    throw new RangeError(`order must list temperature, topK, topP, minP once each: ${s.order.join(',')}`);
  }
}

/** @throws RangeError naming the first invalid value. */
export function validateBeamSettings(s: BeamSettings): void {
  if (!Number.isInteger(s.beamWidth) || s.beamWidth < 1 || s.beamWidth > 8) {
    throw new RangeError(`beamWidth must be an integer in [1, 8]: ${s.beamWidth}`);
  }
  if (!Number.isFinite(s.lengthPenalty)) throw new RangeError(`lengthPenalty must be finite: ${s.lengthPenalty}`);
  if (!['true', 'false', 'never'].includes(s.earlyStopping)) {
    throw new RangeError(`earlyStopping must be true, false or never: ${s.earlyStopping}`);
  }
  if (!Number.isFinite(s.repetitionPenalty) || s.repetitionPenalty <= 0) {
    throw new RangeError(`repetitionPenalty must be > 0: ${s.repetitionPenalty}`);
  }
}
