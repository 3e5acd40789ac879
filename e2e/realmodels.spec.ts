/**
 * Real model layouts in the browser (issue #15), on the real-size tokenizer and layouts of
 * tools/model/realsize_fixture.py at the small `gpt2-tiny` body (vocabulary 50,257; cached under
 * ~/.cache/token-by-token, built here when missing): folders and repositories without any config hint —
 * fp32 `onnx/model.onnx`; only `onnx/model_fp16.onnx` + external data; Optimum's merged decoder; only
 * `onnx/model_q4.onnx` (MatMulNBits) — each checked against its torch reference (fp32 and q4 |Δ logprob| < 1e-4,
 * q4 against the dequantized weights; fp16 ≤ 2e-2 × the logit range; greedy ids equal).
 * The hub is e2e/support/localHub.ts (model API + resolve URLs) on 127.0.0.1; the download host is set in the
 * picker's `hub-host` setting, not only through `?hubHost=`.
 */
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect, shot, type AppPage } from './fixtures.ts';
import { startLocalHub, type LocalHub } from './support/localHub.ts';
import { CONTENT_SECURITY_POLICY } from '../src/csp.ts';
import { ensureRealsize, realsizeReference } from '../tests/support/realsizeFixture.ts';

const built = ensureRealsize('gpt2-tiny');
if (built.skip) console.warn(`realmodels: skipped — ${built.skip}`);
const DIR = built.dir ?? '';
const ref = built.dir ? realsizeReference(DIR) : null;

test.skip(!!built.skip, built.skip ?? '');

type Info = { id: string; dtype: string; vocabSize: number };
const modelInfo = (page: Page) =>
  page.evaluate(() => (window as unknown as { __app: { store: { getState(): { info: Info } } } }).__app.store.getState().info);

/** Prompt ids, every shown bar's logprob against the torch reference's log-softmax, and 8 greedy ids. */
async function expectReference(app: AppPage, page: Page, modelId: string, dtype: 'fp32' | 'fp16' | 'q4'): Promise<void> {
  await expect(app.status).toHaveAttribute('data-state', 'ready', { timeout: 90_000 });
  await expect(app.status).toHaveAttribute('data-model', modelId);
  const info = await modelInfo(page);
  expect(info.dtype).toBe(dtype);
  expect(info.vocabSize).toBe(50_257);
  const r = dtype === 'q4' ? ref!.q4 : ref!; // q4: torch on the dequantized q4 weights
  const f = r.forward[0];
  await app.setPrompt(f.text, f.ids);
  const max = Math.max(...f.last_logits);
  const range = max - Math.min(...f.last_logits);
  const logZ = max + Math.log(f.last_logits.reduce((s, x) => s + Math.exp(x - max), 0));
  const tol = dtype === 'fp16' ? 2e-2 * range : 1e-4;
  const bars = await app.bars.evaluateAll((els) => els.map((e) => [Number(e.getAttribute('data-token-id')), Number(e.getAttribute('data-logprob'))] as const));
  expect(bars.length).toBeGreaterThanOrEqual(10);
  for (const [id, logprob] of bars) expect(Math.abs(logprob - (f.last_logits[id] - logZ)), `token ${id}`).toBeLessThanOrEqual(tol);
  const g = r.greedy[0];
  for (let s = 0; s < g.new_ids.length; s++) await app.step();
  expect(await app.tokenIds(app.generated)).toEqual(g.new_ids);
}

/** Files served with 200 under a model id's resolve path. */
function served(hub: LocalHub, modelId: string): string[] {
  const prefix = `/${modelId}/resolve/main/`;
  return [...new Set(hub.requests.filter((r) => r.method === 'GET' && r.status === 200 && r.path.startsWith(prefix)).map((r) => r.path.slice(prefix.length)))].sort();
}

/** Types a host into the picker's download-host setting; the field then shows it normalised. */
async function setHost(page: Page, typed: string, shown = typed): Promise<void> {
  const input = page.getByTestId('hub-host');
  await input.fill(typed);
  await input.press('Enter');
  await expect(input).toHaveValue(shown);
}

async function dtypeOptions(page: Page): Promise<string[]> {
  return page.getByTestId('model-dtype').locator('option').evaluateAll((els) => els.map((e) => (e as HTMLOptionElement).value));
}

test('a repository without q8 loads the dtype it has; the dtype select lists exactly the files served; the host set in the picker is used and remembered', async ({ app, page }, info) => {
  const hub = await startLocalHub({ 'test/fp16-only': join(DIR, 'fp16'), 'test/merged': join(DIR, 'merged') });
  try {
    await app.open(); // no ?hubHost=: the setting decides
    await page.getByTestId('model-select').selectOption('hub');
    await expect(page.getByTestId('privacy-host')).toContainText('https://huggingface.co/');
    await setHost(page, hub.url);
    await expect(page.getByTestId('privacy-host')).toContainText(hub.url);
    await page.getByPlaceholder('e.g. Xenova/distilgpt2').fill('test/fp16-only');
    await expect(page.getByTestId('model-listing')).toHaveAttribute('data-state', 'ok', { timeout: 30_000 });
    await expect(page.getByTestId('model-listing')).toHaveAttribute('data-via', 'api');
    expect(await dtypeOptions(page)).toEqual(['fp16']);
    await expect(page.getByTestId('model-dtype')).toHaveValue('fp16');
    await expect(page.getByTestId('model-listing')).toContainText('MB'); // listed size of model_fp16.onnx + its external data
    await shot(page, info, 'listing-fp16');
    await page.getByRole('button', { name: 'Load', exact: true }).click();
    await expectReference(app, page, 'test/fp16-only', 'fp16');
    expect(served(hub, 'test/fp16-only')).toEqual(['config.json', 'generation_config.json', 'onnx/model_fp16.onnx', 'onnx/model_fp16.onnx_data', 'tokenizer.json', 'tokenizer_config.json']);
    expect(hub.requests.some((r) => r.status === 404 && r.path.includes('model_quantized'))).toBe(false);

    // Optimum's merged decoder through the same host: listed as fp32, loaded through decoder_model_merged.onnx
    await page.getByPlaceholder('e.g. Xenova/distilgpt2').fill('test/merged');
    await expect(page.getByTestId('model-listing')).toHaveAttribute('data-state', 'ok', { timeout: 30_000 });
    await expect.poll(() => dtypeOptions(page)).toEqual(['fp32']);
    await page.getByRole('button', { name: 'Load', exact: true }).click();
    await expectReference(app, page, 'test/merged', 'fp32');
    expect(served(hub, 'test/merged')).toContain('onnx/decoder_model_merged.onnx');

    // the setting is remembered across a reload (no ?hubHost= in the address)
    await page.reload();
    await expect(app.status).toHaveAttribute('data-state', 'ready', { timeout: 90_000 });
    await page.getByTestId('model-select').selectOption('hub');
    await expect(page.getByTestId('hub-host')).toHaveValue(hub.url);
    await expect(page.getByTestId('privacy-host')).toContainText(hub.url);
  } finally {
    await hub.close();
  }
});

test('the CSP admits https download hosts; a blocked host’s messages name the host and the setting', async ({ app, page, external }) => {
  expect(CONTENT_SECURITY_POLICY).toMatch(/connect-src [^;]*\bhttps: /);
  await app.open();
  const meta = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  expect(meta).toBe(CONTENT_SECURITY_POLICY);
  await page.getByTestId('model-select').selectOption('hub');
  // an https host the policy admits; the test's network guard blocks it (as a school firewall would)
  const host = 'https://mirror.invalid/';
  await setHost(page, 'mirror.invalid', host); // typed without a scheme: https is assumed
  await page.getByPlaceholder('e.g. Xenova/distilgpt2').fill('HuggingFaceTB/SmolLM2-135M-Instruct');
  await expect(page.getByTestId('model-listing')).toHaveAttribute('data-state', 'error', { timeout: 30_000 });
  await expect(page.getByTestId('model-listing')).toContainText(host);
  await expect(page.getByTestId('model-listing')).toContainText('Download host');
  await page.getByRole('button', { name: 'Load', exact: true }).click();
  const err = page.getByTestId('error-message').filter({ hasText: 'HuggingFaceTB/SmolLM2-135M-Instruct' });
  await expect(err).toBeVisible({ timeout: 60_000 });
  await expect(err).toContainText(host);
  await expect(err).toContainText('download host setting');
  await expect(err.getByTestId('error-host-hint')).toContainText('Download host');
  // plain http to another machine is not a usable host (the policy would refuse it): the field says so
  await page.getByTestId('hub-host').fill('http://hf-mirror.com/');
  await page.getByTestId('hub-host').press('Enter');
  await expect(page.locator('.hub-host [role=alert]')).toContainText('https://hf-mirror.com/');
  await expect(app.status).toHaveAttribute('data-model', 'tiny-bilingual-gpt2');
  // only the chosen host was tried (and blocked); the guard's list is emptied so it does not fail the test
  await page.close(); // no request after this point
  expect(external.length).toBeGreaterThan(0);
  expect(external.filter((u) => !u.startsWith(host))).toEqual([]);
  external.splice(0);
});

test('folders without config hints load and match the reference: fp32 only, fp16 + external data only', async ({ app, page }) => {
  await app.open();
  await page.getByTestId('model-select').selectOption('folder');
  await page.getByTestId('model-folder-input').setInputFiles(join(DIR, 'fp32'));
  await expectReference(app, page, 'fp32', 'fp32');
  await page.getByTestId('model-folder-input').setInputFiles(join(DIR, 'fp16'));
  await expectReference(app, page, 'fp16', 'fp16');
});

test('a q4 folder (MatMulNBits) runs on WASM and matches torch on its dequantized weights', async ({ app, page }) => {
  await app.open();
  await page.getByTestId('model-select').selectOption('folder');
  await page.getByTestId('model-folder-input').setInputFiles(join(DIR, 'q4'));
  await expectReference(app, page, 'q4', 'q4');
  await expect(page.getByTestId('status-device')).toHaveAttribute('data-device', 'wasm');
});

test('a downloaded model saved as a folder (streamed into a real directory handle) loads back with the hub stopped', async ({ app, page }) => {
  const hub = await startLocalHub({ 'test/fp16-only': join(DIR, 'fp16') });
  let closed = false;
  try {
    await app.open();
    await page.getByTestId('model-select').selectOption('hub');
    await setHost(page, hub.url);
    await page.getByPlaceholder('e.g. Xenova/distilgpt2').fill('test/fp16-only');
    await expect(page.getByTestId('model-listing')).toHaveAttribute('data-state', 'ok', { timeout: 30_000 });
    await page.getByRole('button', { name: 'Load', exact: true }).click();
    await expect(app.status).toHaveAttribute('data-model', 'test/fp16-only', { timeout: 90_000 });
    await page.getByTestId('cached-models').locator('summary').click();
    await expect(page.getByTestId('storage-persist')).toHaveAttribute('data-state', /granted|denied/);
    // the native folder dialog replaced by the origin-private file system's root: a real FileSystemDirectoryHandle
    await page.evaluate(() => {
      (window as unknown as { showDirectoryPicker: () => Promise<FileSystemDirectoryHandle> }).showDirectoryPicker = () => navigator.storage.getDirectory();
    });
    const item = page.locator('[data-testid=cached-model][data-model-id="test/fp16-only"]');
    await item.getByTestId('model-save-folder').click();
    await expect(item.getByTestId('model-save-status')).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
    await expect(item.getByTestId('model-save-status')).toContainText('fp16-only');
    const written = await page.evaluate(async () => {
      const out: [string, number][] = [];
      const walk = async (d: FileSystemDirectoryHandle, p: string): Promise<void> => {
        for await (const h of (d as unknown as { values(): AsyncIterable<FileSystemHandle> }).values()) {
          if (h.kind === 'directory') await walk(h as FileSystemDirectoryHandle, `${p}${h.name}/`);
          else out.push([`${p}${h.name}`, (await (h as FileSystemFileHandle).getFile()).size]);
        }
      };
      await walk(await (await navigator.storage.getDirectory()).getDirectoryHandle('fp16-only'), '');
      return out.sort();
    });
    const { statSync } = await import('node:fs');
    expect(written).toEqual(
      ['config.json', 'generation_config.json', 'onnx/model_fp16.onnx', 'onnx/model_fp16.onnx_data', 'tokenizer.json', 'tokenizer_config.json'].map((f) => [f, statSync(join(DIR, 'fp16', f)).size]),
    );

    // offline: the hub is gone; the saved folder is picked with the folder loader
    await hub.close();
    closed = true;
    const before = hub.requests.length;
    await page.evaluate(() => {
      (window as unknown as { showDirectoryPicker: () => Promise<FileSystemDirectoryHandle> }).showDirectoryPicker = async () =>
        (await navigator.storage.getDirectory()).getDirectoryHandle('fp16-only');
    });
    await page.getByTestId('model-select').selectOption('folder');
    await page.getByTestId('model-folder-choose').click();
    await expectReference(app, page, 'fp16-only', 'fp16');
    expect(hub.requests.length).toBe(before);
  } finally {
    if (!closed) await hub.close();
  }
});
