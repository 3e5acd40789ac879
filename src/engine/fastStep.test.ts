import { describe, expect, it } from 'vitest';
import type { DistributionRecord } from './distribution.ts';
import { argmaxToken, finalProbs, recordDistribution, runProcessors, tokenStat } from '../../tests/oracle/distribution.ts';
import { computeStep, stageDistributions, tokenStats, type FastChoose } from './fastStep.ts';
import { sampleToken } from './sampling.ts';
import { drawUniform } from './random.ts';
import { HF_ORDER, TEMPERATURE_LAST_ORDER, beamRecordSettings, greedySettings, type SamplingSettings } from './settings.ts';
import { heapTopIndices, kthLargest, sortIndicesDescending } from './order.ts';

/**
 * The fast path (computeStep) against the straightforward reference (runProcessors → choice →
 * tokenStat → recordDistribution, every stage a full-vocabulary array): the same token, the same
 * shown ids, kept flags and removal stages, and every number within 1e-12.
 */

function reference(logits: Float32Array, ctx: number[], s: SamplingSettings, topN: number, extra: number[], choose: FastChoose) {
  const stages = runProcessors(logits, ctx, s);
  const probs = finalProbs(stages);
  let tokenId: number | null = null;
  if (choose.kind === 'manual') tokenId = choose.tokenId;
  else if (choose.kind === 'greedy') tokenId = argmaxToken(probs).tokenId;
  else if (choose.kind === 'sample') tokenId = sampleToken(probs, choose.u).tokenId;
  const stat = tokenId === null ? null : tokenStat(stages, tokenId);
  const record = recordDistribution(stages, topN, tokenId === null ? extra : [...extra, tokenId]);
  return { record, choice: stat && { tokenId: stat.tokenId, prob: stat.prob, logprob: stat.logprob, rank: stat.rank, finalProb: stat.finalProb, finalRank: stat.finalRank } };
}

function close(a: ArrayLike<number>, b: ArrayLike<number>, what: string) {
  expect(a.length, what).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    if (Math.abs(a[i] - b[i]) > 1e-12) throw new Error(`${what}[${i}]: ${a[i]} vs ${b[i]} (diff ${a[i] - b[i]})`);
  }
}

function sameRecord(f: DistributionRecord, r: DistributionRecord) {
  expect(f.stages).toEqual(r.stages);
  expect(Array.from(f.tokenIds)).toEqual(Array.from(r.tokenIds));
  expect(Array.from(f.kept)).toEqual(Array.from(r.kept));
  expect(Array.from(f.removedAt)).toEqual(Array.from(r.removedAt));
  expect(Array.from(f.logits)).toEqual(Array.from(r.logits));
  close(f.stageProbs, r.stageProbs, 'stageProbs');
  close(f.restMass, r.restMass, 'restMass');
  close(f.cumBefore, r.cumBefore, 'cumBefore');
  close([f.entropyRawBits, f.entropyFinalBits], [r.entropyRawBits, r.entropyFinalBits], 'entropy');
}

/** Seeded logits: 'peaked' = Zipf-like ranks plus noise (as benchMath), 'flat' = small noise, 'ties' = few distinct values. */
function makeLogits(kind: 'peaked' | 'flat' | 'ties', V: number, seed: number): Float32Array {
  const out = new Float32Array(V);
  for (let i = 0; i < V; i++) {
    const u = drawUniform({ seed, depth: i, reroll: 0, stream: 3 });
    const w = drawUniform({ seed, depth: i, reroll: 1, stream: 3 });
    if (kind === 'peaked') out[i] = 12 - 1.2 * Math.log(1 + Math.floor(w * V)) + (u - 0.5);
    else if (kind === 'flat') out[i] = (u - 0.5) * 0.1;
    else out[i] = Math.floor(u * 4) - (i % 3 === 0 ? 5 : 0);
  }
  return out;
}

const base: SamplingSettings = { temperature: 1, topK: 0, topP: 1, minP: 0, repetitionPenalty: 1, order: HF_ORDER };
const settingsCases: [string, SamplingSettings][] = [
  ['defaults', base],
  ['all processors, HF order', { temperature: 0.8, topK: 50, topP: 0.9, minP: 0.05, repetitionPenalty: 1.3, order: HF_ORDER }],
  ['all processors, temperature last', { temperature: 1.7, topK: 40, topP: 0.8, minP: 0.02, repetitionPenalty: 1.2, order: TEMPERATURE_LAST_ORDER }],
  ['top-p only', { ...base, topP: 0.7 }],
  ['min-p only, T 0.5', { ...base, minP: 0.1, temperature: 0.5 }],
  ['top-k only, penalty < 1', { ...base, topK: 7, repetitionPenalty: 0.8 }],
  ['high T, top-p 0.99', { ...base, temperature: 3, topP: 0.99 }],
  ['greedy', greedySettings({ ...base, repetitionPenalty: 1.4 })],
  ['beam record', beamRecordSettings(1.5)],
  ['min-p 1', { ...base, minP: 1 }],
];

describe('computeStep equals the reference processors and record', () => {
  for (const kind of ['peaked', 'flat', 'ties'] as const) {
    for (const V of [7, 300, 5000]) {
      const logits = makeLogits(kind, V, V + kind.length);
      // the argmax is in the context in half of the cases, so the penalty moves the softmax shift
      const argmax = heapTopIndices(logits, 1)[0];
      const ctx = Array.from({ length: Math.min(V, 40) }, (_, i) => (i * 7919 + 3) % V).concat(V % 2 ? [argmax, argmax] : []);
      for (const [name, s] of settingsCases) {
        it(`${kind} V=${V}: ${name}`, () => {
          const chooses: FastChoose[] = [
            { kind: 'none' },
            { kind: 'greedy' },
            { kind: 'sample', u: 0.01 },
            { kind: 'sample', u: 0.5 },
            { kind: 'sample', u: 0.999 },
            { kind: 'manual', tokenId: V - 1 },
            { kind: 'manual', tokenId: 0 },
          ];
          for (const choose of chooses) {
            const topN = V < 10 ? 3 : 20;
            const extra = [V - 2, 1];
            const f = computeStep(logits, ctx, s, topN, extra, choose);
            const r = reference(logits, ctx, s, topN, extra, choose);
            expect(f.choice?.tokenId).toBe(r.choice?.tokenId);
            if (f.choice && r.choice) {
              expect(f.choice.rank).toBe(r.choice.rank);
              expect(f.choice.finalRank).toBe(r.choice.finalRank);
              close([f.choice.prob, f.choice.logprob, f.choice.finalProb], [r.choice.prob, r.choice.logprob, r.choice.finalProb], 'choice');
            }
            sameRecord(f.record, r.record);
          }
        });
      }
    }
  }

  it('151,936 peaked logits (the P5 input): same record and token', () => {
    const V = 151936;
    const logits = makeLogits('peaked', V, 5);
    const ctx = Array.from({ length: 200 }, (_, i) => (i * 7919) % V);
    const s = settingsCases[1][1];
    for (const u of [0.1, 0.77]) {
      const f = computeStep(logits, ctx, s, 50, [], { kind: 'sample', u });
      const r = reference(logits, ctx, s, 50, [], { kind: 'sample', u });
      expect(f.choice?.tokenId).toBe(r.choice?.tokenId);
      sameRecord(f.record, r.record);
    }
  });
});

describe('tokenStats and stageDistributions equal the reference (the token query and Monte-Carlo use them)', () => {
  for (const kind of ['peaked', 'flat', 'ties'] as const) {
    for (const V of [7, 300, 5000]) {
      const logits = makeLogits(kind, V, V + 2 * kind.length);
      const ctx = Array.from({ length: Math.min(V, 30) }, (_, i) => (i * 104729 + 5) % V);
      for (const [name, s] of settingsCases) {
        it(`${kind} V=${V}: ${name}`, () => {
          const stages = runProcessors(logits, ctx, s);
          const ids = [0, V - 1, Math.floor(V / 2), heapTopIndices(logits, 1)[0]];
          tokenStats(logits, ctx, s, ids).forEach((f, j) => {
            const r = tokenStat(stages, ids[j]);
            expect([f.tokenId, f.rank, f.finalRank]).toEqual([r.tokenId, r.rank, r.finalRank]);
            close([f.prob, f.logprob, f.finalProb], [r.prob, r.logprob, r.finalProb], 'tokenStats');
          });
          const d = stageDistributions(logits, ctx, s);
          close(d.rawProbs, stages.states[0].probs, 'rawProbs');
          close(d.finalProbs, finalProbs(stages), 'finalProbs');
        });
      }
    }
  }
  it('tokenStats rejects an id outside the vocabulary', () => {
    expect(() => tokenStats(makeLogits('flat', 10, 1), [], base, [10])).toThrow(RangeError);
  });
});

describe('heapTopIndices', () => {
  it('equals a full sort (value descending, lower index first) on ties and -Infinity', () => {
    const values = [3, -Infinity, 1, 3, 2, 2, -Infinity, 5, 1, 3];
    const all = sortIndicesDescending(Int32Array.from(values.map((_, i) => i).filter((i) => values[i] > -Infinity)), values);
    for (let k = 0; k <= values.length + 1; k++) {
      expect(Array.from(heapTopIndices(values, k))).toEqual(Array.from(all.subarray(0, k)));
    }
  });
  it('its k-th value is kthLargest on 5,000 tied values', () => {
    const values = Array.from(makeLogits('ties', 5000, 9));
    for (const k of [1, 17, 1250, 4999]) expect(values[heapTopIndices(values, k)[k - 1]]).toBe(kthLargest(values, k));
  });
});
