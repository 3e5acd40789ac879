/**
 * Models: the catalog's hub URL mapping, a free-text hub id with a real progress bar, cancel, the
 * cached-models panel (list, load with the hub stopped, delete), and local folders (the
 * `webkitdirectory` input and the directory picker) — all on the Llama-style test fixture
 * `test-fixtures/tiny-llama`, checked against its torch reference, so a test would fail if the
 * embedded GPT-2 were loaded instead. The hub is `e2e/support/localHub.ts` on 127.0.0.1.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect, shot, type AppPage } from './fixtures.ts';
import { startLocalHub, type LocalHub } from './support/localHub.ts';
import { CATALOG, onnxFileName } from '../src/models/catalog.ts';

const FIXTURE = 'test-fixtures/tiny-llama';
const ref: {
  vocab_size: number;
  forward: { name: string; text: string; ids: number[]; last_logits: number[] }[];
  greedy: { text: string; ids: number[]; new_ids: number[] }[];
} = JSON.parse(readFileSync(join(FIXTURE, 'reference.json'), 'utf8'));

/** Every file of the fixture folder, relative path → bytes on disk. */
function fixtureFiles(): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (dir: string, rel: string) => {
    for (const f of readdirSync(dir)) {
      const full = join(dir, f);
      const r = rel ? `${rel}/${f}` : f;
      if (statSync(full).isDirectory()) walk(full, r);
      else out.set(r, statSync(full).size);
    }
  };
  walk(FIXTURE, '');
  return out;
}

/** Hub files served with 200 for a model id (paths inside the repository). */
function served(hub: LocalHub, modelId: string): string[] {
  const prefix = `/${modelId}/resolve/main/`;
  return [...new Set(hub.requests.filter((r) => r.method === 'GET' && r.status === 200 && r.path.startsWith(prefix)).map((r) => r.path.slice(prefix.length)))].sort();
}

type StoreState = { loadBytes: number; loadTotalBytes: number; loadFiles: number; loadFilesDone: number; status: string; progress: number };
const state = (page: Page) => page.evaluate(() => (window as unknown as { __app: { store: { getState(): StoreState } } }).__app.store.getState());

/**
 * The loaded model is the Llama fixture: prompt ids, every shown bar's logprob (log-softmax of the
 * torch logits, |Δ| < 1e-4 as in tests/loaders.test.ts) and 10 greedy ids equal its reference.
 */
async function expectTinyLlama(app: AppPage, modelId: string): Promise<void> {
  await expect(app.status).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  await expect(app.status).toHaveAttribute('data-model', modelId);
  const f = ref.forward.find((x) => x.name === 'en')!;
  await app.selectStrategy('greedy'); // the reference is greedy (sampling is the app's default)
  await app.setPrompt(f.text, f.ids);
  const max = Math.max(...f.last_logits);
  const logZ = max + Math.log(f.last_logits.reduce((s, x) => s + Math.exp(x - max), 0));
  const bars = await app.bars.evaluateAll((els) => els.map((e) => [Number(e.getAttribute('data-token-id')), Number(e.getAttribute('data-logprob'))] as const));
  expect(bars.length).toBeGreaterThanOrEqual(10);
  for (const [id, logprob] of bars) expect(Math.abs(logprob - (f.last_logits[id] - logZ)), `token ${id}`).toBeLessThan(1e-4);
  const topRef = f.last_logits.map((x, i) => [x, i] as const).sort((a, b) => b[0] - a[0]).slice(0, 5).map(([, i]) => i);
  expect(bars.slice(0, 5).map(([id]) => id)).toEqual(topRef);
  const g = ref.greedy.find((x) => x.text === f.text)!;
  for (let s = 0; s < 10; s++) await app.step();
  expect(await app.tokenIds(app.generated)).toEqual(g.new_ids.slice(0, 10));
}

test('catalog entries map to {hub}/{id}/resolve/main/…: the dtype select offers what the repository holds, not the catalog default; a missing repository is named', async ({ app, page }, info) => {
  // the catalog id is served with the fixture's files: config, tokenizer and only onnx/model.onnx (no q4, q4f16)
  const hub = await startLocalHub({ 'HuggingFaceTB/SmolLM2-135M-Instruct': FIXTURE });
  try {
    await page.goto(`/?hubHost=${hub.url}`);
    await expect(app.status).toHaveAttribute('data-state', 'ready', { timeout: 90_000 });
    const select = page.getByTestId('model-select');
    await select.selectOption('catalog:HuggingFaceTB/SmolLM2-135M-Instruct');
    await expect(page.getByTestId('model-listing')).toHaveAttribute('data-state', 'ok', { timeout: 30_000 });
    const options = await page.getByTestId('model-dtype').locator('option').evaluateAll((els) => els.map((e) => (e as HTMLOptionElement).value));
    expect(options).toEqual(['fp32']);
    await expect(page.getByTestId('model-dtype')).toHaveValue('fp32');
    await expect(page.getByTestId('model-hint')).toContainText('from the repository’s file list');
    await shot(page, info, 'catalog-choice');
    await page.getByRole('button', { name: 'Load', exact: true }).click();
    await expectTinyLlama(app, 'HuggingFaceTB/SmolLM2-135M-Instruct');
    expect(served(hub, 'HuggingFaceTB/SmolLM2-135M-Instruct')).toContain('onnx/model.onnx');
    // the catalog's q4 / q4f16 files, which the repository does not hold, were never asked for
    expect(hub.requests.some((r) => /model_q4/.test(r.path))).toBe(false);
    expect(hub.requests.map((r) => r.path)).toContain('/api/models/HuggingFaceTB/SmolLM2-135M-Instruct');

    // an entry the hub does not have at all: the listing says what is missing, the load's error names the id
    await select.selectOption('catalog:Xenova/distilgpt2');
    await expect(page.getByTestId('model-listing')).toContainText('config.json', { timeout: 30_000 });
    await page.getByRole('button', { name: 'Load', exact: true }).click();
    await expect(page.getByTestId('error-message').filter({ hasText: 'Xenova/distilgpt2' })).toBeVisible({ timeout: 30_000 });
    await expect(app.status).toHaveAttribute('data-model', 'HuggingFaceTB/SmolLM2-135M-Instruct');
    await app.step();
  } finally {
    await hub.close();
  }
});

test('every catalog entry asks the download host for its own id and offers only the served format', async ({ app, page }) => {
  // each catalog id is served with the fixture's config and tokenizer (and only its fp32 weights)
  const entries = CATALOG.filter((e) => e.source === 'hub');
  const hub = await startLocalHub(Object.fromEntries(entries.map((e) => [e.id, FIXTURE])));
  try {
    await page.goto(`/?hubHost=${hub.url}`);
    await expect(app.status).toHaveAttribute('data-state', 'ready', { timeout: 90_000 });
    for (const e of entries) {
      await page.getByTestId('model-select').selectOption(`catalog:${e.id}`);
      await expect(page.getByTestId('model-hint')).toHaveAttribute('data-device', e.device);
      await expect(page.getByTestId('model-listing')).toHaveAttribute('data-state', 'ok', { timeout: 30_000 });
      await expect.poll(() => page.getByTestId('model-dtype').locator('option').evaluateAll((els) => els.map((o) => (o as HTMLOptionElement).value))).toEqual(['fp32']);
      expect(hub.requests.map((r) => `${r.path} ${r.status}`)).toContain(`/api/models/${e.id} 200`);
    }
    // the catalog's own file name for an entry's default (what the listing is checked against)
    expect(onnxFileName('q8', 'merged')).toBe('onnx/decoder_model_merged_quantized.onnx');
    await expect(app.status).toHaveAttribute('data-model', 'tiny-bilingual-gpt2');
  } finally {
    await hub.close();
  }
});

test('a free-text hub id loads with a progress bar whose bytes grow to a known total', async ({ app, page }, info) => {
  const hub = await startLocalHub({ 'test/tiny-llama': FIXTURE }, { delayMsPerChunk: 250 });
  try {
    await page.goto(`/?hubHost=${hub.url}`);
    await expect(app.status).toHaveAttribute('data-state', 'ready', { timeout: 90_000 });
    // record every progress update the store receives
    await page.evaluate(() => {
      const w = window as unknown as { __samples: number[][]; __app: { store: { subscribe(f: (s: StoreState) => void): void } } };
      w.__samples = [];
      w.__app.store.subscribe((s) => {
        if (s.status === 'loading') w.__samples.push([s.loadBytes, s.loadTotalBytes, s.loadFilesDone, s.loadFiles, s.progress]);
      });
    });
    await page.getByTestId('model-select').selectOption('hub');
    await page.getByPlaceholder('e.g. Xenova/distilgpt2').fill('test/tiny-llama');
    await page.getByRole('button', { name: 'Load', exact: true }).click();
    const bar = page.getByTestId('model-progress');
    await expect(bar).toBeVisible();
    const bytes = page.getByTestId('model-progress-bytes');
    await expect(bytes).toContainText(/kB/);
    await shot(page, info, 'hub-progress');
    await expectTinyLlama(app, 'test/tiny-llama');

    const samples = (await page.evaluate(() => (window as unknown as { __samples: number[][] }).__samples)).filter((s) => s[1] > 0);
    const files = fixtureFiles();
    const fetched = served(hub, 'test/tiny-llama');
    expect(fetched).toContain('onnx/model.onnx');
    const expectedTotal = fetched.reduce((s, f) => s + (files.get(f) ?? NaN), 0);
    expect(samples.length).toBeGreaterThan(5);
    // bytes and the known total never go down; the last update has every byte of every fetched file
    for (let i = 1; i < samples.length; i++) {
      expect(samples[i][0]).toBeGreaterThanOrEqual(samples[i - 1][0]);
      expect(samples[i][1]).toBeGreaterThanOrEqual(samples[i - 1][1]);
    }
    const last = samples[samples.length - 1];
    expect(last[0]).toBe(expectedTotal);
    expect(last[1]).toBe(expectedTotal);
    expect(last[2]).toBe(fetched.length);
    expect(last[3]).toBe(fetched.length);
    // mid-download of the ONNX file: part of its bytes, its size already in the total
    const onnxSize = files.get('onnx/model.onnx')!;
    expect(samples.some((s) => s[1] >= onnxSize && s[0] < s[1] && s[0] > 0 && s[4] > 0 && s[4] < 1)).toBe(true);
  } finally {
    await hub.close();
  }
});

test('cancel mid-download keeps the previous model working', async ({ app, page }, info) => {
  const hub = await startLocalHub({ 'test/tiny-llama': FIXTURE }, { delayMsPerChunk: 1500 });
  try {
    await page.goto(`/?hubHost=${hub.url}`);
    await expect(app.status).toHaveAttribute('data-state', 'ready', { timeout: 90_000 });
    await app.step();
    const before = await app.tokenIds(app.generated);
    await page.getByTestId('model-select').selectOption('hub');
    await page.getByPlaceholder('e.g. Xenova/distilgpt2').fill('test/tiny-llama');
    await page.getByRole('button', { name: 'Load', exact: true }).click();
    // wait until the ONNX file is partly downloaded
    await expect.poll(async () => {
      const s = await state(page);
      return s.loadTotalBytes > 500_000 && s.loadBytes > 0 && s.loadBytes < s.loadTotalBytes;
    }).toBe(true);
    await shot(page, info, 'before-cancel');
    await page.getByTestId('model-cancel').click();
    await expect(page.getByTestId('model-progress')).toHaveCount(0);
    await expect(page.getByTestId('model-cancel')).toHaveCount(0);
    await expect(app.status).toHaveAttribute('data-state', 'ready');
    await expect(app.status).toHaveAttribute('data-model', 'tiny-bilingual-gpt2');
    // the embedded model still answers: the same first token again, then one more step
    await app.stepBack.click();
    await expect(app.generated).toHaveCount(0);
    await app.step();
    expect(await app.tokenIds(app.generated)).toEqual(before);
    await app.step();
    await expect(app.generated).toHaveCount(2);
    // nothing half-downloaded was kept
    const cached = await page.evaluate(async () => ((await caches.has('transformers-cache')) ? (await (await caches.open('transformers-cache')).keys()).map((r) => r.url) : []));
    expect(cached.filter((u) => u.endsWith('.onnx'))).toEqual([]);
    // what the cancelled download left (config, tokenizer) is listed as incomplete and cannot be loaded
    // (the ONNX file was mid-download, so config and tokenizer files had arrived)
    expect(cached.some((u) => u.endsWith('/config.json'))).toBe(true);
    await page.getByTestId('cached-models').locator('summary').click();
    const item = page.locator('[data-testid=cached-model][data-model-id="test/tiny-llama"]');
    await expect(item.getByTestId('cached-model-incomplete')).toBeVisible();
    await expect(item.getByTestId('cached-model-load')).toBeDisabled();
  } finally {
    await hub.close();
  }
});

test('cached models: listed with their bytes, loaded with the hub stopped, deleted', async ({ app, page }, info) => {
  const hub = await startLocalHub({ 'test/tiny-llama': FIXTURE });
  const url = `/?hubHost=${hub.url}`;
  let closed = false;
  try {
    await page.goto(url);
    await expect(app.status).toHaveAttribute('data-state', 'ready', { timeout: 90_000 });
    const panel = page.getByTestId('cached-models');
    await panel.locator('summary').click();
    await expect(page.getByText('No downloaded models are kept in this browser.')).toBeVisible();
    await page.getByTestId('model-select').selectOption('hub');
    await page.getByPlaceholder('e.g. Xenova/distilgpt2').fill('test/tiny-llama');
    await page.getByRole('button', { name: 'Load', exact: true }).click();
    await expect(app.status).toHaveAttribute('data-model', 'test/tiny-llama', { timeout: 60_000 });

    const files = fixtureFiles();
    const fetched = served(hub, 'test/tiny-llama');
    const bytes = fetched.reduce((s, f) => s + files.get(f)!, 0);
    const item = page.locator('[data-testid="cached-model"][data-model-id="test/tiny-llama"]');
    await expect(item).toHaveAttribute('data-bytes', String(bytes));
    await expect(item).toHaveAttribute('data-files', String(fetched.length));
    await shot(page, info, 'cached-list');

    // stop the hub, reload the page: the embedded model starts, the cached one loads from Cache Storage
    await hub.close();
    closed = true;
    const requestsBefore = hub.requests.length;
    await page.goto(url);
    await expect(app.status).toHaveAttribute('data-state', 'ready', { timeout: 90_000 });
    await expect(app.status).toHaveAttribute('data-model', 'tiny-bilingual-gpt2');
    await page.getByTestId('cached-models').locator('summary').click();
    await item.getByTestId('cached-model-load').click();
    await expectTinyLlama(app, 'test/tiny-llama');
    expect(hub.requests.length).toBe(requestsBefore);

    await item.getByTestId('cached-model-delete').click();
    await expect(page.getByTestId('cached-model')).toHaveCount(0);
    await expect(page.getByText('No downloaded models are kept in this browser.')).toBeVisible();
    const left = await page.evaluate(async () => (await (await caches.open('transformers-cache')).keys()).map((r) => r.url));
    expect(left.filter((u) => u.includes('/test/tiny-llama/'))).toEqual([]);
  } finally {
    if (!closed) await hub.close();
  }
});

test('a local folder through the webkitdirectory input loads the Llama fixture (not the embedded model)', async ({ app, page }, info) => {
  await app.open();
  await page.getByTestId('model-select').selectOption('folder');
  await expect(page.getByText(/never uploaded/)).toBeVisible();
  await page.getByTestId('model-folder-input').setInputFiles(FIXTURE);
  await expectTinyLlama(app, 'tiny-llama');
  await expect(page.getByTestId('status-device')).toHaveAttribute('data-device', 'wasm');
  await shot(page, info, 'folder-loaded');
});

test('a local folder through the directory picker (File System Access handles) loads the Llama fixture', async ({ app, page }) => {
  await app.open();
  // a real FileSystemDirectoryHandle: the fixture copied into the origin-private file system
  const files = [...fixtureFiles().keys()].map((rel) => ({ rel, b64: readFileSync(join(FIXTURE, rel)).toString('base64') }));
  await page.evaluate(async (list) => {
    const root = await navigator.storage.getDirectory();
    const top = await root.getDirectoryHandle('tiny-llama', { create: true });
    for (const { rel, b64 } of list) {
      const parts = rel.split('/');
      let dir = top;
      for (const p of parts.slice(0, -1)) dir = await dir.getDirectoryHandle(p, { create: true });
      const w = await (await dir.getFileHandle(parts[parts.length - 1], { create: true })).createWritable();
      await w.write(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));
      await w.close();
    }
    (window as unknown as { showDirectoryPicker: () => Promise<FileSystemDirectoryHandle> }).showDirectoryPicker = async () => top;
  }, files);
  await page.getByTestId('model-select').selectOption('folder');
  await page.getByTestId('model-folder-choose').click();
  await expectTinyLlama(app, 'tiny-llama');
});
