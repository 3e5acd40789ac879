/**
 * Speculative decoding on the embedded model (onnxruntime-node): (b) on a repeated passage prompt
 * lookup gets drafts accepted and needs fewer than one target forward per token; greedy speculation
 * gives exactly plain greedy decoding; the model as its own draft has every draft accepted; under a
 * constraint, p is the constrained distribution, draft tokens outside the language have p = 0 and
 * are rejected, and every text is in the language (JavaScript RegExp full match).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import type { Decoder } from '../src/decoder/decoder.ts';
import { speculativeGenerateOn } from '../src/decoder/speculative.ts';
import { forwardsPerToken } from '../src/engine/speculative.ts';
import { DEFAULT_SAMPLING } from '../src/engine/settings.ts';
import { loadDecoder } from './ortDecoder.ts';
import { MODEL_NAME } from './reference.ts';

const modelsPath = fileURLToPath(new URL('../public/models/', import.meta.url));
let dec: Decoder;
let draftDec: Decoder;

beforeAll(async () => {
  dec = await loadDecoder({ kind: 'embedded', name: MODEL_NAME }, { device: 'wasm', modelsPath });
  draftDec = await loadDecoder({ kind: 'embedded', name: MODEL_NAME }, { device: 'wasm', modelsPath });
});
afterAll(async () => {
  await dec?.release();
  await draftDec?.release();
});

const hot = { ...DEFAULT_SAMPLING, temperature: 2, topK: 0, topP: 1, minP: 0 };

const PASSAGE = 'The quick brown fox jumps over the lazy dog. The quick brown fox jumps over the lazy dog. The quick brown fox';

/** Plain greedy decoding by full forwards (no cache, no speculation): the reference. */
async function plainGreedy(prompt: number[], n: number): Promise<number[]> {
  const V = dec.info.vocabSize;
  const ids = [...prompt];
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const all = await dec.fullForward(ids);
    const last = all.subarray((ids.length - 1) * V, ids.length * V);
    let best = 0;
    for (let t = 1; t < V; t++) if (last[t] > last[best]) best = t;
    out.push(best);
    ids.push(best);
    if (best === dec.info.eosTokenId) break;
  }
  return out;
}

describe('speculative decoding on the embedded model', () => {
  it('(b) prompt lookup on a repeated passage: drafts accepted, target forwards per token < 1; greedy output = plain greedy', async () => {
    const prompt = await dec.tokenize(PASSAGE);
    const before = dec.backend.stats().forwardCount;
    const r = await speculativeGenerateOn(dec.backend, null, {
      prompt, maxNewTokens: 24, strategy: 'greedy', settings: DEFAULT_SAMPLING,
      spec: { drafter: 'prompt-lookup', k: 5, seed: 1, reroll: 0 },
    });
    expect(dec.backend.stats().forwardCount - before).toBe(r.targetForwards);
    expect(r.rounds.reduce((a, x) => a + x.accepted, 0)).toBeGreaterThan(0);
    expect(forwardsPerToken(r.rounds)).toBeLessThan(1);
    expect(r.targetForwards / r.tokens.length).toBeLessThan(1);
    console.log(`prompt lookup, greedy, k = 5: ${r.tokens.length} tokens, ${r.targetForwards} target forwards (${(r.targetForwards / r.tokens.length).toFixed(2)} per token), ${r.rounds.length} rounds`);
    expect(r.tokens).toEqual(await plainGreedy(prompt, r.tokens.length));
  });

  it('sampling with prompt lookup is replayable and emits at most maxNewTokens', async () => {
    const prompt = await dec.tokenize(PASSAGE);
    const req = { prompt, maxNewTokens: 16, strategy: 'sample' as const, settings: DEFAULT_SAMPLING, spec: { drafter: 'prompt-lookup' as const, k: 4, seed: 7, reroll: 0 } };
    const a = await speculativeGenerateOn(dec.backend, null, req);
    const b = await speculativeGenerateOn(dec.backend, null, req);
    expect(a.tokens).toEqual(b.tokens);
    expect(a.tokens.length).toBeLessThanOrEqual(16);
    expect(dec.backend.stats().liveTensors).toBeGreaterThanOrEqual(0);
  });

  it('the model as its own draft: every draft accepted (p = q), greedy output = plain greedy', async () => {
    const prompt = await dec.tokenize('Once upon a time');
    const r = await speculativeGenerateOn(dec.backend, draftDec.backend, {
      prompt, maxNewTokens: 12, strategy: 'greedy', settings: DEFAULT_SAMPLING,
      spec: { drafter: 'draft-model', k: 3, seed: 1, reroll: 0 },
    });
    for (const round of r.rounds) if (!round.emitted.includes(dec.info.eosTokenId as number)) expect(round.accepted).toBe(round.proposed);
    expect(r.tokens).toEqual(await plainGreedy(prompt, r.tokens.length));
    const s = await speculativeGenerateOn(dec.backend, draftDec.backend, {
      prompt, maxNewTokens: 12, strategy: 'sample', settings: DEFAULT_SAMPLING,
      spec: { drafter: 'draft-model', k: 3, seed: 2, reroll: 0 },
    });
    // p = q: min(1, p/q) = 1 for every proposed token
    for (const round of s.rounds) for (const t of round.tokens) if (t.acceptProbability !== undefined) expect(t.acceptProbability).toBeGreaterThan(0.999); // float32: one multi-position pass vs one-position passes differ by ~1e-6
  });

  describe('under a constraint (issue #21: the constraint stage applies to speculative runs)', () => {
    /**
     * The language: the first 10 tokens of the model's own greedy continuation of the passage (which
     * prompt lookup drafts well), then " zebra" or " cow" and a full stop. Prompt lookup keeps
     * proposing the passage's continuation, which leaves the language after the 10 tokens.
     */
    async function language(ids: number[]): Promise<{ regex: string; full: RegExp }> {
      const free = await speculativeGenerateOn(dec.backend, null, { prompt: ids, maxNewTokens: 12, strategy: 'greedy', settings: DEFAULT_SAMPLING, spec: { drafter: 'prompt-lookup', k: 5, seed: 1, reroll: 0 } });
      const prefix = await dec.decode(free.tokens.slice(0, 10));
      const regex = `${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}( zebra| cow)\\.`;
      return { regex, full: new RegExp(`^(?:${regex})$`, 'u') };
    }

    it('greedy: drafts outside the language have p = 0 and are rejected; the text equals constrained greedy stepping and is in the language', async () => {
      const ids = await dec.tokenize(PASSAGE);
      const { regex, full } = await language(ids);
      const constraint = { kind: 'regex' as const, text: regex };
      const r = await dec.speculative({ type: 'speculative', id: 1, ids, strategy: 'greedy', settings: DEFAULT_SAMPLING, drafter: 'prompt-lookup', k: 5, seed: 1, maxNewTokens: 40, constraint });
      const steps: number[] = [];
      await dec.run(
        { type: 'run', id: 2, path: [1], ids, strategy: 'greedy', settings: DEFAULT_SAMPLING, topN: 5, extraIds: [], seed: 1, startDepth: 0, firstReroll: 0, nextNodeId: 2, count: 40, constraint },
        (x) => steps.push(x.choice.tokenId),
        () => false,
      );
      expect(r.tokens).toEqual(steps);
      expect(r.tokens[r.tokens.length - 1]).toBe(dec.info.eosTokenId);
      const text = await dec.decode(r.tokens.slice(0, -1));
      expect(full.test(text), text).toBe(true);
      expect(r.rounds.reduce((a, x) => a + x.accepted, 0)).toBeGreaterThan(0);
      // a draft that leaves the language has constrained p exactly 0 and is rejected
      const outside = r.rounds.flatMap((x) => x.tokens).filter((t) => t.state === 'rejected' && t.p === 0);
      expect(outside.length).toBeGreaterThan(0);
      console.log(`constrained prompt lookup, greedy: ${JSON.stringify(text)} + EOS, ${r.tokens.length} tokens, ${r.targetForwards} target forwards, ${outside.length} drafts outside the language rejected`);
    });

    it('sampling at T = 2 over seeds: every kept token has p > 0, every finished text is in the language, drafts outside it are never accepted', async () => {
      const ids = await dec.tokenize(PASSAGE);
      const { regex, full } = await language(ids);
      let outsideSeen = 0;
      for (const seed of [1, 2, 3, 4, 5, 6]) {
        const r = await dec.speculative({ type: 'speculative', id: seed, ids, strategy: 'sample', settings: hot, drafter: 'prompt-lookup', k: 5, seed, maxNewTokens: 60, constraint: { kind: 'regex', text: regex } });
        for (const t of r.rounds.flatMap((x) => x.tokens)) {
          if (t.state === 'accepted' || t.state === 'resampled' || t.state === 'bonus') expect(t.p).toBeGreaterThan(0);
          if (t.state === 'rejected' && t.p === 0) {
            outsideSeen++;
            expect(t.acceptProbability).toBe(0);
          }
        }
        expect(r.tokens[r.tokens.length - 1]).toBe(dec.info.eosTokenId);
        const text = await dec.decode(r.tokens.slice(0, -1));
        expect(full.test(text), text).toBe(true);
      }
      expect(outsideSeen).toBeGreaterThan(0);
    });
  });
});
