/**
 * Monte-Carlo sampling in Decoder on the embedded model (onnxruntime-node): the histogram
 * and the continuation tree checked against full forward passes without any cache.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import type { Decoder } from '../src/decoder/decoder.ts';
import { loadDecoder } from './ortDecoder.ts';
import { softmax } from '../src/engine/softmax.ts';
import { countSamples, drawSamples } from '../src/engine/monteCarlo.ts';
import { DEFAULT_SAMPLING } from '../src/engine/settings.ts';
import { MODEL_NAME, reference } from './reference.ts';

const modelsPath = fileURLToPath(new URL('../public/models/', import.meta.url));
let ms: Decoder;
const V = reference.vocab_size;

beforeAll(async () => {
  ms = await loadDecoder({ kind: 'embedded', name: MODEL_NAME }, { device: 'wasm', modelsPath });
});
afterAll(async () => ms?.release());

/** Model probabilities after `ids`, from a full forward pass with no cache. */
async function probsAfter(ids: number[]): Promise<Float64Array> {
  const all = await ms.fullForward(ids);
  return softmax(all.subarray((ids.length - 1) * V, ids.length * V));
}

describe('ModelSession.mcSample', () => {
  it('10,000 samples: the counts of drawing from the full-forward distribution, and a passing chi-squared test', async () => {
    const ids = await ms.tokenize('In the beginning God creat');
    const h = await ms.mcSample({ type: 'mc-sample', id: 1, nodeId: 1, path: [1], ids, settings: DEFAULT_SAMPLING, n: 10000, seed: 42, depth: 0, topM: 50 });
    const p = await probsAfter(ids);
    const counts = countSamples(drawSamples(p, 10000, 42, 0));
    h.tokenIds.forEach((id, j) => {
      expect(h.counts[j]).toBe(counts.get(id) ?? 0);
      expect(h.probs[j]).toBeCloseTo(p[id], 5);
    });
    expect(h.chiSquared.pValue).toBeGreaterThan(0.001);
    expect(h.tvd).toBeLessThan(0.03);
  });
});

describe('ModelSession.mcTree', () => {
  it('every edge probability equals a full forward of its prefix (batched KV-cache rows are right)', async () => {
    const ids = await ms.tokenize('And the LORD spake');
    const nodes = await ms.mcTree({ type: 'mc-tree', id: 2, nodeId: 2, path: [2], ids, settings: DEFAULT_SAMPLING, n: 40, length: 3, seed: 7, depth: 0 });
    expect(nodes[0].children.reduce((a, c) => a + nodes[c].visits, 0)).toBe(40);
    const prefix = (id: number): number[] => (id === 0 ? [] : [...prefix(nodes[id].parent), nodes[id].tokenId]);
    let checked = 0;
    for (const n of nodes.slice(1)) {
      const p = await probsAfter([...ids, ...prefix(n.parent)]);
      expect(n.prob).toBeCloseTo(p[n.tokenId], 5);
      expect(n.depth).toBeLessThanOrEqual(3);
      if (!n.eos && n.depth < 3) expect(n.children.reduce((a, c) => a + nodes[c].visits, 0)).toBe(n.visits);
      checked++;
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('stops when cancelled; a full run frees every tensor it made (only the start node keeps its snapshot)', async () => {
    const ids = await ms.tokenize('And the LORD spake');
    const run = ms.mcTree({ type: 'mc-tree', id: 3, nodeId: 3, path: [3], ids, settings: DEFAULT_SAMPLING, n: 50, length: 8, seed: 1, depth: 0 });
    ms.cancelMcTree(3);
    await expect(run).rejects.toMatchObject({ code: 'cancelled' });
    // what stays is the start node's own KV snapshot, as after a step
    const before = ms.stats().liveTensors;
    const again = await ms.mcTree({ type: 'mc-tree', id: 3, nodeId: 3, path: [3], ids, settings: DEFAULT_SAMPLING, n: 50, length: 8, seed: 1, depth: 0 });
    expect(again[0].visits).toBe(50);
    expect(ms.stats().liveTensors).toBe(before);
    expect(ms.stats().disposedTwice).toBe(0);
  });
});
