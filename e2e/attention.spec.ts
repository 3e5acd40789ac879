/**
 * The attention view and the logit lens (issue #20) in a real Chromium on the embedded model, in
 * English and zh-Hans: after a step and after a branch, every `attn-weight` of every layer and head
 * (and the heads' average) equals the torch reference (tools/model/attn_reference.py) within 1e-4,
 * each row sums to 1, and the last `lens-row` is the top `dist-bar`'s token with its model probability.
 */
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { test, expect, type AppPage } from './fixtures.ts';
import { startLocalHub } from './support/localHub.ts';

interface AttnCase {
  name: string;
  text: string;
  ids: number[];
  attention: number[][][];
  mean: number[][];
  lens: { layer: number; ids: number[]; probs: number[] }[];
  top_id: number;
  top_prob: number;
  second_id: number;
}
const ref = JSON.parse(readFileSync(new URL('../tools/model/reference/attention.json', import.meta.url), 'utf8')) as { cases: AttnCase[] };
const byName = (n: string) => ref.cases.find((c) => c.name === n)!;

/** Token ids of the node whose distribution the chart shows (the cursor's parent, or the root). */
async function shownIds(app: AppPage): Promise<number[]> {
  return app.page.evaluate(() => {
    type N = { parent: number | null; edge: { tokenId: number } | null };
    const s = (window as unknown as { __app: { store: { getState(): { cursor: number; tree: { promptIds: number[]; nodes: Record<number, N> } } } } }).__app.store.getState();
    const c = s.tree.nodes[s.cursor];
    let id: number | null = c.parent ?? 0;
    const gen: number[] = [];
    while (id !== null && s.tree.nodes[id].edge) {
      gen.unshift(s.tree.nodes[id].edge!.tokenId);
      id = s.tree.nodes[id].parent;
    }
    return [...s.tree.promptIds, ...gen];
  });
}

/** Every layer and head (and the average) shown equals the reference case within 1e-4; rows sum to 1. */
async function expectWeights(app: AppPage, c: AttnCase): Promise<void> {
  const page = app.page;
  expect(await shownIds(app)).toEqual(c.ids);
  const panel = page.getByTestId('attn-panel');
  for (let l = 0; l < c.attention.length; l++) {
    for (const h of ['mean', 0, 1, 2, 3] as const) {
      await page.getByTestId(`attn-layer-${l}`).click();
      await page.getByTestId(`attn-head-${h}`).click();
      await expect(panel).toHaveAttribute('data-layer', String(l));
      await expect(panel).toHaveAttribute('data-head', String(h));
      const cells = await page.getByTestId('attn-weight').evaluateAll((els) =>
        els.map((e) => ({ from: Number(e.getAttribute('data-from')), to: Number(e.getAttribute('data-to')), w: Number(e.getAttribute('data-weight')) })),
      );
      const want = h === 'mean' ? c.mean[l] : c.attention[l][h];
      expect(cells.length).toBe(want.length);
      let sum = 0;
      cells.forEach((cell, i) => {
        expect(cell.from).toBe(c.ids.length - 1);
        expect(cell.to).toBe(i);
        expect(cell.w).toBeGreaterThanOrEqual(0);
        expect(cell.w).toBeLessThanOrEqual(1);
        expect(Math.abs(cell.w - want[i])).toBeLessThan(1e-4);
        sum += cell.w;
      });
      expect(Math.abs(sum - 1)).toBeLessThan(1e-5);
    }
  }
  // the logit lens: every layer's top token; the last row is the chart's top bar
  const rows = page.getByTestId('lens-row');
  await expect(rows).toHaveCount(c.lens.length);
  const lens = await rows.evaluateAll((els) => els.map((e) => ({ layer: Number(e.getAttribute('data-layer')), id: Number(e.getAttribute('data-token-id')), p: Number(e.getAttribute('data-prob')) })));
  lens.forEach((r, i) => {
    expect(r.layer).toBe(i);
    expect(r.id).toBe(c.lens[i].ids[0]);
    expect(Math.abs(r.p - c.lens[i].probs[0])).toBeLessThan(1e-4);
  });
  const top = (await app.barData())[0];
  expect(lens[lens.length - 1].id).toBe(top.id);
  expect(Math.abs(lens[lens.length - 1].p - top.prob)).toBeLessThan(1e-5);
  expect(top.id).toBe(c.top_id);
}

for (const [lang, prefix] of [['en', 'en'], ['zh-Hans', 'zh']] as const) {
  test(`${lang}: attention and logit lens after a step and after a branch equal torch`, async ({ app, page }) => {
    test.setTimeout(180_000);
    await app.open();
    if (lang !== 'en') {
      await page.getByTestId('language-select').selectOption(lang);
      await expect(page.locator('html')).toHaveAttribute('lang', lang);
    }
    const prompt = byName(`${prefix}-prompt`);
    await app.setPrompt(prompt.text, prompt.ids);
    await page.getByTestId('attn-toggle').click();
    await expect(page.getByTestId('attn-toggle')).toHaveAttribute('aria-expanded', 'true');
    await expect(page.getByTestId('attn-panel')).toBeVisible();
    await expectWeights(app, prompt);

    // two greedy steps: the chart (and the view) show the step from prompt + the first token
    await app.step();
    await app.step();
    await expectWeights(app, byName(`${prefix}-step1`));
    // keyboard: arrow keys move between the strip's tokens (read out by a live region), not Back / Step
    const gen = await app.generated.count();
    await page.getByTestId('attn-panel').focus();
    await page.keyboard.press('ArrowLeft');
    await expect(page.locator('.attn-cell.focused')).toHaveAttribute('data-to', String(byName(`${prefix}-step1`).ids.length - 2));
    await page.keyboard.press('ArrowLeft');
    expect(await app.generated.count()).toBe(gen);

    // back to the root, choose the second most likely token (a branch), one step on
    await app.stepBack.click();
    await app.waitIdle();
    await app.stepBack.click();
    await app.waitIdle();
    await page.locator(`[data-testid="dist-bar"][data-token-id="${prompt.second_id}"]`).click();
    await app.waitIdle();
    await app.step();
    await expectWeights(app, byName(`${prefix}-branch`));
    // stepping back shows that node's weights again (kept or recomputed from its KV snapshot)
    await app.stepBack.click();
    await app.waitIdle();
    await expectWeights(app, prompt);
  });
}

test('the attention view is closed by default (the worker fetches no extra outputs)', async ({ app, page }) => {
  await app.open();
  await expect(page.getByTestId('attn-toggle')).toHaveAttribute('aria-expanded', 'false');
  await expect(page.getByTestId('attn-panel')).toHaveCount(0);
});

test('a model whose graph has no attention outputs (the Llama fixture from a local hub): the view names the reason', async ({ app, page }) => {
  test.setTimeout(120_000);
  const hub = await startLocalHub({ 'test/tiny-llama': 'test-fixtures/tiny-llama' });
  try {
    await page.goto(`/?hubHost=${hub.url}`);
    await expect(app.status).toHaveAttribute('data-state', 'ready', { timeout: 90_000 });
    await page.getByTestId('model-select').selectOption('hub');
    await page.getByPlaceholder('e.g. Xenova/distilgpt2').fill('test/tiny-llama');
    await page.getByRole('button', { name: 'Load', exact: true }).click();
    await expect(app.status).toHaveAttribute('data-model', 'test/tiny-llama', { timeout: 60_000 });
    await expect(app.status).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
    await app.setPrompt('Hello');
    await page.getByTestId('attn-toggle').click();
    await expect(page.getByTestId('attn-unavailable')).toContainText('no attention outputs');
    await expect(page.getByTestId('attn-weight')).toHaveCount(0);
  } finally {
    await hub.close();
  }
});

async function download(page: Page, testId: string): Promise<{ name: string; body: Buffer }> {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  return { name: dl.suggestedFilename(), body: readFileSync((await dl.path())!) };
}

test('the attention strip and the logit lens save as SVG and PNG like the other charts', async ({ app, page }) => {
  const c = byName('en-prompt');
  await app.open();
  await app.setPrompt(c.text, c.ids);
  await page.getByTestId('attn-toggle').click();
  await expect(page.getByTestId('lens-row')).toHaveCount(c.lens.length);
  const svg = await download(page, 'export-attention-svg');
  expect(svg.name).toBe('token-by-token-attention-step-0.svg');
  const text = svg.body.toString('utf8');
  expect(text).toContain('<svg');
  // one weight bar per position, and the panel's title
  expect((text.match(/data-testid="attn-weight"/g) ?? []).length).toBe(c.ids.length);
  expect(text).toContain('Attention: looking back');
  expect(text).not.toContain('Hide attention');
  const lens = await download(page, 'export-lens-svg');
  expect((lens.body.toString('utf8').match(/data-testid="lens-row"/g) ?? []).length).toBe(c.lens.length);
  const png = await download(page, 'export-lens-png');
  expect([...png.body.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
});
