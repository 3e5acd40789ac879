import { describe, expect, it } from 'vitest';
import { computeStep, stageDistributions } from '../fastStep.ts';
import { HF_ORDER, type SamplingSettings } from '../settings.ts';
import { ConstraintError } from '../constraint/errors.ts';
import { rng } from '../constraint/benchMask.ts';

const V = 300;
function logitsOf(seed: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: V }, () => 8 * (r() - 0.5));
}
function maskOf(seed: number, density: number): Uint8Array {
  const r = rng(seed);
  const m = Uint8Array.from({ length: V }, () => (r() < density ? 1 : 0));
  m[seed % V] = 1;
  return m;
}

const cases: [string, SamplingSettings][] = [
  ['plain', { temperature: 1, topK: 0, topP: 1, minP: 0, repetitionPenalty: 1, order: [...HF_ORDER] }],
  ['penalty, T 0.7, top-k 20, top-p 0.9, min-p 0.05', { temperature: 0.7, topK: 20, topP: 0.9, minP: 0.05, repetitionPenalty: 1.3, order: [...HF_ORDER] }],
  ['T 2, top-k 5', { temperature: 2, topK: 5, topP: 1, minP: 0, repetitionPenalty: 1, order: [...HF_ORDER] }],
];

describe('constraint stage in the step math', () => {
  it.each(cases)('%s: final distribution = the chain on logits where masked tokens are pushed 1000 below the minimum', (_name, settings) => {
    for (let seed = 1; seed <= 20; seed++) {
      const logits = logitsOf(seed);
      const allowed = maskOf(seed + 100, seed % 2 ? 0.5 : 0.03);
      const ctx = [1, 2, 3, seed];
      const got = stageDistributions(logits, ctx, settings, allowed).finalProbs;
      // independent route: masked logits far below everything (exp underflows to exactly 0)
      const min = Math.min(...logits);
      const masked = Float32Array.from(logits, (l, i) => (allowed[i] ? l : min - 1000));
      const want = stageDistributions(masked, ctx, settings).finalProbs;
      for (let i = 0; i < V; i++) {
        expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-12);
        if (!allowed[i]) expect(got[i]).toBe(0);
      }
    }
  });

  it('the record gets a constraint stage after the penalty that marks the masked tokens removed', () => {
    const allowed = maskOf(7, 0.2);
    const { record, choice } = computeStep(logitsOf(7), [], cases[0][1], 30, [], { kind: 'sample', u: 0.5 }, allowed);
    expect(record.stages).toEqual(['raw', 'repetitionPenalty', 'constraint', 'temperature', 'topK', 'topP', 'minP']);
    const n = record.tokenIds.length;
    for (let j = 0; j < n; j++) expect(record.kept[2 * n + j]).toBe(allowed[record.tokenIds[j]]);
    expect(allowed[choice!.tokenId]).toBe(1);
  });

  it('no allowed token: constraint-dead-end', () => {
    expect(() => computeStep(logitsOf(1), [], cases[0][1], 5, [], { kind: 'greedy' }, new Uint8Array(V))).toThrow(ConstraintError);
  });
});
