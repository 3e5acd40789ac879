import { describe, expect, it } from 'vitest';
import jStat from 'jstat';
import {
  acceptanceProbability,
  forwardsPerToken,
  proposeDraftToken,
  residualDistribution,
  verifyRound,
  type DraftDist,
  type SpecRound,
} from './speculative.ts';
import { chiSquaredTest, countSamples } from './monteCarlo.ts';
import { drawUniform } from './random.ts';
import { sampleToken } from './sampling.ts';

/** mulberry32: a small seeded PRNG for building test distributions (not the app's draw generator). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random distribution over v tokens; with `zeros`, about a third of the tokens get probability 0 (as after top-k). */
function randomDist(r: () => number, v: number, zeros = false): Float64Array {
  const p = new Float64Array(v);
  let s = 0;
  for (let i = 0; i < v; i++) {
    p[i] = zeros && r() < 0.33 ? 0 : r() ** 3;
    s += p[i];
  }
  if (s === 0) {
    p[Math.floor(r() * v)] = 1;
    return p;
  }
  for (let i = 0; i < v; i++) p[i] /= s;
  return p;
}

/** A distribution that depends on the prefix (a deterministic "model"). */
function modelTree(seed: number, v: number, zeros: boolean): (prefix: readonly number[]) => Float64Array {
  const cache = new Map<string, Float64Array>();
  return (prefix) => {
    const key = prefix.join(',');
    let d = cache.get(key);
    if (!d) {
      let h = seed;
      for (const t of prefix) h = Math.imul(h ^ (t + 1), 0x9e3779b1) >>> 0;
      d = randomDist(rng(h), v, zeros);
      cache.set(key, d);
    }
    return d;
  };
}

type Tree = (prefix: readonly number[]) => Float64Array;

/**
 * Exact distribution of the tokens a round emits, continued by plain sampling from p up to `length`
 * tokens, enumerated branch by branch from the round's own acceptance and residual rules.
 * Keys are comma-joined token sequences.
 */
function roundThenPlain(pAt: Tree, draftAt: (prefix: readonly number[]) => DraftDist, k: number, length: number): Map<string, number> {
  const out = new Map<string, number>();
  const add = (seq: number[], w: number) => {
    if (w === 0) return;
    // continue with plain sampling from p to the fixed length
    if (seq.length >= length) {
      const key = seq.slice(0, length).join(',');
      out.set(key, (out.get(key) ?? 0) + w);
      return;
    }
    const p = pAt(seq);
    for (let y = 0; y < p.length; y++) if (p[y] > 0) add([...seq, y], w * p[y]);
  };
  const round = (prefix: number[], i: number, w: number) => {
    if (i === k) {
      const p = pAt(prefix);
      for (let y = 0; y < p.length; y++) if (p[y] > 0) add([...prefix, y], w * p[y]);
      return;
    }
    const q = draftAt(prefix);
    const p = pAt(prefix);
    const support = q.kind === 'point' ? [q.tokenId] : Array.from(q.probs.keys()).filter((x) => q.probs[x] > 0);
    for (const x of support) {
      const qX = q.kind === 'point' ? 1 : q.probs[x];
      const a = acceptanceProbability(p[x], qX);
      round([...prefix, x], i + 1, w * qX * a);
      if (a < 1) {
        const r = residualDistribution(p, q);
        for (let y = 0; y < r.length; y++) if (r[y] > 0) add([...prefix, y], w * qX * (1 - a) * r[y]);
      }
    }
  };
  round([], 0, 1);
  return out;
}

function plainSequences(pAt: Tree, length: number): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (seq: number[], w: number) => {
    if (seq.length === length) {
      out.set(seq.join(','), w);
      return;
    }
    const p = pAt(seq);
    for (let y = 0; y < p.length; y++) if (p[y] > 0) walk([...seq, y], w * p[y]);
  };
  walk([], 1);
  return out;
}

function maxDiff(a: Map<string, number>, b: Map<string, number>): number {
  let m = 0;
  for (const key of new Set([...a.keys(), ...b.keys()])) m = Math.max(m, Math.abs((a.get(key) ?? 0) - (b.get(key) ?? 0)));
  return m;
}

describe('acceptanceProbability / residualDistribution', () => {
  it.each([
    [0.2, 0.4, 0.5],
    [0.4, 0.2, 1],
    [0, 0.3, 0],
    [0.3, 0.3, 1],
  ])('min(1, p/q) for p=%f q=%f is %f', (p, q, a) => expect(acceptanceProbability(p, q)).toBeCloseTo(a, 15));

  it('rejects q(x) = 0', () => expect(() => acceptanceProbability(0.1, 0)).toThrow(RangeError));

  it('hand-made residual: max(0, p − q) normalised', () => {
    const p = Float64Array.of(0.5, 0.3, 0.2, 0);
    const q = Float64Array.of(0.2, 0.5, 0.1, 0.2);
    // max(0, p − q) = [0.3, 0, 0.1, 0], total 0.4
    expect(Array.from(residualDistribution(p, { kind: 'dense', probs: q }))).toEqual([0.3 / 0.4, 0, 0.1 / 0.4, 0].map((x) => expect.closeTo(x, 15)));
  });

  it('point mass: p with x removed and renormalised', () => {
    const p = Float64Array.of(0.5, 0.25, 0.25);
    expect(Array.from(residualDistribution(p, { kind: 'point', tokenId: 0 }))).toEqual([0, 0.5, 0.5]);
  });

  it('p = q leaves no residual', () => {
    const p = Float64Array.of(0.5, 0.5);
    expect(() => residualDistribution(p, { kind: 'dense', probs: p })).toThrow(/empty/);
  });
});

describe('(a) one round keeps the target distribution exactly', () => {
  it('hand-made p and q, k = 1: first-token distribution equals p within 1e-12', () => {
    const p = Float64Array.of(0.1, 0.6, 0.3);
    const q = Float64Array.of(0.5, 0.25, 0.25);
    const dist = roundThenPlain(() => p, () => ({ kind: 'dense', probs: q }), 1, 1);
    // accept: q·min(1, p/q) = min(p, q) = [0.1, 0.25, 0.25]; reject mass 0.4 → residual [0, 0.35, 0.05]/0.4
    expect(maxDiff(dist, new Map([['0', 0.1], ['1', 0.6], ['2', 0.3]]))).toBeLessThan(1e-12);
  });

  it.each([1, 2, 3])('random model trees, dense draft, k = %i: round + plain sampling = plain sampling (length k + 1)', (k) => {
    for (let seed = 1; seed <= 6; seed++) {
      const pAt = modelTree(seed, 5, seed % 2 === 0);
      const qAt = modelTree(seed + 1000, 5, seed % 3 === 0);
      const got = roundThenPlain(pAt, (prefix) => ({ kind: 'dense', probs: qAt(prefix) }), k, k + 1);
      expect(maxDiff(got, plainSequences(pAt, k + 1))).toBeLessThan(1e-12);
    }
  });

  it.each([1, 2, 3])('prompt-lookup point masses, k = %i', (k) => {
    for (let seed = 1; seed <= 6; seed++) {
      const pAt = modelTree(seed, 5, seed % 2 === 1);
      // the lookup proposes a fixed continuation, whatever p thinks of it (even p(x) = 0)
      const proposal = [3, 1, 4, 1, 5].map((t) => t % 5);
      const got = roundThenPlain(pAt, (prefix) => ({ kind: 'point', tokenId: proposal[prefix.length] }), k, k + 1);
      expect(maxDiff(got, plainSequences(pAt, k + 1))).toBeLessThan(1e-12);
    }
  });
});

/** Runs rounds with a draft model sampled on its own stream; p and q from model trees. */
function runRound(pAt: Tree, qAt: Tree, k: number, seed: number, reroll: number, depth = 0): SpecRound {
  const drafts: number[] = [];
  const q: DraftDist[] = [];
  const p: Float64Array[] = [];
  for (let i = 0; i < k; i++) {
    const qi = qAt(drafts);
    q.push({ kind: 'dense', probs: qi });
    p.push(pAt(drafts));
    drafts.push(proposeDraftToken(qi, 'sample', seed, depth + i, reroll));
  }
  p.push(pAt(drafts));
  return verifyRound({ drafts, q, p, mode: 'sample', drafter: 'draft-model', seed, depth, reroll, draftForwardCount: k });
}

describe('verifyRound', () => {
  it('records states, counts and one verification forward', () => {
    const pAt = modelTree(7, 6, false);
    const qAt = modelTree(8, 6, false);
    for (let reroll = 0; reroll < 50; reroll++) {
      const r = runRound(pAt, qAt, 3, 42, reroll);
      expect(r.forwardCount).toBe(1);
      expect(r.proposed).toBe(3);
      expect(r.emitted.length).toBe(r.accepted + 1);
      const states = r.tokens.map((t) => t.state);
      if (r.accepted === 3) expect(states).toEqual(['accepted', 'accepted', 'accepted', 'bonus']);
      else {
        expect(states.slice(0, r.accepted).every((s) => s === 'accepted')).toBe(true);
        expect(states.slice(r.accepted, r.accepted + 2)).toEqual(['rejected', 'resampled']);
        expect(states.slice(r.accepted + 2).every((s) => s === 'proposed')).toBe(true);
        // a rejection needs p(x) < q(x); the residual only holds tokens with p > q
        const rej = r.tokens[r.accepted];
        const res = r.tokens[r.accepted + 1];
        expect(res.p).toBeGreaterThan(res.q);
        expect(rej.p).toBeLessThan(rej.q);
      }
    }
  });

  it('is replayable from the seed and uses streams of its own', () => {
    const pAt = modelTree(3, 6, false);
    const qAt = modelTree(4, 6, false);
    expect(runRound(pAt, qAt, 3, 9, 2, 5)).toEqual(runRound(pAt, qAt, 3, 9, 2, 5));
    const r = runRound(pAt, qAt, 3, 9, 2, 5);
    // the first acceptance draw is not the plain-sampling draw of that position (stream 0)
    expect(r.tokens[0].u).not.toBe(drawUniform({ seed: 9, depth: 5, reroll: 2, stream: 0 }));
  });

  it('greedy: accepts while the draft equals the argmax; output equals plain greedy decoding', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const pAt = modelTree(seed, 4, false);
      const qAt = modelTree(seed + 77, 4, false);
      const drafts: number[] = [];
      for (let i = 0; i < 3; i++) drafts.push(proposeDraftToken(qAt(drafts), 'greedy', 0, i, 0));
      const p = [0, 1, 2, 3].map((i) => pAt(drafts.slice(0, i)));
      const r = verifyRound({ drafts, q: drafts.map((_, i) => ({ kind: 'dense', probs: qAt(drafts.slice(0, i)) })), p, mode: 'greedy', drafter: 'draft-model', seed: 0, depth: 0, reroll: 0 });
      const plain: number[] = [];
      for (let i = 0; i < r.emitted.length; i++) {
        const d = pAt(plain);
        plain.push(d.indexOf(Math.max(...d)));
      }
      expect(r.emitted).toEqual(plain);
    }
  });

  it('k = 0 (nothing to propose) is one plain step on the bonus stream', () => {
    const p = Float64Array.of(0.2, 0.8);
    const r = verifyRound({ drafts: [], q: [], p: [p], mode: 'sample', drafter: 'prompt-lookup', seed: 1, depth: 0, reroll: 0 });
    expect(r.tokens).toHaveLength(1);
    expect(r.tokens[0].state).toBe('bonus');
    expect(forwardsPerToken([r])).toBe(1);
  });

  it('throws on mismatched lengths', () => {
    const p = Float64Array.of(1);
    expect(() => verifyRound({ drafts: [0], q: [], p: [p, p], mode: 'sample', drafter: 'prompt-lookup', seed: 1, depth: 0, reroll: 0 })).toThrow(RangeError);
  });
});

describe('(c) recorded acceptance draws follow min(1, p/q)', () => {
  it('accept rate per bucket of min(1, p/q): chi-squared over 10 buckets', () => {
    const buckets = Array.from({ length: 10 }, () => ({ n: 0, accepted: 0, expected: 0, variance: 0 }));
    let tests = 0;
    for (let model = 0; model < 40; model++) {
      const pAt = modelTree(500 + model, 8, model % 2 === 0);
      const qAt = modelTree(900 + model, 8, false);
      for (let reroll = 0; reroll < 250; reroll++) {
        const r = runRound(pAt, qAt, 3, 11, reroll + model * 1000);
        const drafts = r.tokens.filter((t) => t.state !== 'resampled' && t.state !== 'bonus');
        let prefix: number[] = [];
        for (const t of r.tokens) {
          if (t.state !== 'accepted' && t.state !== 'rejected') continue;
          // the record's p, q and acceptance probability against the trees themselves
          const pX = pAt(prefix)[t.tokenId];
          const qX = qAt(prefix)[t.tokenId];
          const a = Math.min(1, pX / qX);
          expect(t.p).toBe(pX);
          expect(t.q).toBe(qX);
          expect(t.acceptProbability).toBeCloseTo(a, 14);
          expect(t.state === 'accepted').toBe((t.u as number) < a);
          const b = buckets[Math.min(9, Math.floor(a * 10))];
          b.n++;
          b.expected += a;
          b.variance += a * (1 - a);
          if (t.state === 'accepted') b.accepted++;
          tests++;
          prefix = [...prefix, t.tokenId];
        }
        expect(drafts.length).toBe(3);
      }
    }
    expect(tests).toBeGreaterThan(10_000);
    // sum of squared z-scores of independent Bernoulli sums ≈ χ²(number of buckets with variance)
    let stat = 0;
    let dof = 0;
    for (const b of buckets) {
      if (b.variance < 1) continue;
      stat += (b.accepted - b.expected) ** 2 / b.variance;
      dof++;
    }
    expect(dof).toBeGreaterThanOrEqual(8);
    const pValue = 1 - jStat.chisquare.cdf(stat, dof);
    expect(pValue).toBeGreaterThan(0.001);
  });
});

describe('(d) Monte-Carlo: N = 10,000 rounds give plain sampling frequencies', () => {
  const N = 10_000;
  it.each([
    ['draft model, k = 3', false],
    ['prompt lookup, k = 3', true],
  ])('%s: first token and first two tokens (chi-squared, pooled bins)', (_name, lookup) => {
    const pAt = modelTree(1234, 6, false);
    const qAt = modelTree(4321, 6, false);
    const proposal = [2, 2, 5];
    const first: number[] = [];
    const pairs: number[] = [];
    for (let i = 0; i < N; i++) {
      const r = lookup
        ? verifyRound({
            drafts: proposal,
            q: proposal.map((t) => ({ kind: 'point', tokenId: t })),
            p: [0, 1, 2, 3].map((j) => pAt(proposal.slice(0, j))),
            mode: 'sample',
            drafter: 'prompt-lookup',
            seed: 77,
            depth: 0,
            reroll: i,
          })
        : runRound(pAt, qAt, 3, 77, i);
      const seq = [...r.emitted];
      // continue a one-token round with plain sampling (its own draw: Monte-Carlo stream 2)
      if (seq.length < 2) seq.push(sampleToken(pAt(seq), drawUniform({ seed: 77, depth: 1, reroll: i, stream: 2 })).tokenId);
      first.push(seq[0]);
      pairs.push(seq[0] * 6 + seq[1]);
    }
    const p0 = pAt([]);
    expect(chiSquaredTest(countSamples(first), p0).pValue).toBeGreaterThan(0.001);
    const joint = new Float64Array(36);
    for (let a = 0; a < 6; a++) for (let b = 0; b < 6; b++) joint[a * 6 + b] = p0[a] * pAt([a])[b];
    expect(chiSquaredTest(countSamples(pairs), joint).pValue).toBeGreaterThan(0.001);
  });
});
