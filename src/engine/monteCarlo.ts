/**
 * Monte-Carlo sampling from a step's final distribution: N i.i.d. draws, their
 * histogram, a chi-squared goodness-of-fit test and the total variation distance
 * to the true distribution — so a student sees the frequencies converge to the
 * probabilities as N grows.
 *
 * Draws use the counter-based generator of `random.ts` on streams distinct from
 * the generation path (stream 0), so Monte-Carlo samples never change a step's
 * token and the same seed always gives the same samples:
 *   single step, sample i at depth d:           {seed, depth: d,     reroll: i, stream: MC_STREAM_STEP}
 *   continuation i, its j-th token (depth d+j): {seed, depth: d + j, reroll: i, stream: MC_STREAM_CONTINUATION}
 */
import jStat from 'jstat';
import { drawUniform, type DrawKey } from './random.ts';

/** Random stream of single-step Monte-Carlo samples. */
export const MC_STREAM_STEP = 1;
/** Random stream of multi-step Monte-Carlo continuations. */
export const MC_STREAM_CONTINUATION = 2;
/** Random stream of the quiz / class-vote shortlist shuffle. */
export const SHORTLIST_STREAM = 3;

/** Largest N the app draws at once. */
export const MAX_MC_SAMPLES = 100_000;

/** Draw key of single-step sample `sample` at generation depth `depth`. */
export function mcStepKey(seed: number, depth: number, sample: number): DrawKey {
  return { seed, depth, reroll: sample, stream: MC_STREAM_STEP };
}

/** Draw key of token `position` (0-based) of continuation `sample` started at depth `depth`. */
export function mcContinuationKey(seed: number, depth: number, sample: number, position: number): DrawKey {
  return { seed, depth: depth + position, reroll: sample, stream: MC_STREAM_CONTINUATION };
}

/**
 * Inverse-CDF sampler over a fixed distribution, built once (sort O(V log V)) and
 * then O(log V) per draw. Same semantics as `sampleToken` in `sampling.ts`: tokens
 * in descending probability (ties: lower id first), the first whose cumulative
 * probability exceeds u; the last token with p > 0 when rounding leaves the total ≤ u.
 * @param probs Float64Array of length vocabSize, summing to 1 (final probabilities)
 * @returns a function from u ∈ [0, 1) to a token id
 * @throws RangeError when no token has a positive probability
 */
export function inverseCdfSampler(probs: Float64Array): (u: number) => number {
  const ids: number[] = [];
  for (let i = 0; i < probs.length; i++) if (probs[i] > 0) ids.push(i);
  if (ids.length === 0) throw new RangeError('inverseCdfSampler: no token has a positive probability');
  ids.sort((a, b) => probs[b] - probs[a] || a - b);
  const order = Int32Array.from(ids);
  const cum = new Float64Array(order.length);
  let acc = 0;
  for (let j = 0; j < order.length; j++) {
    acc += probs[order[j]];
    cum[j] = acc;
  }
  return (u: number) => {
    if (!(u >= 0 && u < 1)) throw new RangeError(`u must be in [0, 1): ${u}`);
    // smallest j with cum[j] > u
    let lo = 0;
    let hi = order.length - 1;
    if (!(cum[hi] > u)) return order[hi];
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid] > u) hi = mid;
      else lo = mid + 1;
    }
    return order[lo];
  };
}

/**
 * N i.i.d. samples from a final distribution at one step.
 * @param probs Float64Array of length vocabSize summing to 1 (final probabilities)
 * @param n number of samples, integer in [1, MAX_MC_SAMPLES]
 * @param seed user seed; depth the step's generation depth (see the module comment for the keys)
 * @returns Int32Array of length n: the sampled token ids in draw order
 * @throws RangeError for n out of range or an invalid seed/depth
 */
export function drawSamples(probs: Float64Array, n: number, seed: number, depth: number): Int32Array {
  if (!Number.isInteger(n) || n < 1 || n > MAX_MC_SAMPLES) throw new RangeError(`n must be an integer in [1, ${MAX_MC_SAMPLES}]: ${n}`);
  const sample = inverseCdfSampler(probs);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = sample(drawUniform(mcStepKey(seed, depth, i)));
  return out;
}

/** Count of each token id among `samples` (ids absent from the map were never drawn). */
export function countSamples(samples: ArrayLike<number>): Map<number, number> {
  const counts = new Map<number, number>();
  for (let i = 0; i < samples.length; i++) counts.set(samples[i], (counts.get(samples[i]) ?? 0) + 1);
  return counts;
}

/** Result of Pearson's chi-squared goodness-of-fit test. */
export interface ChiSquaredResult {
  /** Σ (observed − expected)² / expected over the bins. */
  statistic: number;
  /** Degrees of freedom: bins − 1. */
  dof: number;
  /** P(χ²(dof) ≥ statistic); 1 when dof is 0. */
  pValue: number;
  /** Number of bins after pooling. */
  bins: number;
}

/**
 * Pearson's chi-squared goodness-of-fit test of sample counts against a distribution.
 * Bins: every token with expected count n·p ≥ `minExpected` on its own; all other tokens
 * with p > 0 pooled into one bin; when that pooled bin's expected count is still below
 * `minExpected` it joins the bin with the smallest expected count (the usual rule of thumb
 * that every expected count is ≥ 5). The p-value uses jStat's chi-squared CDF.
 * @param counts token id → number of samples (from `countSamples`)
 * @param probs Float64Array of length vocabSize summing to 1 (the distribution sampled from)
 * @throws RangeError when a sample falls on a token with probability 0 (the samples cannot come from `probs`)
 */
export function chiSquaredTest(counts: ReadonlyMap<number, number>, probs: Float64Array, minExpected = 5): ChiSquaredResult {
  let n = 0;
  for (const [id, c] of counts) {
    if (!(probs[id] > 0)) throw new RangeError(`token ${id} was sampled ${c} times but has probability 0`);
    n += c;
  }
  const expected: number[] = [];
  const observed: number[] = [];
  let poolE = 0;
  let poolO = 0;
  for (let i = 0; i < probs.length; i++) {
    const p = probs[i];
    if (!(p > 0)) continue;
    const e = n * p;
    const o = counts.get(i) ?? 0;
    if (e >= minExpected) {
      expected.push(e);
      observed.push(o);
    } else {
      poolE += e;
      poolO += o;
    }
  }
  if (poolE > 0) {
    if (poolE >= minExpected || expected.length === 0) {
      expected.push(poolE);
      observed.push(poolO);
    } else {
      let k = 0;
      for (let j = 1; j < expected.length; j++) if (expected[j] < expected[k]) k = j;
      expected[k] += poolE;
      observed[k] += poolO;
    }
  }
  let statistic = 0;
  for (let j = 0; j < expected.length; j++) statistic += (observed[j] - expected[j]) ** 2 / expected[j];
  const dof = expected.length - 1;
  const pValue = dof > 0 ? 1 - jStat.chisquare.cdf(statistic, dof) : 1;
  return { statistic, dof, pValue, bins: expected.length };
}

/**
 * Total variation distance ½ Σ |f − p| between sample frequencies and a distribution, over
 * the `topK` most probable tokens (descending p, lower id first on ties) as their own buckets
 * and every other token pooled into one bucket. A number in [0, 1].
 * @param counts token id → number of samples; probs Float64Array of length vocabSize summing to 1
 */
export function totalVariationTopK(counts: ReadonlyMap<number, number>, probs: Float64Array, topK = 50): number {
  let n = 0;
  for (const c of counts.values()) n += c;
  if (n === 0) throw new RangeError('totalVariationTopK: no samples');
  const top = topByProb(probs, topK);
  let dist = 0;
  let topF = 0;
  let topP = 0;
  for (const id of top) {
    const f = (counts.get(id) ?? 0) / n;
    dist += Math.abs(f - probs[id]);
    topF += f;
    topP += probs[id];
  }
  dist += Math.abs(1 - topF - (1 - topP));
  return dist / 2;
}

/** Ids of the `k` most probable tokens: descending probability, lower id first on ties. */
export function topByProb(probs: ArrayLike<number>, k: number): number[] {
  const ids = Array.from({ length: probs.length }, (_, i) => i);
  ids.sort((a, b) => probs[b] - probs[a] || a - b);
  return ids.slice(0, Math.max(0, Math.min(k, ids.length)));
}

/**
 * Total variation distance ½ Σ |a_i − b_i| between two distributions over the same buckets.
 * @param a, b equal-length arrays of probabilities (each summing to 1, e.g. with a "rest" bucket)
 * @throws RangeError when the lengths differ
 */
export function totalVariation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`totalVariation: lengths differ: ${a.length} vs ${b.length}`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return s / 2;
}

/** A Monte-Carlo histogram as the UI draws it: the top tokens by final probability plus one "rest" bucket. */
export interface McHistogram {
  /** Number of samples N. */
  n: number;
  seed: number;
  /** Generation depth of the step sampled from. */
  depth: number;
  /** Int32Array of length m: the `topM` most probable tokens under the final distribution, in that order. */
  tokenIds: Int32Array;
  /** Int32Array of length m: samples that fell on each token. */
  counts: Int32Array;
  /** Float64Array of length m: model probability (softmax of raw logits). */
  probs: Float64Array;
  /** Float64Array of length m: final probability (after the processors; what was sampled from). */
  finalProbs: Float64Array;
  /** Samples, model probability and final probability of every other token, summed. */
  restCount: number;
  restProb: number;
  restFinalProb: number;
  /** Chi-squared goodness-of-fit of all N samples against the final distribution (pooling expected < 5). */
  chiSquared: ChiSquaredResult;
  /** Total variation distance to the final distribution, tokens outside the top 50 pooled. */
  tvd: number;
}

/**
 * Draws N samples at one step and summarises them for display.
 * @param rawProbs, finalProbs Float64Arrays of length vocabSize (model and final probabilities)
 * @param topM how many tokens get their own bar
 * @throws RangeError as `drawSamples`
 */
export function monteCarloHistogram(rawProbs: Float64Array, finalProbs: Float64Array, n: number, seed: number, depth: number, topM = 50): McHistogram {
  const counts = countSamples(drawSamples(finalProbs, n, seed, depth));
  const top = topByProb(finalProbs, topM);
  const m = top.length;
  const out: McHistogram = {
    n,
    seed,
    depth,
    tokenIds: Int32Array.from(top),
    counts: new Int32Array(m),
    probs: new Float64Array(m),
    finalProbs: new Float64Array(m),
    restCount: n,
    restProb: 1,
    restFinalProb: 1,
    chiSquared: chiSquaredTest(counts, finalProbs),
    tvd: totalVariationTopK(counts, finalProbs, 50),
  };
  for (let j = 0; j < m; j++) {
    const id = top[j];
    out.counts[j] = counts.get(id) ?? 0;
    out.probs[j] = rawProbs[id];
    out.finalProbs[j] = finalProbs[id];
    out.restCount -= out.counts[j];
    out.restProb -= rawProbs[id];
    out.restFinalProb -= finalProbs[id];
  }
  out.restProb = Math.max(0, out.restProb);
  out.restFinalProb = Math.max(0, out.restFinalProb);
  return out;
}
