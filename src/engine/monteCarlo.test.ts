import { describe, expect, it } from 'vitest';
import {
  chiSquaredTest,
  countSamples,
  drawSamples,
  inverseCdfSampler,
  monteCarloHistogram,
  totalVariation,
  totalVariationTopK,
} from './monteCarlo.ts';
import { sampleToken } from './sampling.ts';
import { drawUniform } from './random.ts';
import { shortlist } from './shortlist.ts';

/** A fixed, uneven distribution over 300 tokens with ties and zeros. */
function testProbs(): Float64Array {
  const w = new Float64Array(300);
  for (let i = 0; i < w.length; i++) w[i] = i % 7 === 3 ? 0 : 1 / (1 + ((i * 37) % 101)) ** 1.3;
  w[10] = w[11] = 0.5; // a tie
  let s = 0;
  for (const x of w) s += x;
  return w.map((x) => x / s);
}

describe('inverseCdfSampler(probs)', () => {
  it('chooses the same token as sampleToken for 2,000 draws', () => {
    const p = testProbs();
    const sample = inverseCdfSampler(p);
    for (let i = 0; i < 2000; i++) {
      const u = drawUniform({ seed: 9, depth: i, reroll: 0, stream: 5 });
      expect(sample(u)).toBe(sampleToken(p, u).tokenId);
    }
  });

  it('never chooses a token with probability 0', () => {
    const sample = inverseCdfSampler(Float64Array.from([0, 0.25, 0, 0.75]));
    expect(sample(0)).toBe(3);
    expect(sample(0.7499)).toBe(3);
    expect(sample(0.75)).toBe(1);
    expect(sample(0.999999)).toBe(1);
  });
});

describe('drawSamples(probs, n, seed, depth)', () => {
  it('is a pure function of the seed and depth', () => {
    const p = testProbs();
    expect(drawSamples(p, 500, 42, 3)).toEqual(drawSamples(p, 500, 42, 3));
    expect(drawSamples(p, 500, 43, 3)).not.toEqual(drawSamples(p, 500, 42, 3));
    expect(drawSamples(p, 500, 42, 4)).not.toEqual(drawSamples(p, 500, 42, 3));
  });

  it('extends a smaller N: the first 100 of 1,000 samples are the 100 samples', () => {
    const p = testProbs();
    expect(drawSamples(p, 1000, 1, 0).slice(0, 100)).toEqual(drawSamples(p, 100, 1, 0));
  });

  it.each([[0], [1.5], [100_001]])('rejects n = %s', (n) => {
    expect(() => drawSamples(testProbs(), n, 1, 0)).toThrow(RangeError);
  });

  it('converges: N = 10,000 passes the chi-squared test at 0.001 and TVD shrinks with N', () => {
    const p = testProbs();
    const tv = [100, 1000, 10000].map((n) => totalVariationTopK(countSamples(drawSamples(p, n, 7, 0)), p, 50));
    expect(tv[2]).toBeLessThan(tv[1]);
    expect(tv[1]).toBeLessThan(tv[0]);
    expect(tv[2]).toBeLessThan(0.03);
    expect(chiSquaredTest(countSamples(drawSamples(p, 10000, 7, 0)), p).pValue).toBeGreaterThan(0.001);
  });
});

describe('chiSquaredTest(counts, probs)', () => {
  it('hand-computed case, 2 degrees of freedom (survival exp(-x/2))', () => {
    const r = chiSquaredTest(new Map([[0, 55], [1, 25], [2, 20]]), Float64Array.from([0.5, 0.3, 0.2]));
    // (55-50)²/50 + (25-30)²/30 + 0 = 0.5 + 0.8333…
    expect(r.statistic).toBeCloseTo(0.5 + 25 / 30, 12);
    expect(r.dof).toBe(2);
    expect(r.pValue).toBeCloseTo(Math.exp(-r.statistic / 2), 9);
  });

  it('hand-computed case, 4 degrees of freedom (survival exp(-x/2)(1 + x/2))', () => {
    const counts = new Map([[0, 30], [1, 20], [2, 20], [3, 15], [4, 15]]);
    const r = chiSquaredTest(counts, Float64Array.from([0.2, 0.2, 0.2, 0.2, 0.2]));
    expect(r.statistic).toBeCloseTo(7.5, 12);
    expect(r.pValue).toBeCloseTo(Math.exp(-3.75) * (1 + 3.75), 9);
  });

  it('pools expected counts < 5, then merges a small pool into the smallest bin', () => {
    // n = 100: expected 90, 6, 3, 1 → bins {90}, {6 + 3 + 1 = 10}
    const r = chiSquaredTest(new Map([[0, 88], [1, 7], [2, 4], [3, 1]]), Float64Array.from([0.9, 0.06, 0.03, 0.01]));
    expect(r.bins).toBe(2);
    expect(r.statistic).toBeCloseTo(4 / 90 + 4 / 10, 12);
  });

  it('matches the table: χ²(10) statistic 29.588 has p = 0.001', () => {
    // 11 equal bins with n = 1100 (expected 100): observed 100 + d_i with Σ d_i = 0, Σ d_i²/100 = 29.588
    const d = Math.sqrt((29.588 * 100) / 2);
    const counts = new Map<number, number>();
    for (let i = 0; i < 11; i++) counts.set(i, 100);
    counts.set(0, 100 + d);
    counts.set(1, 100 - d);
    const r = chiSquaredTest(counts, new Float64Array(11).fill(1 / 11));
    expect(r.dof).toBe(10);
    expect(r.statistic).toBeCloseTo(29.588, 9);
    expect(r.pValue).toBeCloseTo(0.001, 5);
  });

  it('rejects a sample on a token with probability 0', () => {
    expect(() => chiSquaredTest(new Map([[1, 3]]), Float64Array.from([1, 0]))).toThrow(RangeError);
  });
});

describe('totalVariationTopK(counts, probs, k)', () => {
  it('pools the tokens outside the top k', () => {
    // probs 0.4 0.3 0.2 0.1; counts 5 2 1 2 of 10; top 2 → buckets {0}, {1}, {2,3}
    const tv = totalVariationTopK(new Map([[0, 5], [1, 2], [2, 1], [3, 2]]), Float64Array.from([0.4, 0.3, 0.2, 0.1]), 2);
    expect(tv).toBeCloseTo((0.1 + 0.1 + 0) / 2, 12);
  });

  it('totalVariation of aligned buckets', () => {
    expect(totalVariation([0.5, 0.5, 0], [0.2, 0.3, 0.5])).toBeCloseTo(0.5, 12);
    expect(() => totalVariation([1], [0.5, 0.5])).toThrow(RangeError);
  });
});

describe('monteCarloHistogram(raw, final, n, seed, depth)', () => {
  it('counts add up to N and the rest bucket holds what the bars do not', () => {
    const p = testProbs();
    const h = monteCarloHistogram(p, p, 1000, 3, 0, 20);
    expect(h.tokenIds.length).toBe(20);
    expect(h.counts.reduce((a, b) => a + b, 0) + h.restCount).toBe(1000);
    expect(h.finalProbs.reduce((a, b) => a + b, 0) + h.restFinalProb).toBeCloseTo(1, 12);
    for (let j = 1; j < 20; j++) expect(h.finalProbs[j]).toBeLessThanOrEqual(h.finalProbs[j - 1]);
  });
});

describe('shortlist(rankedIds, top, distractors, seed, depth)', () => {
  const ranked = Array.from({ length: 30 }, (_, i) => 100 + i);
  it('holds the top ids plus distinct distractors from the pool, shuffled the same way for the same seed', () => {
    const s = shortlist(ranked, 3, 2, 42, 0);
    expect(s).toHaveLength(5);
    expect(new Set(s).size).toBe(5);
    for (const id of [100, 101, 102]) expect(s).toContain(id);
    for (const id of s) expect(ranked.indexOf(id)).toBeLessThan(3 + 15);
    expect(shortlist(ranked, 3, 2, 42, 0)).toEqual(s);
    const others = [1, 2, 3, 4, 5].map((seed) => shortlist(ranked, 3, 2, seed, 0).join());
    expect(others.some((o) => o !== s.join())).toBe(true);
  });
});
