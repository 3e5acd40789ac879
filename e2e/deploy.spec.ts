/**
 * The deployed build (docs/DEPLOY.md): built with a sub-path base, served by a plain static server
 * under that sub-path, (1) with the production headers: the main flow, then a second visit with the
 * server gone and the browser offline; (2) on a host without COOP/COEP headers: the service worker
 * makes the page cross-origin isolated; (3) with service workers unavailable on such a host: the
 * single-thread fallback is shown and explained, and the model still works; (4) a new build: the
 * update waits, a notice offers the reload, and after it the new worker is in charge.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from '@playwright/test';
import { AppPage, expect, reference, shot, test } from './fixtures.ts';
import { startStaticHost, type StaticHost } from './support/staticHost.ts';

const BASE = '/school/tbt/';
const greedy = reference.greedy[0]; // "In the beginning God", torch greedy continuation
let out = '';

test.describe.configure({ mode: 'serial', timeout: 180_000 });

test.beforeAll(async () => {
  test.setTimeout(300_000);
  out = mkdtempSync(join(tmpdir(), 'tbt-deploy-'));
  execFileSync('npx', ['vite', 'build', '--outDir', out, '--emptyOutDir', '--logLevel', 'warn'], {
    env: { ...process.env, BASE_PATH: BASE },
    stdio: ['ignore', 'ignore', 'pipe'], // on failure the error message carries the build's stderr
  });
});

test.afterAll(() => {
  if (out) rmSync(out, { recursive: true, force: true });
});

/**
 * Records requests to hosts other than localhost (the page's, its workers' and the service worker's).
 * Observes only: routing (as the shared fixture does) would make Chromium bypass the service worker.
 */
function watchExternal(context: BrowserContext): string[] {
  const external: string[] = [];
  context.on('request', (r) => {
    if (!/^(http:\/\/localhost(:\d+)?\/|blob:|data:)/.test(r.url())) external.push(r.url());
  });
  return external;
}

/** Opens the app at `url`, waits for the model, and checks one greedy step against the torch reference. */
async function mainFlow(page: Page, url: string): Promise<AppPage> {
  const app = new AppPage(page);
  await page.goto(url);
  await expect(app.status).toHaveAttribute('data-state', 'ready', { timeout: 90_000 });
  await app.selectStrategy('greedy');
  await app.setPrompt(greedy.text, greedy.ids);
  await app.step();
  expect(await app.tokenIds(app.generated)).toEqual([greedy.new_ids[0]]);
  await app.step();
  expect(await app.tokenIds(app.generated)).toEqual(greedy.new_ids.slice(0, 2));
  return app;
}

/** Waits until the service worker is active and controls the page; returns its scope. */
async function controlledScope(page: Page): Promise<string> {
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller?.state ?? 'none'), { timeout: 60_000 }).toBe('activated');
  return page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
}

test('sub-path build with the production headers: main flow, then a second visit offline', async ({ page, context }, info) => {
  const external = watchExternal(context);
  let host: StaticHost | null = await startStaticHost(out, BASE, true);
  try {
    const url = host.url;
    await mainFlow(page, url);
    await expect(page.getByTestId('status-isolation')).toHaveAttribute('data-isolated', 'true');
    // everything the app fetched lies under the sub-path and existed
    expect(host.requests.filter((r) => r.status !== 200 || !r.path.startsWith(BASE))).toEqual([]);
    expect(host.requests.map((r) => r.path)).toContain(`${BASE}sw.js`);
    expect(await controlledScope(page)).toBe(url);
    // the precache holds the shell, the runtime and the model
    const cached = await page.evaluate(async () => {
      const urls: string[] = [];
      for (const name of await caches.keys()) for (const r of await (await caches.open(name)).keys()) urls.push(new URL(r.url).pathname);
      return urls;
    });
    expect(cached).toEqual(expect.arrayContaining([`${BASE}index.html`, `${BASE}models/tiny-bilingual-gpt2/onnx/model.onnx`]));
    expect(cached.some((p) => /\/ort\/[^/]+\/ort-wasm-simd-threaded\.wasm$/.test(p))).toBe(true);

    // second visit: the server is gone and the browser is offline
    await host.close();
    host = null;
    await context.setOffline(true);
    const second = await context.newPage();
    const app = new AppPage(second);
    await second.goto(url);
    await expect(app.status).toHaveAttribute('data-state', 'ready', { timeout: 90_000 });
    // the saved session comes back, and the model (from the precache) takes the next step
    await expect.poll(() => app.tokenIds(app.generated)).toEqual(greedy.new_ids.slice(0, 2));
    await app.waitIdle();
    await app.step();
    expect(await app.tokenIds(app.generated)).toEqual(greedy.new_ids.slice(0, 3));
    await expect(second.getByTestId('status-isolation')).toHaveAttribute('data-isolated', 'true');
    await shot(second, info, 'offline-second-visit');
    await second.close();
    expect(external, 'requests to hosts other than localhost').toEqual([]);
  } finally {
    await context.setOffline(false);
    await host?.close();
  }
});

test('host without COOP/COEP headers: the service worker makes the page cross-origin isolated', async ({ page, context }, info) => {
  const external = watchExternal(context);
  const host = await startStaticHost(out, BASE, false);
  try {
    // record, for every document load in this tab, whether it was cross-origin isolated
    await page.addInitScript(() => {
      const loads = JSON.parse(sessionStorage.getItem('test:isolated-loads') ?? '[]') as boolean[];
      sessionStorage.setItem('test:isolated-loads', JSON.stringify([...loads, crossOriginIsolated]));
    });
    await page.goto(host.url);
    // first load is not isolated; once the worker controls the page it reloads once, isolated
    await expect.poll(() => page.evaluate(() => crossOriginIsolated).catch(() => false), { timeout: 90_000 }).toBe(true);
    expect(await page.evaluate(() => JSON.parse(sessionStorage.getItem('test:isolated-loads') ?? '[]'))).toEqual([false, true]);
    await mainFlow(page, host.url);
    await expect(page.getByTestId('status-isolation')).toHaveAttribute('data-isolated', 'true');
    expect(await controlledScope(page)).toBe(host.url);
    await shot(page, info, 'isolated-by-service-worker');
    expect(external, 'requests to hosts other than localhost').toEqual([]);
  } finally {
    await host.close();
  }
});

test('host without headers and no service worker: the single-thread fallback is shown and works', async ({ browser }, info) => {
  const host = await startStaticHost(out, BASE, false);
  const context = await browser.newContext({ serviceWorkers: 'block' });
  const external: string[] = [];
  await context.route('**/*', (route) => {
    if (/^(http:\/\/localhost(:\d+)?\/|blob:|data:)/.test(route.request().url())) return route.continue();
    external.push(route.request().url());
    return route.abort('blockedbyclient');
  });
  try {
    const page = await context.newPage();
    await mainFlow(page, host.url);
    const isolation = page.getByTestId('status-isolation');
    await expect(isolation).toHaveAttribute('data-isolated', 'false');
    await expect(page.getByTestId('status-threads')).toHaveAttribute('data-threads', '1');
    // the student view (on by default) hides the engineering details; switched off, the fallback is
    // explained in plain words, in the page's language
    await expect(page.getByTestId('status-isolation-help')).toBeHidden();
    await page.getByTestId('student-view-toggle').click();
    await expect(page.getByTestId('student-view-toggle')).toHaveAttribute('aria-pressed', 'false');
    await expect(page.getByTestId('status-isolation-help')).toBeVisible();
    await expect(page.getByTestId('status-isolation-help')).toContainText('one thread');
    await shot(page, info, 'single-thread-fallback');
    expect(external).toEqual([]);
  } finally {
    await context.close();
    await host.close();
  }
});

test('a new build: the update waits, the notice reloads into it', async ({ page, context }) => {
  const external = watchExternal(context);
  const host = await startStaticHost(out, BASE, true);
  try {
    await page.addInitScript(() => {
      sessionStorage.setItem('test:loads', String(Number(sessionStorage.getItem('test:loads') ?? 0) + 1));
    });
    await mainFlow(page, host.url);
    await controlledScope(page);
    await expect(page.getByTestId('update-ready')).toHaveCount(0);
    // the two steps are saved before the reload (the autosave is debounced; a reload can overtake it)
    await page.evaluate(() => (window as unknown as { __app: { controller: { saveNow(): Promise<void> } } }).__app.controller.saveNow());
    // the next build differs in sw.js (its precache list); here: one comment more
    appendFileSync(join(out, 'sw.js'), '\n// next build\n');
    await page.reload();
    await expect(page.getByTestId('update-ready')).toBeVisible({ timeout: 60_000 });
    expect(await page.evaluate(async () => Boolean((await navigator.serviceWorker.getRegistration())?.waiting))).toBe(true);
    // the work so far survives the reload
    await expect.poll(() => new AppPage(page).tokenIds(page.getByTestId('generated-token'))).toEqual(greedy.new_ids.slice(0, 2));
    const loads = Number(await page.evaluate(() => sessionStorage.getItem('test:loads')));
    await page.getByTestId('update-reload').click();
    await expect.poll(() => page.evaluate(() => Number(sessionStorage.getItem('test:loads'))).catch(() => 0), { timeout: 60_000 }).toBe(loads + 1);
    const app = new AppPage(page);
    await expect(app.status).toHaveAttribute('data-state', 'ready', { timeout: 90_000 });
    await expect(page.getByTestId('update-ready')).toHaveCount(0);
    expect(await page.evaluate(async () => {
      const r = await navigator.serviceWorker.getRegistration();
      return { waiting: Boolean(r?.waiting), active: r?.active?.state, controlled: navigator.serviceWorker.controller === r?.active };
    })).toEqual({ waiting: false, active: 'activated', controlled: true });
    await expect.poll(() => app.tokenIds(app.generated)).toEqual(greedy.new_ids.slice(0, 2));
    expect(external, 'requests to hosts other than localhost').toEqual([]);
  } finally {
    await host.close();
  }
});
