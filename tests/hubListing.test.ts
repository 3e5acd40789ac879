/**
 * Repository listings read from a real HTTP server in the Hub's layout (e2e/support/localHub.ts): through the
 * model API (`/api/models/{id}?blobs=true`) and, on a host without the API, by one-byte range probes — both
 * must give the files on disk with their sizes, and the layout the loader will use.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { startLocalHub, type LocalHub } from '../e2e/support/localHub.ts';
import { fetchHubListing, parseApiSiblings } from '../src/models/hubListing.ts';
import { analyzeLayout } from '../src/models/layout.ts';
import { ensureRealsize } from './support/realsizeFixture.ts';

const built = ensureRealsize('gpt2-tiny');
if (built.skip) console.warn(`hubListing: skipped — ${built.skip}`);

describe.skipIf(!!built.skip)('fetchHubListing on a local hub', () => {
  const dir = built.dir!;
  let api: LocalHub;
  let bare: LocalHub;
  beforeAll(async () => {
    const models = { 'test/fp16': join(dir, 'fp16'), 'test/merged': join(dir, 'merged') };
    api = await startLocalHub(models);
    bare = await startLocalHub(models, { api: false });
  });
  afterAll(async () => {
    await api.close();
    await bare.close();
  });

  it.each([['api'], ['probe']] as const)('lists the fp16 + external data repository (%s)', async (via) => {
    const hub = via === 'api' ? api : bare;
    const l = await fetchHubListing(hub.url, 'test/fp16');
    expect(l.via).toBe(via);
    const layout = analyzeLayout(l.files);
    expect(layout.kind).toBe('model');
    expect(layout.dtypes.map((d) => d.dtype)).toEqual(['fp16']);
    const onnx = statSync(join(dir, 'fp16/onnx/model_fp16.onnx')).size;
    const data = statSync(join(dir, 'fp16/onnx/model_fp16.onnx_data')).size;
    expect(layout.dtypes[0].externalData).toEqual(['onnx/model_fp16.onnx_data']);
    expect(layout.dtypes[0].bytes).toBe(onnx + data);
    if (via === 'probe') expect(hub.requests.every((r) => r.method === 'GET' && [206, 404].includes(r.status))).toBe(true);
  });

  it('lists the merged decoder by probing when the API is missing', async () => {
    const layout = analyzeLayout((await fetchHubListing(bare.url, 'test/merged')).files);
    expect(layout.kind).toBe('merged');
    expect(layout.dtypes.map((d) => [d.dtype, d.onnx])).toEqual([['fp32', 'onnx/decoder_model_merged.onnx']]);
  });

  it('an unreachable host rejects (the caller names the host)', async () => {
    await expect(fetchHubListing('http://127.0.0.1:9/', 'test/fp16')).rejects.toThrow();
  });
});

describe('parseApiSiblings', () => {
  it('keeps well-formed entries only (the answer is untrusted)', () => {
    expect(parseApiSiblings({ siblings: [{ rfilename: 'onnx/model.onnx', size: 12 }, { rfilename: 'a.bin', lfs: { size: 7 } }, { rfilename: '../x', size: 1 }, { rfilename: 5 }, null, { rfilename: 'b', size: -1 }] })).toEqual([
      { path: 'onnx/model.onnx', size: 12 },
      { path: 'a.bin', size: 7 },
      { path: 'b', size: undefined },
    ]);
    expect(parseApiSiblings({ error: 'Repository not found' })).toBeNull();
    expect(parseApiSiblings('x')).toBeNull();
  });
});
