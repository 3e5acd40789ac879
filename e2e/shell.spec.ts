import { readFileSync } from 'node:fs';
import { test, expect, shot } from './fixtures.ts';

test('the shell loads the embedded model and the status bar shows real values', async ({ app, page }, info) => {
  await app.open();
  await expect(app.status).toHaveAttribute('data-model', 'tiny-bilingual-gpt2');
  await expect(page.getByTestId('status-device')).toHaveAttribute('data-device', 'wasm');
  const threads = Number(await page.getByTestId('status-threads').getAttribute('data-threads'));
  expect(Number.isInteger(threads) && threads >= 1).toBe(true);
  const isolated = await page.evaluate(() => crossOriginIsolated);
  expect(isolated).toBe(true);
  await expect(page.getByTestId('status-isolation')).toHaveAttribute('data-isolated', 'true');
  await shot(page, info, 'loaded');
});

test('a missing file under /models/ answers 404, not index.html', async ({ page }) => {
  const r = await page.request.get('/models/tiny-bilingual-gpt2/no-such-file.json');
  expect(r.status()).toBe(404);
  expect(await r.text()).not.toContain('<!doctype html>');
});

test('the ONNX Runtime wasm is served by the app from a versioned path', async ({ page }) => {
  const html = await (await page.request.get('/')).text();
  expect(html).toContain('<div id="root">');
  const version = JSON.parse(readFileSync(new URL('../node_modules/onnxruntime-web/package.json', import.meta.url), 'utf8')).version;
  const r = await page.request.get(`/ort/${version}/ort-wasm-simd-threaded.wasm`);
  expect(r.status()).toBe(200);
  expect(r.headers()['content-type']).toContain('application/wasm');
});

test('the production build runs under a Content-Security-Policy that blocks inline scripts', async ({ app, page }) => {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) errors.push(m.text());
  });
  await app.open();
  await app.step();
  const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
  const inlineRan = await page.evaluate(async () => {
    const s = document.createElement('script');
    let violated = false;
    document.addEventListener('securitypolicyviolation', () => (violated = true));
    s.textContent = 'window.__inlineRan = true';
    document.body.appendChild(s);
    await new Promise((r) => setTimeout(r, 100));
    return { ran: (window as unknown as { __inlineRan?: boolean }).__inlineRan === true, violated };
  });
  expect(inlineRan).toEqual({ ran: false, violated: true });
  // the app itself needs nothing the policy forbids
  expect(errors.filter((e) => !e.includes('__inlineRan') && !e.includes("'unsafe-eval'") && !/inline script/i.test(e))).toEqual([]);
});
