import { describe, expect, it } from 'vitest';
import { speculativeGenerate, type SpecModel, type SpecOptions } from './speculativeLoop.ts';
import { argmax } from './speculative.ts';
import { rng } from './constraint/benchMask.ts';

/** A deterministic "model": a distribution per context (hash of the last 3 tokens), peaked on a repeating cycle. */
function cycleModel(v: number, seed: number, peak: number): (ctx: readonly number[]) => Float64Array {
  return (ctx) => {
    let h = seed;
    for (const t of ctx.slice(-3)) h = Math.imul(h ^ (t + 1), 0x9e3779b1) >>> 0;
    const r = rng(h);
    const p = new Float64Array(v);
    let s = 0;
    for (let i = 0; i < v; i++) s += p[i] = r();
    const next = ((ctx[ctx.length - 1] ?? 0) + 1) % (v - 1); // the cycle 0, 1, 2, … never reaches the stop id v − 1
    for (let i = 0; i < v; i++) p[i] = (1 - peak) * (p[i] / s);
    p[next] += peak;
    return p;
  };
}

function counted(target: (ctx: readonly number[]) => Float64Array, draft?: (ctx: readonly number[]) => Float64Array) {
  const calls = { verify: 0, draft: 0 };
  const model: SpecModel = {
    verify: async (ctx, drafts) => {
      calls.verify++;
      return Array.from({ length: drafts.length + 1 }, (_, i) => target([...ctx, ...drafts.slice(0, i)]));
    },
    ...(draft ? { draft: async (ctx: readonly number[]) => (calls.draft++, draft(ctx)) } : {}),
  };
  return { model, calls };
}

function plainGreedy(p: (ctx: readonly number[]) => Float64Array, prompt: readonly number[], n: number, stopIds: readonly number[]): number[] {
  const out: number[] = [];
  while (out.length < n) {
    const t = argmax(p([...prompt, ...out]));
    out.push(t);
    if (stopIds.includes(t)) break;
  }
  return out;
}

const base: Omit<SpecOptions, 'drafter' | 'mode'> = { k: 4, seed: 3, reroll: 0, stopIds: [9] };

describe('speculativeGenerate(prompt, n, opts, model)', () => {
  it.each(['prompt-lookup', 'draft-model'] as const)('greedy with %s equals plain greedy decoding, one verify per round', async (drafter) => {
    const target = cycleModel(10, 1, 0.6);
    const { model, calls } = counted(target, cycleModel(10, 2, 0.5));
    const prompt = [0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 2];
    const { tokens, rounds } = await speculativeGenerate(prompt, 30, { ...base, drafter, mode: 'greedy' }, model);
    expect(tokens).toEqual(plainGreedy(target, prompt, 30, base.stopIds));
    expect(calls.verify).toBe(rounds.length);
    expect(rounds.reduce((a, r) => a + r.emitted.length, 0)).toBe(tokens.length);
    // the cycle repeats, so drafts are accepted and rounds are fewer than tokens
    expect(rounds.length).toBeLessThan(tokens.length);
    if (drafter === 'draft-model') expect(calls.draft).toBe(rounds.reduce((a, r) => a + r.draftForwardCount, 0));
  });

  it('sampling: never emits more than maxNewTokens and is replayable', async () => {
    const target = cycleModel(10, 4, 0.3);
    const { model } = counted(target, cycleModel(10, 5, 0.3));
    for (const n of [1, 2, 7]) {
      const a = await speculativeGenerate([1, 2, 3], n, { ...base, drafter: 'draft-model', mode: 'sample' }, model);
      const b = await speculativeGenerate([1, 2, 3], n, { ...base, drafter: 'draft-model', mode: 'sample' }, model);
      expect(a.tokens.length).toBeLessThanOrEqual(n);
      expect(a).toEqual(b);
    }
  });

  it('a stop token ends the text inside a round', async () => {
    // target always puts its mass on the stop id 9 after token 3
    const target = (ctx: readonly number[]) => {
      const p = new Float64Array(10).fill(0.01);
      p[ctx[ctx.length - 1] === 3 ? 9 : ((ctx[ctx.length - 1] ?? 0) + 1) % 9] = 0.91;
      return p;
    };
    const { model } = counted(target);
    const { tokens } = await speculativeGenerate([0, 1, 2, 3, 0, 1], 20, { ...base, drafter: 'prompt-lookup', mode: 'greedy' }, model);
    expect(tokens).toEqual([2, 3, 9]);
  });
});
