/**
 * The attention view's and the logit lens's numbers (issue #20) from the committed embedded model
 * through the ONNX backend (onnxruntime-node), against the committed torch references
 * (tools/model/attn_reference.py -> tools/model/reference/attention.json).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Decoder } from '../src/decoder/decoder.ts';
import { attentionRow, meanRow, type Readout } from '../src/decoder/readout.ts';
import { loadDecoder } from './ortDecoder.ts';
import { MODEL_NAME } from './reference.ts';

interface AttnCase {
  name: string;
  ids: number[];
  prompt_length: number;
  attention: number[][][];
  mean: number[][];
  lens: { layer: number; ids: number[]; probs: number[] }[];
  top_id: number;
  top_prob: number;
}
const ref = JSON.parse(readFileSync(new URL('../tools/model/reference/attention.json', import.meta.url), 'utf8')) as { cases: AttnCase[] };
const modelsPath = fileURLToPath(new URL('../public/models/', import.meta.url));
let d: Decoder;

beforeAll(async () => {
  d = await loadDecoder({ kind: 'embedded', name: MODEL_NAME }, { device: 'wasm', modelsPath });
});
afterAll(async () => d?.release());

/** Node ids along a case's generated tokens (the prompt node is 1). */
function pathOf(c: AttnCase, salt: number): number[] {
  return Array.from({ length: c.ids.length - c.prompt_length + 1 }, (_, i) => (i === 0 ? 1 : salt * 100 + i));
}

function expectMatches(r: Readout, c: AttnCase): void {
  expect(r.query).toBe(c.ids.length - 1);
  expect(r.layers).toBe(c.attention.length);
  let err = 0;
  for (let l = 0; l < r.layers; l++) {
    for (let h = 0; h < r.heads; h++) {
      const row = attentionRow(r, l, h);
      expect(row.length).toBe(c.ids.length);
      expect(Math.abs(row.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-5);
      for (let s = 0; s < row.length; s++) err = Math.max(err, Math.abs(row[s] - c.attention[l][h][s]));
    }
    const m = meanRow(r, l);
    for (let s = 0; s < m.length; s++) err = Math.max(err, Math.abs(m[s] - c.mean[l][s]));
  }
  expect(err).toBeLessThan(1e-4);
  expect(r.lens).not.toBeNull();
  for (const row of c.lens) {
    const got = r.lens![row.layer];
    expect(got.tokenIds[0]).toBe(row.ids[0]);
    expect(Math.abs(got.probs[0] - row.probs[0])).toBeLessThan(1e-4);
  }
  const last = r.lens![r.lens!.length - 1];
  expect(last.tokenIds[0]).toBe(c.top_id);
  expect(Math.abs(last.probs[0] - c.top_prob)).toBeLessThan(1e-4);
}

describe('attention and logit lens readouts', () => {
  it('the backend says it gives attention and the lens', () => {
    expect(d.backend.capabilities.attention).toBe(true);
    expect(d.backend.capabilities.lens).toBe(true);
  });

  it.each(ref.cases.map((c) => [c.name, c]))('%s: recomputed on demand from the parent snapshot equals torch within 1e-4', async (_, c) => {
    await d.forget('all');
    d.setReadouts(false);
    const path = pathOf(c, 7);
    // the node's logits along the path without readouts (snapshots kept), then the readout on demand
    for (let i = 1; i <= path.length; i++) await d.nodeLogits(path.slice(0, i), c.ids.slice(0, c.prompt_length + i - 1));
    const before = d.forwardCount;
    expectMatches(await d.readout(path, c.ids), c);
    expect(d.forwardCount).toBe(before + 1);
    // asked again: kept, no forward
    expectMatches(await d.readout(path, c.ids), c);
    expect(d.forwardCount).toBe(before + 1);
  });

  it.each(ref.cases.map((c) => [c.name, c]))('%s: kept from the step forward while the view is open, equal to torch', async (_, c) => {
    await d.forget('all');
    d.setReadouts(true);
    try {
      const path = pathOf(c, 9);
      for (let i = 1; i <= path.length; i++) await d.nodeLogits(path.slice(0, i), c.ids.slice(0, c.prompt_length + i - 1));
      const before = d.forwardCount;
      expectMatches(await d.readout(path, c.ids), c);
      expect(d.forwardCount).toBe(before); // no forward of its own
    } finally {
      d.setReadouts(false);
    }
  });

  it('a prefill gives each query a row summing to 1 that is 0 after its position; with the view closed nothing extra is fetched', async () => {
    const c = ref.cases[0];
    const out = await d.backend.forward([{ prefix: null, tokens: c.ids }], { keepCache: false, attention: true, lens: true });
    const T = c.ids.length;
    for (const a of out.attention!) {
      const [B, H, Tq, S] = a.dims;
      expect([B, Tq, S]).toEqual([1, T, T]);
      for (let h = 0; h < H; h++)
        for (let t = 0; t < T; t++) {
          const row = a.values.subarray((h * T + t) * S, (h * T + t + 1) * S);
          expect(Math.abs(row.reduce((x, y) => x + y, 0) - 1)).toBeLessThan(1e-5);
          for (let s = t + 1; s < S; s++) expect(row[s]).toBe(0);
        }
    }
    expect(out.lens!.dims).toEqual([5, 4000]);
    const plain = await d.backend.forward([{ prefix: null, tokens: c.ids }], { keepCache: false });
    expect(plain.attention).toBeUndefined();
    expect(plain.lens).toBeUndefined();
    // the gate does not change the logits
    expect(Array.from(plain.rows[0].coverage === 'full' ? plain.rows[0].values : [])).toEqual(Array.from(out.rows[0].coverage === 'full' ? out.rows[0].values : []));
  });
});
