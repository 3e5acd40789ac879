/**
 * Engine + worker session on the real embedded model: processor chain and beam
 * search against the torch reference, KV-cache branching consistency, and a
 * randomized tensor-lifetime check.
 */
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import type { Decoder } from '../src/decoder/decoder.ts';
import { loadDecoder } from './ortDecoder.ts';
import { finalProbs, runProcessors } from './oracle/distribution.ts';
import { stageDistributions } from '../src/engine/fastStep.ts';
import { HF_ORDER, type SamplingSettings } from '../src/engine/settings.ts';
import { softmax } from '../src/engine/softmax.ts';
import { reference, MODEL_NAME } from './reference.ts';

const modelsPath = fileURLToPath(new URL('../public/models/', import.meta.url));
let ms: Decoder;
const V = reference.vocab_size;
const plain: SamplingSettings = { temperature: 1, topK: 0, topP: 1, minP: 0, repetitionPenalty: 1, order: [...HF_ORDER] };

beforeAll(async () => {
  ms = await loadDecoder({ kind: 'embedded', name: MODEL_NAME }, { device: 'wasm', modelsPath });
});
afterAll(async () => ms?.release());

describe('processor chain', () => {
  it('repetition penalty 1.3 → T 0.7 → top-k 20 → top-p 0.9 → min-p 0.05 matches torch at 1e-6', () => {
    const p = reference.processors;
    const probs = finalProbs(
      runProcessors(p.raw_logits, p.ids, {
        temperature: p.temperature, topK: p.top_k, topP: p.top_p, minP: p.min_p, repetitionPenalty: p.repetition_penalty, order: [...HF_ORDER],
      }),
    );
    let max = 0;
    for (let i = 0; i < V; i++) max = Math.max(max, Math.abs(probs[i] - p.probs[i]));
    expect(max).toBeLessThan(1e-6);
    // the production path (the one sampling implementation) gives the same final distribution
    const fast = stageDistributions(p.raw_logits, p.ids, {
      temperature: p.temperature, topK: p.top_k, topP: p.top_p, minP: p.min_p, repetitionPenalty: p.repetition_penalty, order: [...HF_ORDER],
    }).finalProbs;
    let maxFast = 0;
    for (let i = 0; i < V; i++) maxFast = Math.max(maxFast, Math.abs(fast[i] - p.probs[i]));
    expect(maxFast).toBeLessThan(1e-6);
  });

  it('the reference raw logits are what the model gives for that prompt', async () => {
    const p = reference.processors;
    const all = await ms.fullForward(p.ids);
    const last = all.subarray((p.ids.length - 1) * V);
    let max = 0;
    for (let i = 0; i < V; i++) max = Math.max(max, Math.abs(last[i] - p.raw_logits[i]));
    expect(max).toBeLessThan(1e-4);
  });
});

describe('beam search', () => {
  it.each(reference.beam.map((b) => [b.text, b]))('%j: hypotheses and scores equal the torch reference', async (_, b) => {
    await ms.forget('all');
    const steps: number[] = [];
    const hyps = await ms.beam(
      {
        type: 'beam', id: 0, nodeId: 0, path: [0], ids: b.ids,
        settings: { beamWidth: b.num_beams, lengthPenalty: b.length_penalty, earlyStopping: b.early_stopping ? 'true' : 'false', repetitionPenalty: 1 },
        maxNewTokens: b.max_new_tokens,
      },
      (r) => steps.push(r.candidates.filter((c) => c.state === 'kept').length),
    );
    expect(hyps.map((h) => h.tokens)).toEqual(b.hypotheses.map((h) => h.new_ids));
    hyps.forEach((h, i) => {
      expect(h.beamScore).toBeCloseTo(b.hypotheses[i].score, 4);
      expect(h.sumLogprobs).toBeCloseTo(b.hypotheses[i].sum_logprobs, 4);
    });
    // every step but the last keeps exactly k live beams
    expect(steps.slice(0, -1).every((n) => n === b.num_beams)).toBe(true);
    expect(ms.stats().liveTensors).toBe(8); // only the root snapshot (4 layers × key/value) stays
    await ms.forget('all');
  });

  it('beam width 1 equals greedy', async () => {
    await ms.forget('all');
    const g = reference.greedy[0];
    const hyps = await ms.beam(
      { type: 'beam', id: 0, nodeId: 0, path: [0], ids: g.ids, settings: { beamWidth: 1, lengthPenalty: 1, earlyStopping: 'false', repetitionPenalty: 1 }, maxNewTokens: 10 },
      () => {},
    );
    expect(hyps[0].tokens.slice(0, 10)).toEqual(g.new_ids.slice(0, hyps[0].tokens.length));
    await ms.forget('all');
  });
});

describe('KV-cache branching', () => {
  it('prompt 5, generate 3, back 2, choose another: equals a fresh forward; the old branch is unchanged', async () => {
    await ms.forget('all');
    const prompt = reference.forward[0].ids.slice(0, 5);
    // nodes: 0 root, 1..3 generated (greedy), then 4 = sibling of node 2 under node 1
    const ids = [...prompt];
    const path = [0];
    const recorded: Float32Array[] = [];
    for (let s = 0; s < 3; s++) {
      const r = await ms.step({ type: 'step', id: 0, nodeId: path.at(-1)!, path: [...path], ids: [...ids], strategy: 'greedy', settings: plain, topN: 5, extraIds: [], drawKey: null, choose: null });
      recorded.push(await ms.nodeLogits([...path], [...ids]));
      ids.push(r.choice!.tokenId);
      path.push(s + 1);
    }
    // back 2 → node 1; choose another token than the one that led to node 2
    const branchIds = [...prompt, ids[5]];
    const other = ids[6] === 7 ? 8 : 7;
    const newPath = [0, 1, 4];
    const newIds = [...branchIds, other];
    const viaCache = await ms.nodeLogits(newPath, newIds);
    const fresh = (await ms.fullForward(newIds)).subarray((newIds.length - 1) * V);
    let max = 0;
    for (let i = 0; i < V; i++) max = Math.max(max, Math.abs(viaCache[i] - fresh[i]));
    expect(max).toBeLessThan(1e-4);
    expect(newIds.length).toBe(7);
    // the old branch's distributions are unchanged
    for (let s = 0; s < 3; s++) {
      const again = await ms.nodeLogits(path.slice(0, s + 1), ids.slice(0, 5 + s));
      expect(Array.from(again)).toEqual(Array.from(recorded[s]));
    }
    await ms.forget('all');
  });

  it('each step distribution equals softmax of a fresh full forward (1e-4)', async () => {
    await ms.forget('all');
    const ids = [...reference.forward[1].ids];
    const path = [0];
    for (let s = 0; s < 6; s++) {
      const r = await ms.step({ type: 'step', id: 0, nodeId: path.at(-1)!, path: [...path], ids: [...ids], strategy: 'sample', settings: plain, topN: 10, extraIds: [], drawKey: { seed: 9, depth: s, reroll: 0, stream: 0 }, choose: null });
      const fresh = softmax((await ms.fullForward(ids)).subarray((ids.length - 1) * V));
      for (let j = 0; j < r.record.tokenIds.length; j++) {
        expect(Math.abs(r.record.stageProbs[j] - fresh[r.record.tokenIds[j]])).toBeLessThan(1e-4);
      }
      ids.push(r.choice!.tokenId);
      path.push(s + 1);
    }
    await ms.forget('all');
  });
});

describe('tensor lifetimes', () => {
  it('300 random operations: live tensors equal 8 per kept snapshot, none disposed twice', async () => {
    await ms.forget('all');
    // a tiny LCG so the operation mix is reproducible
    let state = 12345;
    const rand = (n: number) => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      return state % n;
    };
    const prompt = reference.forward[0].ids.slice(0, 4);
    const nodes: { id: number; path: number[]; ids: number[] }[] = [{ id: 0, path: [0], ids: prompt }];
    let cursor = nodes[0];
    for (let op = 0; op < 300; op++) {
      const kind = rand(5);
      if (kind <= 1 && cursor.ids.length < 40) {
        // step forward (greedy or a branch to a random token)
        const choose = kind === 0 ? null : rand(V);
        const r = await ms.step({ type: 'step', id: 0, nodeId: cursor.id, path: cursor.path, ids: cursor.ids, strategy: 'greedy', settings: plain, topN: 5, extraIds: [], drawKey: null, choose });
        const id = nodes.length;
        const child = { id, path: [...cursor.path, id], ids: [...cursor.ids, r.choice!.tokenId] };
        nodes.push(child);
        cursor = child;
      } else if (kind === 2 && cursor.path.length > 1) {
        const parentId = cursor.path.at(-2)!;
        cursor = nodes[parentId];
      } else if (kind === 3) {
        cursor = nodes[rand(nodes.length)];
        await ms.nodeLogits(cursor.path, cursor.ids);
      } else {
        await ms.beam(
          { type: 'beam', id: 0, nodeId: cursor.id, path: cursor.path, ids: cursor.ids, settings: { beamWidth: 1 + rand(4), lengthPenalty: 1, earlyStopping: 'false', repetitionPenalty: 1 }, maxNewTokens: 3 },
          () => {},
        );
      }
    }
    const st = ms.stats();
    expect(st.disposedTwice).toBe(0);
    expect(st.liveTensors).toBe(st.snapshots * 8);
    await ms.forget('all');
    expect(ms.stats().liveTensors).toBe(0);
  });
});
