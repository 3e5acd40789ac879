import { sortIndicesDescending, topIndices } from './order.ts';

/** A chosen token and where it sits in the final distribution. */
export interface Choice {
  tokenId: number;
  /** 1-based rank in the final distribution (descending, lower id first on ties). */
  rank: number;
}

/**
 * Inverse-CDF sampling: tokens in descending probability (ties: lower id
 * first); the first whose cumulative probability exceeds u is chosen. If float
 * rounding leaves the total below u, the last token with p > 0 is chosen.
 * @param probs Float64Array of length vocabSize, summing to 1 (final probabilities)
 * @param u uniform draw in [0, 1)
 * @throws RangeError when u is outside [0, 1)
 */
export function sampleToken(probs: Float64Array, u: number): Choice {
  if (!(u >= 0 && u < 1)) throw new RangeError(`u must be in [0, 1): ${u}`);
  // only tokens with p > 0 can be chosen; after top-k / top-p / min-p they are few
  let count = 0;
  for (let i = 0; i < probs.length; i++) if (probs[i] > 0) count++;
  if (count === 0) throw new RangeError('sampleToken: no token has a positive probability');
  let order: Int32Array;
  if (count <= 4096) {
    order = new Int32Array(count);
    for (let i = 0, k = 0; i < probs.length; i++) if (probs[i] > 0) order[k++] = i;
    sortIndicesDescending(order, probs);
    return pick(order, probs, u);
  }
  // many candidates (no filter): sort only as many of the most probable as the draw needs
  for (let want = 256; ; want *= 8) {
    order = topIndices(probs, Math.min(want, count));
    let cum = 0;
    for (let j = 0; j < order.length; j++) {
      cum += probs[order[j]];
      if (cum > u) return { tokenId: order[j], rank: j + 1 };
    }
    if (order.length >= count) return { tokenId: order[order.length - 1], rank: order.length };
  }
}

/** First token in `order` whose cumulative probability exceeds u (the last one if rounding leaves the total ≤ u). */
function pick(order: Int32Array, probs: Float64Array, u: number): Choice {
  let cum = 0;
  for (let j = 0; j < order.length; j++) {
    cum += probs[order[j]];
    if (cum > u) return { tokenId: order[j], rank: j + 1 };
  }
  return { tokenId: order[order.length - 1], rank: order.length };
}
