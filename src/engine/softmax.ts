import { EngineError } from './errors.ts';

/**
 * Logits that a processor stage produced, with their softmax.
 * `probs[i] = exp(logits[i] - max - logZ)`; removed tokens have logit -Infinity and prob 0.
 */
export interface StageState {
  /** Float64Array of length vocabSize; -Infinity marks a removed token. */
  logits: Float64Array;
  /** Float64Array of length vocabSize; sums to 1. */
  probs: Float64Array;
  /** Max finite logit (the softmax shift). */
  max: number;
  /** ln Σ exp(logits - max) over kept tokens (nats). */
  logZ: number;
}

/**
 * Throws when a model's logits contain NaN or ±Infinity (e.g. fp16 overflow on a
 * GPU): such a step must show an error, never NaN probabilities.
 * @throws EngineError code `non-finite-logits`
 */
export function assertFiniteLogits(logits: ArrayLike<number>): void {
  for (let i = 0; i < logits.length; i++) {
    if (!Number.isFinite(logits[i])) {
      throw new EngineError('non-finite-logits', `logit ${i} is ${logits[i]}`);
    }
  }
}

/**
 * Softmax in float64 after subtracting the max, so large logits (e^12 overflows
 * float16) are safe. -Infinity entries get probability 0.
 * @param logits vocabulary-length scores (raw logits or processed ones)
 * @throws RangeError when no entry is finite (every filter keeps ≥ 1 token, so this is a bug)
 */
export function softmaxStage(logits: Float64Array): StageState {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
  if (!(max > -Infinity) || !Number.isFinite(max)) throw new RangeError(`softmax: no finite logit (max ${max})`);
  const probs = new Float64Array(logits.length);
  let z = 0;
  for (let i = 0; i < logits.length; i++) {
    const e = Math.exp(logits[i] - max);
    probs[i] = e;
    z += e;
  }
  const inv = 1 / z;
  for (let i = 0; i < probs.length; i++) probs[i] *= inv;
  return { logits, probs, max, logZ: Math.log(z) };
}

/** Softmax of raw logits as a plain Float64Array of probabilities. */
export function softmax(logits: ArrayLike<number>): Float64Array {
  return softmaxStage(Float64Array.from(logits)).probs;
}

/** Natural-log softmax: logprobs[i] = logits[i] - max - ln Σ exp(logits - max). */
export function logSoftmax(logits: ArrayLike<number>): Float64Array {
  const s = softmaxStage(Float64Array.from(logits));
  const out = new Float64Array(logits.length);
  for (let i = 0; i < out.length; i++) out[i] = s.logits[i] - s.max - s.logZ;
  return out;
}

/**
 * Keeps only the tokens where `keep[i]` is 1 and renormalises without another
 * exp pass (a filter does not change the kept logits).
 */
export function filterStage(prev: StageState, keep: Uint8Array): StageState {
  const n = prev.logits.length;
  const logits = new Float64Array(n);
  let mass = 0;
  for (let i = 0; i < n; i++) {
    if (keep[i]) {
      logits[i] = prev.logits[i];
      mass += prev.probs[i];
    } else logits[i] = -Infinity;
  }
  const probs = new Float64Array(n);
  const inv = 1 / mass;
  for (let i = 0; i < n; i++) if (keep[i]) probs[i] = prev.probs[i] * inv;
  return { logits, probs, max: prev.max, logZ: prev.logZ + Math.log(mass) };
}

/** Shannon entropy of a stage in bits: H = logZ − Σ p_i (z_i − max), converted from nats. */
export function entropyBits(stage: StageState): number {
  let s = 0;
  for (let i = 0; i < stage.probs.length; i++) {
    const p = stage.probs[i];
    if (p > 0) s += p * (stage.logits[i] - stage.max);
  }
  return Math.max(0, (stage.logZ - s) / Math.LN2);
}
