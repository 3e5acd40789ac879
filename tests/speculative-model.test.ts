/**
 * Speculative decoding on the embedded model (onnxruntime-node): (b) on a repeated passage prompt
 * lookup gets drafts accepted and needs fewer than one target forward per token; greedy speculation
 * gives exactly plain greedy decoding; the model as its own draft has every draft accepted.
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
});
