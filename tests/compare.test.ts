/**
 * Compare mode on the real embedded model: the Controller (pane A) and the CompareController
 * (pane B) drive one Decoder through the worker protocol; the divergence they report is
 * checked against two independent runs computed here from full forward passes (no KV cache) with
 * this file's own softmax, temperature, argmax and inverse-CDF sampling, and against the torch
 * beam-search reference.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Decoder } from '../src/decoder/decoder.ts';
import { loadDecoder } from './ortDecoder.ts';
import { Controller } from '../src/store/controller.ts';
import { CompareController, compareDivergenceStep, paneATokens, paneBTokens } from '../src/store/compare.ts';
import { createAppStore, type AppStore } from '../src/store/store.ts';
import { drawUniform } from '../src/engine/random.ts';
import type { WorkerClient } from '../src/worker/client.ts';
import type { ChatMessage } from '../src/worker/protocol.ts';
import { clientFor } from './localClient.ts';
import { reference, MODEL_NAME } from './reference.ts';

(globalThis as { __ORT_PATH__?: string }).__ORT_PATH__ ??= 'ort/';

const modelsPath = fileURLToPath(new URL('../public/models/', import.meta.url));
const V = reference.vocab_size;
const EOS = reference.eos_token_id;
let ms: Decoder;

beforeAll(async () => {
  ms = await loadDecoder({ kind: 'embedded', name: MODEL_NAME }, { device: 'wasm', modelsPath });
});
afterAll(async () => ms?.release());

async function setup(prompt: string): Promise<{ store: AppStore; main: Controller; cmp: CompareController }> {
  await ms.forget('all');
  const store = createAppStore();
  const main = new Controller(store, () => clientFor(ms.backend) as unknown as WorkerClient);
  const cmp = new CompareController(store, main);
  await main.loadModel({ kind: 'embedded', name: MODEL_NAME }, 'wasm');
  await main.setPrompt(prompt);
  await cmp.toggle();
  return { store, main, cmp };
}

/** Last-position logits of a fresh full forward over `ids` (no cache). */
async function lastLogits(ids: number[]): Promise<Float32Array> {
  const all = await ms.fullForward(ids);
  return all.subarray((ids.length - 1) * V, ids.length * V);
}

/** Independent decoding rule: T = 0 → argmax (lowest id on ties); else softmax(z / T) and inverse CDF at u (descending p, lower id first). */
function choose(z: Float32Array, T: number, u: number): number {
  if (T === 0) {
    let best = 0;
    for (let i = 1; i < z.length; i++) if (z[i] > z[best]) best = i;
    return best;
  }
  let m = -Infinity;
  for (const v of z) m = Math.max(m, v / T);
  const e = Array.from(z, (v) => Math.exp(v / T - m));
  const total = e.reduce((a, b) => a + b, 0);
  const order = e.map((_, i) => i).sort((a, b) => e[b] - e[a] || a - b);
  let cum = 0;
  for (const i of order) {
    cum += e[i] / total;
    if (cum > u) return i;
  }
  return order[order.length - 1];
}

/** One independent run of `n` steps (stops after EOS). */
async function run(promptIds: number[], T: number, seed: number, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let depth = 0; depth < n; depth++) {
    const tok = choose(await lastLogits([...promptIds, ...out]), T, drawUniform({ seed, depth, reroll: 0, stream: 0 }));
    out.push(tok);
    if (tok === EOS) break;
  }
  return out;
}

function firstDifference(a: number[], b: number[]): number | null {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return i;
  return null;
}

describe('compare mode on the embedded model', () => {
  it.each([
    // seeds where the panes share the first token and part at the second (at T 1.2 this small model
    // is so flat that most seeds part at the first token)
    ['In the beginning God', 12],
    ['白日依山尽，', 38],
  ])('T 0.3 vs T 1.2 on %j, seed %i: both panes equal two independent runs; the divergence is their first difference', async (prompt, seed) => {
    const N = 10;
    const { store, main, cmp } = await setup(prompt);
    await cmp.applyPreset('temperature');
    await main.updateSettings({ seed });
    for (let i = 0; i < N; i++) await cmp.stepBoth();
    const s = store.getState();
    expect(s.compare.error).toBeNull();
    expect(s.error).toBeNull();
    const promptIds = s.tree.promptIds;
    const refA = await run(promptIds, 0.3, seed, N);
    const refB = await run(promptIds, 1.2, seed, N);
    expect(paneATokens(s).tokens).toEqual(refA);
    expect(paneBTokens(s).tokens).toEqual(refB);
    const want = firstDifference(refA, refB);
    expect(want).toBe(1);
    expect(compareDivergenceStep(s)).toBe(want);
    // the distributions at the divergence: the shared prefix's next-token distribution, both tokens in each record
    const d = s.compare.divergence!;
    expect(d.step).toBe(want);
    expect(d.a.tokenId).toBe(refA[want!]);
    expect(d.b.tokenId).toBe(refB[want!]);
    const z = await lastLogits([...promptIds, ...refA.slice(0, want!)]);
    let m = -Infinity;
    for (const v of z) m = Math.max(m, v);
    let total = 0;
    for (const v of z) total += Math.exp(v - m);
    for (const side of [d.a, d.b]) {
      const rec = side.record!;
      for (const tok of [d.a.tokenId, d.b.tokenId]) {
        const j = Array.from(rec.tokenIds).indexOf(tok);
        expect(j).toBeGreaterThanOrEqual(0);
        expect(rec.stageProbs[j]).toBeCloseTo(Math.exp(z[tok] - m) / total, 5); // stage 0 = model probability
      }
    }
    // the draws: the same seed and step give both panes the same u
    expect(d.a.u).toBe(drawUniform({ seed, depth: want!, reroll: 0, stream: 0 }));
    expect(d.b.u).toBe(d.a.u);
  });

  it('greedy vs beam 3 on "And God said,": pane B shows the best hypothesis so far, at the end the torch beam-search result', async () => {
    const b = reference.beam.find((x) => x.num_beams === 3 && x.text === 'And God said,')!;
    const { store, main, cmp } = await setup(b.text);
    await cmp.applyPreset('greedy-beam');
    await main.updateSettings({ maxNewTokens: b.max_new_tokens });
    const shownB: number[][] = [];
    for (let i = 0; i < b.max_new_tokens; i++) {
      await cmp.stepBoth();
      shownB.push(paneBTokens(store.getState()).tokens);
    }
    const s = store.getState();
    expect(s.compare.error).toBeNull();
    // one more token per step; the last is the final best hypothesis, as torch generate(num_beams=3) gives it
    shownB.slice(0, -1).forEach((toks, i) => expect(toks.length).toBe(i + 1));
    expect(paneBTokens(s).final).toBe(true);
    expect(paneBTokens(s).tokens).toEqual(b.hypotheses[0].new_ids);
    const greedy = await run(s.tree.promptIds, 0, 0, b.max_new_tokens);
    expect(paneATokens(s).tokens).toEqual(greedy);
    const want = firstDifference(greedy, b.hypotheses[0].new_ids);
    expect(want).toBe(4);
    expect(compareDivergenceStep(s)).toBe(want);
    expect(s.compare.divergence?.step).toBe(want);
    // on the way, a lower beam took the lead for one step: the shown hypothesis changed its first token
    expect(shownB.some((toks) => toks[0] !== b.hypotheses[0].new_ids[0])).toBe(true);
  });
});

describe('compare mode: back, settings and reset', () => {
  it('Back both cuts pane B to pane A\'s length; a pane B change replays it; a main reset empties it', async () => {
    const { store, main, cmp } = await setup('In the beginning God');
    await cmp.applyPreset('temperature');
    await main.updateSettings({ seed: 12 });
    for (let i = 0; i < 4; i++) await cmp.stepBoth();
    const before = paneBTokens(store.getState()).tokens;
    expect(before).toHaveLength(4);
    await cmp.backBoth();
    let s = store.getState();
    expect(paneATokens(s).tokens).toHaveLength(3);
    expect(paneBTokens(s).tokens).toEqual(before.slice(0, 3));
    expect(compareDivergenceStep(s)).toBe(1);
    // pane B greedy: replayed to pane A's length, equal to an independent greedy run
    await cmp.updateB({ strategy: 'greedy' });
    s = store.getState();
    expect(s.compare.preset).toBe('custom');
    expect(paneBTokens(s).tokens).toEqual(await run(s.tree.promptIds, 0, 0, 3));
    await expect(cmp.updateB({ sampling: { ...s.compare.b.sampling, topP: 1.5 } })).rejects.toThrow(RangeError);
    await main.reset();
    s = store.getState();
    expect(paneBTokens(s).tokens).toEqual([]);
    expect(s.compare.divergence).toBeNull();
    // after the reset pane B starts again from the prompt
    await cmp.stepBoth();
    expect(paneBTokens(store.getState()).tokens).toEqual((await run(s.tree.promptIds, 0, 0, 1)));
  });
});

describe('compare mode with beam search in pane A', () => {
  it('pane A (beam 3) shows the best hypothesis so far and ends on the torch result; pane B greedy', async () => {
    const b = reference.beam.find((x) => x.num_beams === 3 && x.text === 'And God said,')!;
    const { store, main, cmp } = await setup(b.text);
    await main.updateSettings({ strategy: 'beam', beam: { beamWidth: 3, lengthPenalty: 1, earlyStopping: 'false', repetitionPenalty: 1 }, maxNewTokens: b.max_new_tokens });
    await cmp.updateB({ strategy: 'greedy' });
    for (let i = 0; i < b.max_new_tokens; i++) {
      await cmp.stepBoth();
      if (i < b.max_new_tokens - 1) expect(paneATokens(store.getState()).tokens).toHaveLength(i + 1);
    }
    const s = store.getState();
    expect(paneATokens(s).tokens).toEqual(b.hypotheses[0].new_ids);
    expect(paneATokens(s).final).toBe(true);
    const greedy = await run(s.tree.promptIds, 0, 0, b.max_new_tokens);
    expect(paneBTokens(s).tokens).toEqual(greedy);
    expect(compareDivergenceStep(s)).toBe(firstDifference(b.hypotheses[0].new_ids, greedy));
  });
});

describe('compare mode in chat mode (instruct fixture test-fixtures/tiny-chat)', () => {
  interface ChatRef {
    im_end_id: number;
    eos_token_id: number;
    conversations: { name: string; messages: ChatMessage[]; greedy_ids: number[]; stops_at_im_end: boolean }[];
  }
  const chatRef: ChatRef = JSON.parse(readFileSync(new URL('../test-fixtures/tiny-chat/reference.json', import.meta.url), 'utf8'));
  const fixtures = fileURLToPath(new URL('../test-fixtures/', import.meta.url));
  let chat: Decoder;
  beforeAll(async () => {
    chat = await loadDecoder({ kind: 'embedded', name: 'tiny-chat' }, { device: 'wasm', modelsPath: fixtures });
  });
  afterAll(async () => chat?.release());

  it('pane B (greedy) stops at the end-of-turn token <|im_end|>, as torch greedy decoding does, and goes no further', async () => {
    const conv = chatRef.conversations.find((c) => c.name === 'en')!;
    expect(conv.stops_at_im_end).toBe(true);
    expect(conv.greedy_ids[conv.greedy_ids.length - 1]).toBe(chatRef.im_end_id);
    expect(chatRef.im_end_id).not.toBe(chatRef.eos_token_id);
    const store = createAppStore();
    const main = new Controller(store, () => clientFor(chat.backend) as unknown as WorkerClient);
    const cmp = new CompareController(store, main);
    await main.loadModel({ kind: 'embedded', name: 'tiny-chat' }, 'wasm');
    await main.setChat(conv.messages);
    await main.updateSettings({ strategy: 'greedy', maxNewTokens: 40 });
    await cmp.toggle();
    await cmp.updateB({ strategy: 'greedy' });
    for (let i = 0; i < 40 && cmp.canStepB(); i++) await cmp.stepBoth();
    const s = store.getState();
    expect(s.compare.error).toBeNull();
    // torch's greedy ids end with <|im_end|> (test-fixtures/tiny-chat/reference.json); pane B ends there too
    expect(paneBTokens(s).tokens).toEqual(conv.greedy_ids);
    expect(s.compare.stop).toBe('eos');
    expect(cmp.canStepB()).toBe(false);
    await cmp.stepBoth();
    expect(paneBTokens(store.getState()).tokens).toEqual(conv.greedy_ids);
  });
});
