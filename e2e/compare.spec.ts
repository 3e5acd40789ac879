import { test, expect, shot, reference, type AppPage } from './fixtures.ts';
import type { Page } from '@playwright/test';
import { GLOSSARY } from '../src/i18n/glossary.ts';

/** Latin-script words of the compare panel left after removing token text, inputs and the glossary terms. */
async function englishLeft(page: Page): Promise<string[]> {
  const text = await page.getByTestId('compare-panel').evaluate((el) => {
    const root = el.cloneNode(true) as HTMLElement;
    root.querySelectorAll('.chip, .tok, input, .url').forEach((e) => e.remove());
    return root.innerText;
  });
  let t = text;
  for (const term of [...GLOSSARY].sort((a, b) => b.length - a.length)) t = t.split(term).join(' ');
  return t.match(/[A-Za-z]{2,}/g) ?? [];
}

/** Waits until neither pane has a request in flight. */
async function idle(page: Page): Promise<void> {
  await expect
    .poll(() =>
      page.evaluate(() => {
        const s = (window as unknown as { __app: { store: { getState(): { busy: boolean; compare: { busy: boolean } } } } }).__app.store.getState();
        return !s.busy && !s.compare.busy;
      }),
    )
    .toBe(true);
}

function paneChips(page: Page, pane: 'a' | 'b') {
  return page.locator(`[data-testid=compare-pane][data-pane=${pane}] [data-testid=compare-token]`);
}

async function ids(app: AppPage, pane: 'a' | 'b'): Promise<number[]> {
  return app.tokenIds(paneChips(app.page, pane));
}

function firstDifference(a: number[], b: number[]): number | null {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return i;
  return null;
}

/** Step both, by button or by the → key; waits for pane A's next chip. */
async function stepBoth(app: AppPage, how: 'button' | 'key'): Promise<void> {
  const page = app.page;
  const before = await paneChips(page, 'a').count();
  if (how === 'button') await page.getByTestId('compare-step').click();
  else {
    await page.getByTestId('compare-panel').locator('h2').click(); // focus leaves any input
    await page.keyboard.press('ArrowRight');
  }
  await expect(paneChips(page, 'a')).toHaveCount(before + 1);
  await idle(page);
}

/** A single-pane run in the main session: reset, then Step ▶ `n` times; the generated ids. */
async function singleRun(app: AppPage, n: number): Promise<number[]> {
  await app.page.getByTestId('reset').click();
  await expect(app.generated).toHaveCount(0);
  await app.waitIdle();
  for (let i = 0; i < n; i++) await app.step();
  return app.tokenIds(app.generated);
}

test('T 0.3 vs T 1.2, seed 12: the divergence marker is the first step where the panes differ, as in two single-pane runs', async ({ app, page }, info) => {
  const N = 6;
  await app.open();
  await app.setPrompt('In the beginning God');
  const toggle = page.getByTestId('compare-toggle');
  await expect(toggle).toHaveAttribute('aria-pressed', 'false');
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-pressed', 'true');
  await page.getByTestId('compare-preset').selectOption('temperature');
  await idle(page);
  await expect(page.getByTestId('setting-temperature')).toHaveValue('0.3');
  await page.getByTestId('setting-seed').fill('12');
  await idle(page);
  await expect(page.locator('[data-testid=compare-pane][data-pane=b]')).toContainText('T = 1.2');

  for (let i = 0; i < N; i++) await stepBoth(app, i % 2 === 0 ? 'button' : 'key');
  const a = await ids(app, 'a');
  const b = await ids(app, 'b');
  expect(a).toHaveLength(N);
  expect(b).toHaveLength(N);
  const d = firstDifference(a, b);
  expect(d).toBe(1); // one shared token, then they part
  const marker = page.getByTestId('compare-divergence');
  await expect(marker).toHaveAttribute('data-step', String(d));
  // marked in both rows
  for (const pane of ['a', 'b'] as const) {
    await expect(page.locator(`[data-testid=compare-divergence-chip][data-pane=${pane}]`)).toHaveAttribute('data-step', String(d));
  }
  // both distributions at that step: each pane's chosen token, and the same model probabilities (same text, same logits)
  const bars = (pane: 'a' | 'b') =>
    page.locator(`[data-testid=compare-dist][data-pane=${pane}] [data-testid=compare-dist-bar]`).evaluateAll((els) =>
      els.map((e) => ({ id: Number(e.dataset.tokenId), prob: Number(e.dataset.prob), finalProb: Number(e.dataset.finalProb), chosen: e.dataset.chosen === 'true' })),
    );
  await expect.poll(async () => (await bars('a')).length).toBeGreaterThan(0);
  const barsA = await bars('a');
  const barsB = await bars('b');
  expect(barsA.find((x) => x.chosen)?.id).toBe(a[d!]);
  expect(barsB.find((x) => x.chosen)?.id).toBe(b[d!]);
  for (const x of barsA) {
    const y = barsB.find((z) => z.id === x.id);
    if (y) expect(y.prob).toBeCloseTo(x.prob, 12);
  }
  // T 0.3 sharpens, T 1.2 flattens: the top token's final probability is higher in pane A
  expect(barsA[0].finalProb).toBeGreaterThan(barsA[0].prob);
  expect(barsB[0].finalProb).toBeLessThan(barsB[0].prob);
  await page.getByTestId('compare-panel').screenshot({ path: info.outputPath('compare-en.png') });
  await page.screenshot({ path: info.outputPath('compare-page-en.png'), fullPage: true });
  await shot(page, info, 'compare-en');

  await page.getByTestId('language-select').selectOption('zh-Hans');
  await expect(page.getByTestId('compare-step')).toHaveText(/两边各走一步/);
  expect(await englishLeft(page)).toEqual([]);
  await page.getByTestId('compare-panel').screenshot({ path: info.outputPath('compare-zh-Hans.png') });
  await shot(page, info, 'compare-zh-Hans');
  await page.getByTestId('language-select').selectOption('zh-Hant');
  await expect(page.getByTestId('compare-step')).toHaveText(/兩邊各走一步/);
  expect(await englishLeft(page)).toEqual([]);
  await page.getByTestId('language-select').selectOption('en');

  // a projector at 1024 px: presenter mode, nothing wider than the window
  await page.setViewportSize({ width: 1024, height: 768 });
  await page.getByTestId('presenter-toggle').click();
  await expect(page.getByTestId('presenter-toggle')).toHaveAttribute('aria-pressed', 'true');
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  await page.getByTestId('compare-panel').screenshot({ path: info.outputPath('compare-presenter-1024.png') });
  await shot(page, info, 'compare-presenter-1024');
  await page.getByTestId('presenter-toggle').click();
  await page.setViewportSize({ width: 1440, height: 900 });

  // the same two settings, each alone in the main session
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-pressed', 'false');
  await expect(page.getByTestId('compare-panel')).toHaveCount(0);
  const runA = await singleRun(app, N);
  await page.getByTestId('setting-temperature').fill('1.2');
  await app.waitIdle();
  const runB = await singleRun(app, N);
  expect(runA).toEqual(a);
  expect(runB).toEqual(b);
  expect(firstDifference(runA, runB)).toBe(d);
});

test('greedy vs beam 3: pane B shows the best hypothesis so far, at the end the beam-search result of a single-pane run', async ({ app, page }, info) => {
  const ref = reference.beam.find((x) => x.num_beams === 3 && x.text === 'And God said,')!;
  const N = ref.max_new_tokens;
  await app.open();
  await app.setPrompt(ref.text, ref.ids);
  await page.getByTestId('compare-toggle').click();
  await page.getByTestId('compare-preset').selectOption('greedy-beam');
  await idle(page);
  await page.getByTestId('setting-max-new-tokens').fill(String(N));
  await app.waitIdle();
  const shownB: number[][] = [];
  for (let i = 0; i < N; i++) {
    await stepBoth(app, 'button');
    await expect(paneChips(page, 'b')).toHaveCount(i + 1);
    shownB.push(await ids(app, 'b'));
  }
  const a = await ids(app, 'a');
  const b = await ids(app, 'b');
  // the final hypothesis is the torch reference's best; on the way, another beam led for a while
  expect(b).toEqual(ref.hypotheses[0].new_ids);
  expect(shownB.some((x) => x[0] !== b[0])).toBe(true);
  await expect(page.locator('[data-testid=compare-pane][data-pane=b]')).toContainText('Final best hypothesis');
  const d = firstDifference(a, b);
  expect(d).not.toBeNull();
  await expect(page.getByTestId('compare-divergence')).toHaveAttribute('data-step', String(d));
  await expect(page.locator('[data-testid=compare-dist][data-pane=b] [data-testid=compare-dist-bar][data-chosen=true]')).toHaveAttribute('data-token-id', String(b[d!]));
  await page.getByTestId('compare-panel').screenshot({ path: info.outputPath('compare-beam.png') });
  await shot(page, info, 'compare-beam');

  // single-pane runs: greedy, then beam search width 3
  await page.getByTestId('compare-toggle').click();
  const greedy = await singleRun(app, N);
  expect(greedy).toEqual(a);
  await page.getByTestId('reset').click();
  await app.waitIdle();
  await app.selectStrategy('beam');
  await expect(page.getByTestId('setting-beam-width')).toHaveValue('3');
  await page.getByTestId('run-to-end').click(); // the whole search (Step ▶ would reveal it one beam step at a time)
  await expect(page.getByTestId('beam-result').first()).toHaveAttribute('data-token-ids', b.join(','));
  expect(firstDifference(greedy, b)).toBe(d);
});

test('pane B settings: a change restarts pane B and replays it to pane A\'s length; invalid values are refused', async ({ app, page }) => {
  await app.open();
  await app.setPrompt('Once upon a time');
  await page.getByTestId('compare-toggle').click();
  await page.getByTestId('compare-preset').selectOption('top-p-min-p');
  await idle(page);
  for (let i = 0; i < 3; i++) await stepBoth(app, 'button');
  const input = page.getByTestId('compare-b-min-p');
  await expect(input).toHaveValue('0.1');
  await input.fill('1.5');
  await input.press('Enter');
  await expect(page.locator('[data-testid=compare-pane][data-pane=b] [role=alert]')).toBeVisible();
  await expect(page.getByTestId('compare-preset')).toHaveValue('top-p-min-p');
  // leaving the field shows the value in force again
  await page.getByTestId('compare-panel').locator('h2').click();
  await expect(input).toHaveValue('0.1');
  await expect(page.locator('[data-testid=compare-pane][data-pane=b] [role=alert]')).toHaveCount(0);
  // ← goes back in both panes
  await page.keyboard.press('ArrowLeft');
  await expect(paneChips(page, 'a')).toHaveCount(2);
  await expect(paneChips(page, 'b')).toHaveCount(2);
  await idle(page);
  await stepBoth(app, 'key');
  // greedy in pane B: replayed to three tokens, equal to a greedy single-pane run
  await page.getByTestId('compare-b-strategy').selectOption('greedy');
  await expect(paneChips(page, 'b')).toHaveCount(3);
  await idle(page);
  await expect(page.getByTestId('compare-preset')).toHaveValue('custom');
  const b = await ids(app, 'b');
  await page.getByTestId('compare-toggle').click();
  await app.selectStrategy('greedy');
  expect(await singleRun(app, 3)).toEqual(b);
});
