/**
 * Nothing acknowledged is lost (issue #19): a step followed at once by a reload, a page closed during
 * Run to end, a full storage quota (set through the DevTools protocol) and a missing IndexedDB. The
 * journal in localStorage (src/store/journal.ts) is written synchronously with each change.
 */
import type { Page } from '@playwright/test';
import { test, expect, shot, reference } from './fixtures.ts';

type W = {
  __app: {
    store: { getState(): { tree: { nodes: { id: number; parent: number | null; edge: { tokenId: number } | null }[] }; cursor: number; storageNotice: string | null } };
  };
};

/** Token ids on the path from the root to the cursor. */
function pathIds(page: Page): Promise<number[]> {
  return page.evaluate(() => {
    const s = (window as unknown as W).__app.store.getState();
    const ids: number[] = [];
    for (let n = s.tree.nodes[s.cursor]; n && n.edge; n = s.tree.nodes[n.parent!]) ids.unshift(n.edge.tokenId);
    return ids;
  });
}

test('step, then reload at once: 30 times in a row, no step lost', async ({ app, page }) => {
  test.setTimeout(1_800_000); // 30 reloads, each loading the model again
  await app.open();
  await app.setPrompt(reference.greedy[0].text, reference.greedy[0].ids);
  // greedy: the reference's 32 greedy tokens hold no EOS, so 30 steps never stop early
  let lost = 0;
  let want: number[] = [];
  for (let i = 0; i < 30; i++) {
    const n = await app.generated.count();
    await app.stepForward.click();
    await expect(app.generated).toHaveCount(n + 1); // the step is acknowledged on screen …
    want = await pathIds(page);
    await page.reload(); // … and the page reloads right away, with no pause for the autosave
    await expect(app.status).toHaveAttribute('data-state', 'ready', { timeout: 90_000 });
    // the saved session is restored after the model is ready: wait for it (a lost step never comes back)
    await expect.poll(() => pathIds(page), { timeout: 30_000, message: `reload ${i + 1}` }).toEqual(want);
    await app.waitIdle();
    const got = await pathIds(page);
    if (got.join() !== want.join()) lost++;
    expect(got, `reload ${i + 1}`).toEqual(want);
    console.log(`reload ${i + 1}: ${got.length} steps kept`);
  }
  expect(lost).toBe(0);
  expect(want.length).toBe(30);
});

test('closing the page during Run to end keeps every token shown before closing', async ({ app, page, context }, info) => {
  await app.open();
  await app.setPrompt(reference.greedy[0].text, reference.greedy[0].ids);
  await page.getByTestId('setting-max-new-tokens').fill('200');
  await app.waitIdle();
  await page.getByTestId('play').click();
  await expect.poll(() => app.generated.count(), { timeout: 60_000 }).toBeGreaterThanOrEqual(12);
  const shown = await app.tokenIds(app.generated);
  await page.close(); // mid-run
  const again = await context.newPage();
  await again.goto('/');
  await expect(again.getByTestId('model-status')).toHaveAttribute('data-state', 'ready', { timeout: 90_000 });
  await expect.poll(async () => (await pathIds(again)).length, { timeout: 30_000 }).toBeGreaterThanOrEqual(shown.length);
  const kept = await pathIds(again);
  expect(kept.slice(0, shown.length)).toEqual(shown);
  await shot(again, info, 'reopened-after-run');
});

test('a tiny storage quota (DevTools protocol): a notice, and a reload loses nothing', async ({ app, page, context, baseURL }) => {
  // set once the page is on the app's origin (an override set before the first navigation does not stay)
  await page.goto('/favicon.svg');
  const cdp = await context.newCDPSession(page);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(baseURL!).origin, quotaSize: 1 });
  await app.open();
  await app.setPrompt(reference.greedy[0].text, reference.greedy[0].ids);
  for (let i = 0; i < 3; i++) await app.step();
  await expect(page.getByTestId('storage-notice')).toBeVisible();
  const want = await pathIds(page);
  await page.reload();
  await expect(app.status).toHaveAttribute('data-state', 'ready', { timeout: 90_000 });
  await expect.poll(() => pathIds(page)).toEqual(want);
  await app.step();
  expect((await pathIds(page)).length).toBe(4);
});

test('IndexedDB removed by an init script: a notice, and a reload loses nothing (the journal alone)', async ({ app, page }, info) => {
  await page.addInitScript(() => {
    // as if the browser had no IndexedDB at all
    delete (window as { indexedDB?: unknown }).indexedDB;
    Object.defineProperty(window, 'indexedDB', { value: undefined, configurable: true });
  });
  await app.open();
  await expect(page.getByTestId('storage-notice')).toBeVisible();
  await app.setPrompt(reference.greedy[0].text, reference.greedy[0].ids);
  for (let i = 0; i < 3; i++) await app.step();
  const want = await pathIds(page);
  expect(want.length).toBe(3);
  await page.reload();
  await expect(app.status).toHaveAttribute('data-state', 'ready', { timeout: 90_000 });
  await expect(page.getByTestId('storage-notice')).toBeVisible();
  await expect.poll(() => pathIds(page)).toEqual(want);
  await shot(page, info, 'no-indexeddb');
});
