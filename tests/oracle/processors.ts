import { filterStage, softmaxStage, type StageState } from '../../src/engine/softmax.ts';
import { kthLargest, topIndices } from '../../src/engine/order.ts';
import { TOP_P_TOLERANCE } from '../../src/engine/stages/topP.ts';

export { TOP_P_TOLERANCE };

/**
 * Logits processors. Each takes the previous stage and returns a new one (never
 * mutates). Semantics match Hugging Face transformers (Python):
 * RepetitionPenaltyLogitsProcessor, TemperatureLogitsWarper, TopKLogitsWarper,
 * TopPLogitsWarper (with an exact-tolerance cut instead of `cumsum ≤ 1−p`),
 * MinPLogitsWarper. Every filter keeps at least one token.
 */


/**
 * Repetition penalty θ on every *distinct* id in `seenIds`: logit < 0 → logit·θ, else logit/θ.
 * @param logits Float64Array of length vocabSize (not modified)
 * @returns a new Float64Array
 */
export function applyRepetitionPenalty(logits: Float64Array, seenIds: Iterable<number>, penalty: number): Float64Array {
  const out = Float64Array.from(logits);
  if (penalty === 1) return out;
  for (const id of new Set(seenIds)) {
    if (id < 0 || id >= out.length) continue;
    const z = logits[id];
    out[id] = z < 0 ? z * penalty : z / penalty;
  }
  return out;
}

/**
 * Temperature T: logits / T. T = 0 means greedy: only the argmax (lowest id on
 * ties) is kept, with no division by zero.
 */
export function applyTemperature(prev: StageState, temperature: number): StageState {
  if (temperature === 1) return prev;
  if (temperature === 0) {
    let best = -1;
    for (let i = 0; i < prev.logits.length; i++) {
      if (best < 0 || prev.logits[i] > prev.logits[best]) best = i;
    }
    const keep = new Uint8Array(prev.logits.length);
    keep[best] = 1;
    return filterStage(prev, keep);
  }
  const scaled = new Float64Array(prev.logits.length);
  for (let i = 0; i < scaled.length; i++) scaled[i] = prev.logits[i] / temperature;
  return softmaxStage(scaled);
}

/** Top-k: keep every token whose logit ≥ the k-th largest (ties kept). k = 0 or k ≥ vocab disables. */
export function topKMask(prev: StageState, k: number): Uint8Array | null {
  let finite = 0;
  for (let i = 0; i < prev.logits.length; i++) if (prev.logits[i] > -Infinity) finite++;
  if (k <= 0 || k >= finite) return null;
  const threshold = kthLargest(prev.logits, k);
  const keep = new Uint8Array(prev.logits.length);
  for (let i = 0; i < keep.length; i++) keep[i] = prev.logits[i] >= threshold ? 1 : 0;
  return keep;
}

/**
 * Top-p (nucleus): keep the smallest set of most probable tokens (descending,
 * lower id first on ties) whose mass reaches p; the token that crosses p is kept.
 * p = 1 disables. Partial selection: only as many tokens as needed are sorted.
 */
export function topPMask(prev: StageState, p: number): Uint8Array | null {
  if (p >= 1) return null;
  const n = prev.probs.length;
  const target = p - TOP_P_TOLERANCE;
  let want = 64;
  for (;;) {
    const order = topIndices(prev.logits, want);
    let cum = 0;
    for (let j = 0; j < order.length; j++) {
      cum += prev.probs[order[j]];
      if (cum >= target || j === order.length - 1 && order.length < want) {
        const keep = new Uint8Array(n);
        for (let t = 0; t <= j; t++) keep[order[t]] = 1;
        return keep;
      }
    }
    if (order.length < want) {
      // all finite tokens taken: keep them all
      return null;
    }
    want *= 8;
  }
}

/** Min-p: drop tokens with p < min_p · p_max (probabilities of the previous stage). 0 disables. */
export function minPMask(prev: StageState, minP: number): Uint8Array | null {
  if (minP <= 0) return null;
  let pMax = 0;
  for (let i = 0; i < prev.probs.length; i++) if (prev.probs[i] > pMax) pMax = prev.probs[i];
  const cut = minP * pMax;
  const keep = new Uint8Array(prev.probs.length);
  for (let i = 0; i < keep.length; i++) keep[i] = prev.probs[i] >= cut && prev.probs[i] > 0 ? 1 : 0;
  return keep;
}

/** Applies a filter mask (null = keep all). */
export function applyMask(prev: StageState, keep: Uint8Array | null): StageState {
  return keep ? filterStage(prev, keep) : prev;
}
