import { test, expect, shot, reference } from './fixtures.ts';

type W = {
  __app: {
    store: { getState(): { tree: { nodes: { id: number; parent: number | null; edge: { tokenId: number } | null }[] }; cursor: number; busy: boolean; status: string } };
    controller: { crashWorkerForTest(): void };
  };
};

test('reloading the page restores the identical tree, settings and position', async ({ app, page }, info) => {
  await app.open();
  const g = reference.greedy[0];
  await app.setPrompt(g.text, g.ids);
  for (let s = 0; s < 4; s++) await app.step();
  await app.bars.nth(1).click(); // a branch
  await app.waitIdle();
  await app.selectStrategy('sample');
  await page.getByTestId('setting-seed').fill('123');
  await app.waitIdle();
  await app.stepBack.click();
  const before = await page.evaluate(() => {
    const s = (window as unknown as W).__app.store.getState();
    return JSON.stringify({ nodes: s.tree.nodes, cursor: s.cursor });
  });
  await page.waitForTimeout(800); // autosave is debounced
  await page.reload();
  await expect(app.status).toHaveAttribute('data-state', 'ready', { timeout: 90_000 });
  await expect
    .poll(() =>
      page.evaluate(() => {
        const s = (window as unknown as W).__app.store.getState();
        return JSON.stringify({ nodes: s.tree.nodes, cursor: s.cursor });
      }),
    )
    .toBe(before);
  await expect(page.getByTestId('strategy')).toHaveValue('sample');
  await expect(page.getByTestId('setting-seed')).toHaveValue('123');
  await expect(app.prompt).toHaveValue(g.text);
  await shot(page, info, 'restored');
  // "new session" starts clean
  await page.getByTestId('new-session').click();
  await page.getByTestId('new-session-confirm').click(); // New session asks first
  await expect(app.generated).toHaveCount(0);
  await expect(page.getByTestId('strategy')).toHaveValue('sample'); // the default strategy
  await expect(page.getByTestId('setting-seed')).toHaveValue('42'); // the default seed, not the restored 123
});

test('the worker crashing during a step: a new worker takes over, no node is lost', async ({ app, page }, info) => {
  await app.open();
  const g = reference.greedy[0];
  await app.setPrompt(g.text, g.ids);
  for (let s = 0; s < 3; s++) await app.step();
  const nodes = await app.pathNodes.count();
  // crash while a step is in flight
  await page.evaluate(() => (window as unknown as W).__app.controller.crashWorkerForTest());
  await app.stepForward.click();
  await expect(page.getByTestId('error-message').filter({ hasText: /worker/i })).toBeVisible();
  await expect(app.status).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  await expect.poll(() => page.evaluate(() => (window as unknown as W).__app.store.getState().busy)).toBe(false);
  expect(await app.pathNodes.count()).toBeGreaterThanOrEqual(nodes);
  expect((await app.tokenIds(app.generated)).slice(0, 3)).toEqual(g.new_ids.slice(0, 3));
  // generation continues exactly on the new worker
  while ((await app.generated.count()) < 6) await app.step();
  expect(await app.tokenIds(app.generated)).toEqual(g.new_ids.slice(0, 6));
  await shot(page, info, 'after-crash');
});

test('a prompt longer than the context is refused with the limit, never truncated', async ({ app, page }) => {
  await app.open();
  const long = reference.forward.find((f) => f.name === 'long')!.text.repeat(2);
  await app.prompt.fill(long);
  await expect(page.getByTestId('error-message').filter({ hasText: /context holds 256/ })).toBeVisible();
  await expect(app.stepForward).toBeDisabled();
  await app.setPrompt('In the beginning');
  await expect(app.stepForward).toBeEnabled();
});

test('a model that cannot be loaded names the cause; the previous model keeps working', async ({ app, page, baseURL }) => {
  // a hub host on this server where the model does not exist (answers 404); the preview port may vary (E2E_PORT)
  await page.goto(`/?hubHost=${baseURL}/models/hub-mirror/`);
  await expect(app.status).toHaveAttribute('data-state', 'ready', { timeout: 90_000 });
  await page.getByTestId('model-select').selectOption('hub');
  await page.getByPlaceholder('e.g. Xenova/distilgpt2').fill('nobody/no-such-model');
  await page.getByRole('button', { name: 'Load', exact: true }).click();
  await expect(page.getByTestId('error-message').filter({ hasText: 'nobody/no-such-model' })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('error-message').filter({ hasText: /config\.json/ })).toBeVisible();
  await expect(app.status).toHaveAttribute('data-state', 'ready');
  await expect(app.status).toHaveAttribute('data-model', 'tiny-bilingual-gpt2');
  await app.step();
  await expect(app.generated).toHaveCount(1);
});

test('browser storage unavailable (private mode, quota): an in-memory session with a notice', async ({ app, page }) => {
  await page.addInitScript(() => {
    Object.defineProperty(window, 'indexedDB', {
      get() {
        throw new DOMException('storage is disabled', 'SecurityError');
      },
    });
  });
  await app.open();
  await expect(page.getByTestId('storage-notice')).toBeVisible();
  await app.step();
  await app.step();
  expect(await app.generated.count()).toBe(2);
});
