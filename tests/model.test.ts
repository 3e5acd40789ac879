/**
 * The committed embedded model through transformers.js (onnxruntime-node),
 * checked against the committed torch reference outputs.
 */
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { AutoModelForCausalLM, AutoTokenizer, env } from '@huggingface/transformers';
import { fileURLToPath } from 'node:url';
import type { Decoder } from '../src/decoder/decoder.ts';
import { loadDecoder } from './ortDecoder.ts';
import { reference, MODEL_NAME } from './reference.ts';

const modelsPath = fileURLToPath(new URL('../public/models/', import.meta.url));
let ms: Decoder;

beforeAll(async () => {
  ms = await loadDecoder({ kind: 'embedded', name: MODEL_NAME }, { device: 'wasm', modelsPath });
});
afterAll(async () => ms?.release());

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('tokenizer', () => {
  it.each(reference.forward.map((f) => [f.name, f]))('%s: ids equal the reference and decode round-trips', async (_, f) => {
    expect(await ms.tokenize(f.text)).toEqual(f.ids);
    expect(await ms.decode(f.ids)).toBe(f.text);
  });
  it.each([['I ❤️ 🦀 and 🤖!'], ['𠀀𪚥龘齉'], ['  two  spaces\n\ttab'], ['子曰：學而時習之，不亦說乎？']])('round-trips %j', async (text) => {
    expect(await ms.decode(await ms.tokenize(text))).toBe(text);
  });
});

describe('forward passes', () => {
  it.each(reference.forward.map((f) => [f.name, f]))('%s: full-sequence last logits within 1e-4 of torch', async (_, f) => {
    const V = reference.vocab_size;
    const all = await ms.fullForward(f.ids);
    expect(maxAbsDiff(all.subarray((f.ids.length - 1) * V), f.last_logits)).toBeLessThan(1e-4);
  });

  it.each(reference.forward.filter((f) => f.name !== 'long').map((f) => [f.name, f]))(
    '%s: prefill then one-token steps with the KV cache within 1e-4 of torch',
    async (_, f) => {
      await ms.forget('all');
      const prefill = Math.max(1, f.ids.length - 4);
      const path = [1000];
      await ms.nodeLogits(path, f.ids.slice(0, prefill));
      let logits: Float32Array = new Float32Array(0);
      for (let t = prefill; t < f.ids.length; t++) {
        path.push(1000 + path.length);
        logits = await ms.nodeLogits(path, f.ids.slice(0, t + 1));
      }
      expect(maxAbsDiff(logits, f.last_logits)).toBeLessThan(1e-4);
      await ms.forget('all');
    },
  );

  it('a batch of 4 rows on one cached prefix equals 4 separate batch-1 runs', async () => {
    const ids = reference.forward[0].ids.slice(0, 6);
    const next = [5, 17, 259, 3999];
    const rows = await ms.branchLogits([2000], ids, next);
    for (let j = 0; j < next.length; j++) {
      const V = reference.vocab_size;
      const solo = await ms.fullForward([...ids, next[j]]);
      expect(maxAbsDiff(rows[j], solo.subarray(ids.length * V))).toBeLessThan(1e-4);
    }
    await ms.forget('all');
  });
});

describe('greedy generation', () => {
  it.each(reference.greedy.map((g) => [g.text, g]))('%j: 32 steps equal torch ids and top-5 probs (1e-4)', async (_, g) => {
    await ms.forget('all');
    const path = [0];
    const ids = [...g.ids];
    const settings = { temperature: 1, topK: 0, topP: 1, minP: 0, repetitionPenalty: 1, order: ['temperature', 'topK', 'topP', 'minP'] as const };
    for (let s = 0; s < g.new_ids.length; s++) {
      const r = await ms.step({
        type: 'step', id: 0, nodeId: path.at(-1)!, path: [...path], ids: [...ids], strategy: 'greedy',
        settings: { ...settings, order: [...settings.order] }, topN: 5, extraIds: [], drawKey: null, choose: null,
      });
      expect(r.choice!.tokenId).toBe(g.new_ids[s]);
      const ref = g.steps[s];
      expect(Array.from(r.record.tokenIds.slice(0, 5))).toEqual(ref.top5_ids);
      for (let j = 0; j < 5; j++) expect(Math.abs(r.record.stageProbs[j] - ref.top5_probs[j])).toBeLessThan(1e-4);
      ids.push(r.choice!.tokenId);
      path.push(path.length);
    }
    await ms.forget('all');
  });

  it('transformers.js generate({do_sample:false}) gives the same ids', async () => {
    env.localModelPath = modelsPath;
    env.allowLocalModels = true;
    env.allowRemoteModels = false;
    const tok = await AutoTokenizer.from_pretrained(MODEL_NAME);
    const model = await AutoModelForCausalLM.from_pretrained(MODEL_NAME, { dtype: 'fp32' });
    for (const g of reference.greedy) {
      const inputs = tok(g.text);
      const out = (await model.generate({ ...inputs, max_new_tokens: 32, min_new_tokens: 32, do_sample: false })) as unknown as {
        tolist(): bigint[][];
      };
      const newIds = out.tolist()[0].slice(g.ids.length).map(Number);
      expect(newIds).toEqual(g.new_ids.slice(0, newIds.length));
    }
    await model.dispose();
  });
});
