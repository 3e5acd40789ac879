import { topIndices } from './order.ts';

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
  const logProbsLike = new Float64Array(probs.length);
  for (let i = 0; i < probs.length; i++) logProbsLike[i] = probs[i] > 0 ? probs[i] : -Infinity;
  let want = 256;
  for (;;) {
    const order = topIndices(logProbsLike, want);
    let cum = 0;
    for (let j = 0; j < order.length; j++) {
      cum += probs[order[j]];
      if (cum > u) return { tokenId: order[j], rank: j + 1 };
    }
    if (order.length < want) {
      return { tokenId: order[order.length - 1], rank: order.length };
    }
    want *= 8;
  }
}

/** Greedy choice: the most probable token, lowest id on ties. */
export function argmaxToken(probs: ArrayLike<number>): Choice {
  let best = 0;
  for (let i = 1; i < probs.length; i++) if (probs[i] > probs[best]) best = i;
  return { tokenId: best, rank: 1 };
}
