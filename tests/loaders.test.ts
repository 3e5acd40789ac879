/**
 * Model loading from every source, on the Llama-style test fixture (so a test
 * cannot pass by silently loading the embedded GPT-2): a local folder (File
 * objects through a custom fetch) and a hub layout served by a local server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { readFileSync, readdirSync, statSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { env } from '@huggingface/transformers';
import type { Decoder } from '../src/decoder/decoder.ts';
import { loadDecoder } from './ortDecoder.ts';
import { EngineError } from '../src/engine/errors.ts';

const fixtureDir = fileURLToPath(new URL('../test-fixtures/tiny-llama/', import.meta.url));
const ref: { vocab_size: number; forward: { name: string; text: string; ids: number[]; last_logits: number[] }[] } = JSON.parse(
  readFileSync(join(fixtureDir, 'reference.json'), 'utf8'),
);

function folderFiles(dir: string, name: string, skip: string[] = []): File[] {
  const out: File[] = [];
  const walk = (d: string, rel: string) => {
    for (const f of readdirSync(d)) {
      const full = join(d, f);
      const r = rel ? `${rel}/${f}` : f;
      if (statSync(full).isDirectory()) walk(full, r);
      else if (!skip.includes(r)) out.push(new File([readFileSync(full)], `${name}/${r}`));
    }
  };
  walk(dir, '');
  return out;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

async function checkAgainstReference(ms: Decoder) {
  expect(ms.info.modelType).toBe('llama');
  expect(ms.info.vocabSize).toBe(ref.vocab_size);
  expect(ms.info.pieceEncoding).toBe('sentencepiece');
  for (const f of ref.forward) {
    const ids = await ms.tokenize(f.text, true);
    expect(ids).toEqual(f.ids);
    const V = ref.vocab_size;
    const full = await ms.fullForward(ids);
    expect(maxAbsDiff(full.subarray((ids.length - 1) * V), f.last_logits)).toBeLessThan(1e-4);
    // and through the KV-cache path: prefill then one step
    await ms.forget('all');
    await ms.nodeLogits([1], ids.slice(0, -1));
    const stepped = await ms.nodeLogits([1, 2], ids);
    expect(maxAbsDiff(stepped, f.last_logits)).toBeLessThan(1e-4);
    await ms.forget('all');
  }
}

describe('local folder', () => {
  it('loads the Llama fixture from File objects and matches its torch reference', async () => {
    const ms = await loadDecoder({ kind: 'folder', name: 'tiny-llama', files: folderFiles(fixtureDir, 'tiny-llama') }, { device: 'wasm', modelsPath: '' });
    expect(ms.info.id).toBe('tiny-llama');
    await checkAgainstReference(ms);
    await ms.release();
  });

  it.each([['tokenizer.json'], ['config.json'], ['onnx/model.onnx']])('a folder without %s names the missing file', async (missing) => {
    const files = folderFiles(fixtureDir, 'tiny-llama', [missing]);
    const err = await loadDecoder({ kind: 'folder', name: 'tiny-llama', files }, { device: 'wasm', modelsPath: '' }).catch((e) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('model-missing-file');
    expect((err as EngineError).message).toContain(missing.startsWith('onnx') ? 'onnx' : missing);
  });

  it('a folder whose config is not a causal LM says so', async () => {
    const files = folderFiles(fixtureDir, 'tiny-llama', ['config.json']);
    const cfg = JSON.parse(readFileSync(join(fixtureDir, 'config.json'), 'utf8'));
    files.push(new File([JSON.stringify({ ...cfg, model_type: 'bert', architectures: ['BertModel'] })], 'tiny-llama/config.json'));
    const err = await loadDecoder({ kind: 'folder', name: 'tiny-llama', files }, { device: 'wasm', modelsPath: '' }).catch((e) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect(['model-not-causal-lm', 'model-load']).toContain((err as EngineError).code);
    expect(String((err as EngineError).message)).toMatch(/bert|causal/i);
  });
});

describe('hub layout on a local server', () => {
  let server: Server;
  let host = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      const m = /^\/fixtures\/tiny-llama\/resolve\/main\/(.+)$/.exec((req.url ?? '').split('?')[0]);
      const file = m ? join(fixtureDir, decodeURIComponent(m[1])) : '';
      if (!m || !file.startsWith(fixtureDir) || !existsSync(file)) {
        res.writeHead(404).end('not found');
        return;
      }
      const body = readFileSync(file);
      res.writeHead(200, { 'content-length': body.length, 'content-type': 'application/octet-stream' }).end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const addr = server.address();
    host = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/`;
    // under Node, transformers.js reads hub files through its filesystem cache: use a fresh one
    env.cacheDir = mkdtempSync(join(tmpdir(), 'tbt-hub-cache-'));
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('loads a model id from a configurable hub host and matches the reference', async () => {
    const ms = await loadDecoder({ kind: 'hub', modelId: 'fixtures/tiny-llama', host }, { device: 'wasm', modelsPath: '' });
    await checkAgainstReference(ms);
    await ms.release();
  });

  it('an id that cannot be fetched gives a clear message', async () => {
    const err = await loadDecoder({ kind: 'hub', modelId: 'fixtures/no-such-model', host }, { device: 'wasm', modelsPath: '' }).catch((e) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect(['model-missing-file', 'model-fetch']).toContain((err as EngineError).code);
    expect((err as EngineError).message).toContain('fixtures/no-such-model');
  });
});
