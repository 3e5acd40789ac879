/**
 * Top-p / nucleus (Hugging Face TopPLogitsWarper, with an exact-tolerance cut instead of
 * `cumsum ≤ 1 − p`): keep the smallest set of most probable tokens (descending, lower id first on
 * ties) whose mass reaches p; the token that crosses p is kept. p = 1 disables.
 */
import { heapTopIndices } from '../order.ts';
import { denseLogits, filterTo, stageProbOf, type Stage } from './stage.ts';

/** Tolerance for the top-p cut so float rounding never adds or drops a token. */
export const TOP_P_TOLERANCE = 1e-9;

export function topPStage(prev: Stage, p: number): Stage {
  if (p >= 1) return prev;
  const target = p - TOP_P_TOLERANCE;
  const values = prev.kind === 'dense' ? denseLogits(prev) : prev.logits;
  const probAt = prev.kind === 'dense' ? (j: number) => stageProbOf(prev, j) : (j: number) => prev.probs[j];
  const idAt = prev.kind === 'dense' ? (j: number) => j : (j: number) => prev.ids[j];
  for (let want = 64; ; want *= 8) {
    const order = heapTopIndices(values, want);
    let cum = 0;
    for (let j = 0; j < order.length; j++) {
      cum += probAt(order[j]);
      if (cum >= target || (j === order.length - 1 && order.length < want)) {
        const keep = new Int32Array(j + 1);
        for (let t = 0; t <= j; t++) keep[t] = idAt(order[t]);
        return filterTo(prev, keep.sort());
      }
    }
    if (order.length < want) return prev;
  }
}
