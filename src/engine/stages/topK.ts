/**
 * Top-k (Hugging Face TopKLogitsWarper): keep every token whose logit ≥ the k-th largest (ties
 * kept); k = 0 or k ≥ the finite tokens disables.
 */
import { heapTopIndices } from '../order.ts';
import { filterTo, type DenseStage, type SparseStage, type Stage } from './stage.ts';

/**
 * Candidates for top-k on a dense stage without a vocabulary pass: every dense stage's values are
 * the raw logits or the penalised ones, and the penalty only lowers the logits of `seen` ids, so a
 * token outside the raw top-(k + |seen|) and not seen has at least k better tokens. `rawTop` is the
 * raw top-M (sorted), `seen` the distinct penalised ids.
 */
export interface TopKHint {
  raw: Float64Array;
  rawTop: Int32Array;
  seen: readonly number[];
}

export function topKFromHint(prev: DenseStage, k: number, hint: TopKHint): SparseStage | null {
  const isPen = prev.values !== hint.raw;
  const need = k + (isPen ? hint.seen.length : 0);
  if (hint.rawTop.length < need) return null;
  const cand = new Set<number>(hint.rawTop);
  if (isPen) for (const id of hint.seen) cand.add(id);
  const ids = Int32Array.from(cand).sort();
  const values = prev.values;
  const local = new Float64Array(ids.length);
  for (let j = 0; j < ids.length; j++) local[j] = values[ids[j]];
  // ids ascending, so ties in `local` resolve by lower id as in the full order
  const top = heapTopIndices(local, k);
  const threshold = local[top[k - 1]] / prev.div;
  // every token outside the candidates has a value ≤ the raw top-M's smallest (non-seen: value = raw)
  const bound = hint.raw[hint.rawTop[hint.rawTop.length - 1]] / prev.div;
  if (!(bound < threshold)) return null;
  const keep: number[] = [];
  for (let j = 0; j < ids.length; j++) if (local[j] / prev.div >= threshold) keep.push(ids[j]);
  return filterTo(prev, Int32Array.from(keep));
}

export function topKStage(prev: Stage, k: number, hint: TopKHint): Stage {
  const finite = prev.kind === 'dense' ? prev.values.length : prev.ids.length;
  if (k <= 0 || k >= finite) return prev;
  if (prev.kind === 'dense') {
    const fast = topKFromHint(prev, k, hint);
    if (fast) return fast;
    // order by the undivided values (division by T > 0 keeps the order); the k-th stage logit is
    // the k-th value divided (rounding is monotonic); ties with it are kept (>= threshold), as topKMask does
    const values = prev.values;
    const top = heapTopIndices(values, k);
    const threshold = values[top[k - 1]] / prev.div;
    const keep: number[] = [];
    if (prev.div === 1) {
      for (let i = 0; i < values.length; i++) if (values[i] >= threshold) keep.push(i);
    } else {
      // x ≥ kth → x/T ≥ threshold; only values within a few ulps below kth can round up to it
      const kth = values[top[k - 1]];
      const near = kth - Math.abs(kth) * 1e-12 - Number.MIN_VALUE;
      for (let i = 0; i < values.length; i++) {
        const x = values[i];
        if (x >= kth || (x >= near && x / prev.div >= threshold)) keep.push(i);
      }
    }
    return filterTo(prev, Int32Array.from(keep));
  }
  const top = heapTopIndices(prev.logits, k);
  const threshold = prev.logits[top[k - 1]];
  const keep: number[] = [];
  for (let j = 0; j < prev.ids.length; j++) if (prev.logits[j] >= threshold) keep.push(prev.ids[j]);
  return filterTo(prev, Int32Array.from(keep));
}
