/**
 * The stage: a projector at 1280×720 and 1920×1080 (presenter mode) and a 390×844 phone show the
 * prompt, the generated text, the top 8 bars and the dice strip without scrolling; lesson steps keep
 * their region in view and uncovered; the phone's tap targets are ≥ 40 px; sliders move the bars;
 * beam search is revealed one step at a time; the share link (with its Copy button) restores a
 * branch. Screenshots of the run go to docs/screenshots/ (shown in the README).
 */
import { test, expect, reference, type AppPage } from './fixtures.ts';
import type { Locator, Page } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import { LESSONS } from '../src/lessons/index.ts';

const SHOTS = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));
const PROMPT = 'Then Jesus said unto';

type W = { __app: { store: { getState(): { beamRun: { steps: unknown[]; viewStep: number; hypotheses: unknown[] | null } | null; busy: boolean } } } };

const VIEWS = [
  { name: 'presenter-1280x720', width: 1280, height: 720, presenter: true },
  { name: 'presenter-1920x1080', width: 1920, height: 1080, presenter: true },
  { name: 'phone-390x844', width: 390, height: 844, presenter: false },
] as const;

/** The element's box lies inside the viewport (no scrolling needed to see all of it). */
async function expectInViewport(page: Page, loc: Locator, what: string): Promise<void> {
  const box = await loc.boundingBox();
  expect(box, `${what} is rendered`).not.toBeNull();
  const vp = page.viewportSize()!;
  const b = box!;
  expect(b.y, `${what} top ${b.y}`).toBeGreaterThanOrEqual(0);
  expect(b.y + b.height, `${what} bottom ${b.y + b.height} ≤ ${vp.height}`).toBeLessThanOrEqual(vp.height + 0.5);
  expect(b.x, `${what} left`).toBeGreaterThanOrEqual(0);
  expect(b.x + b.width, `${what} right ${b.x + b.width} ≤ ${vp.width}`).toBeLessThanOrEqual(vp.width + 0.5);
}

async function px(loc: Locator, prop: 'fontSize'): Promise<number> {
  return loc.evaluate((e, p) => parseFloat(getComputedStyle(e)[p]), prop);
}

/** Opens the app at a size (presenter mode if asked), closes the welcome line, samples two tokens. */
async function stage(app: AppPage, page: Page, view: (typeof VIEWS)[number]): Promise<void> {
  await page.setViewportSize({ width: view.width, height: view.height });
  await app.open({ strategy: 'default' });
  // the first minute: a welcome line pointing at the lessons; sampling is the default strategy
  await expect(page.getByTestId('welcome')).toBeVisible();
  await expect(page.getByTestId('strategy')).toHaveValue('sample');
  await page.getByTestId('welcome-close').click();
  if (view.presenter) {
    await page.getByTestId('presenter-toggle').click();
    await expect(page.getByTestId('presenter-toggle')).toHaveAttribute('aria-pressed', 'true');
  }
  await app.setPrompt(PROMPT);
  await app.step();
  await app.step();
  await expect(page.getByTestId('dist-draw')).toHaveCount(1);
  await page.evaluate(() => window.scrollTo(0, 0));
}

for (const view of VIEWS) {
  test(`stage ${view.name}: prompt, text, top 8 bars and dice strip on one screen`, async ({ app, page }) => {
    await stage(app, page, view);
    await expectInViewport(page, app.prompt, 'prompt');
    await expectInViewport(page, app.generated.last(), 'generated text');
    const bars = app.bars;
    expect(await bars.count()).toBeGreaterThanOrEqual(8);
    for (let i = 0; i < 8; i++) await expectInViewport(page, bars.nth(i), `bar ${i + 1}`);
    await expectInViewport(page, page.getByTestId('dist-cumulative'), 'dice strip');
    if (view.width === 1920) {
      expect(await px(app.generated.first(), 'fontSize')).toBeGreaterThanOrEqual(24);
      expect(await px(bars.first().locator('.tok'), 'fontSize')).toBeGreaterThanOrEqual(20);
      expect(await px(bars.first().locator('.nums'), 'fontSize')).toBeGreaterThanOrEqual(20);
    }
    if (!view.presenter) {
      // phone: every visible control is a tap target of at least 40 × 40 px (a checkbox by its label)
      const small = await page.evaluate(() => {
        const out: string[] = [];
        for (const el of Array.from(document.querySelectorAll<HTMLElement>('button, select, input, summary, label.folder'))) {
          const target = el instanceof HTMLInputElement && (el.type === 'checkbox' || el.type === 'radio') ? (el.closest('label') ?? el) : el;
          if (el instanceof HTMLInputElement && el.type === 'file') continue;
          const r = target.getBoundingClientRect();
          const st = getComputedStyle(target);
          if (r.width === 0 || r.height === 0 || st.visibility === 'hidden' || target.closest('.sr-only')) continue;
          if (r.height < 40 || r.width < 40) out.push(`${target.tagName} ${target.getAttribute('data-testid') ?? target.textContent?.slice(0, 20)}: ${Math.round(r.width)}×${Math.round(r.height)}`);
        }
        return out;
      });
      expect(small, 'tap targets under 40 px').toEqual([]);
      // the Step / Back bar stays on screen while scrolling
      await page.evaluate(() => window.scrollTo(0, 1200));
      await expectInViewport(page, app.stepForward, 'Step ▶ after scrolling');
      await expectInViewport(page, app.stepBack, 'Back after scrolling');
      await page.evaluate(() => window.scrollTo(0, 0));
    }
    await page.screenshot({ path: `${SHOTS}stage-${view.name}.png` });
  });
}

test('student view hides engineering details; the stage chips explain themselves on hover', async ({ app, page }) => {
  await app.open({ strategy: 'default' });
  await expect(page.getByTestId('welcome')).toBeVisible();
  await page.screenshot({ path: `${SHOTS}first-minute-1440x900.png` });
  const toggle = page.getByTestId('student-view-toggle');
  await expect(toggle).toHaveAttribute('aria-pressed', 'true');
  for (const id of ['status-device', 'status-threads', 'status-isolation']) await expect(page.getByTestId(id)).toBeHidden();
  await expect(page.getByTestId('setting-processor-order')).toBeHidden();
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-pressed', 'false');
  for (const id of ['status-device', 'status-threads', 'status-isolation', 'setting-processor-order']) await expect(page.getByTestId(id)).toBeVisible();
  await toggle.click();
  // every stage chip has a plain label and a one-line explanation
  const chips = page.locator('.stage-select [role=radio]');
  expect(await chips.count()).toBeGreaterThan(1);
  for (const title of await chips.evaluateAll((els) => els.map((e) => e.getAttribute('title') ?? ''))) expect(title.length).toBeGreaterThan(10);
  await expect(chips.first()).toHaveText('Model');
});

test('sliders move the bars live; a rejected value keeps its message after leaving the field', async ({ app, page }) => {
  await app.open({ strategy: 'default' });
  await app.setPrompt(PROMPT);
  const before = await app.barData();
  expect(before.slice(0, 8).every((b) => b.kept)).toBe(true);
  // top-p 0.5 cuts bars on this prompt (the example chosen for it)
  await page.getByTestId('setting-top-p-slider').fill('0.5');
  await expect(page.getByTestId('setting-top-p')).toHaveValue('0.5');
  await expect.poll(async () => (await app.barData()).slice(0, 8).filter((b) => !b.kept).length).toBeGreaterThan(0);
  const cut = await app.barData();
  expect(cut.map((b) => b.finalProb)).not.toEqual(before.map((b) => b.finalProb));
  expect(cut.map((b) => b.prob)).toEqual(before.map((b) => b.prob));
  await page.getByTestId('setting-top-p-slider').fill('1');
  await expect.poll(async () => (await app.barData()).map((b) => b.finalProb)).toEqual(before.map((b) => b.finalProb));
  // temperature runs to 5 with a note above 2
  await page.getByTestId('setting-temperature-slider').fill('3');
  await expect(page.getByTestId('temperature-note')).toBeVisible();
  await expect.poll(async () => (await app.barData())[0].finalProb).toBeLessThan(before[0].finalProb);
  await page.getByTestId('setting-temperature-slider').fill('1');
  await expect(page.getByTestId('temperature-note')).toHaveCount(0);
  // min-p and top-k sliders move the bars too
  for (const [id, v] of [['setting-min-p-slider', '0.1'], ['setting-top-k-slider', '5']] as const) {
    await page.getByTestId(id).fill(v);
    await expect.poll(async () => (await app.barData()).slice(0, 8).filter((b) => !b.kept).length).toBeGreaterThan(0);
    await page.getByTestId(id).fill(id === 'setting-min-p-slider' ? '0' : '0');
    await expect.poll(async () => (await app.barData()).slice(0, 8).filter((b) => !b.kept).length).toBe(0);
  }
  // a rejected value stays, with its message, after the field is left; Dismiss restores the value in force
  const topK = page.getByTestId('setting-top-k');
  await topK.fill('99999');
  await topK.blur();
  await expect(topK).toHaveValue('99999');
  await expect(topK).toHaveAttribute('aria-invalid', 'true');
  const msg = page.locator('.field-error').filter({ hasText: '99999' });
  await expect(msg).toBeVisible();
  await msg.getByRole('button').click();
  await expect(topK).toHaveValue('0');
  await expect(topK).toHaveAttribute('aria-invalid', 'false');
});

test('beam search: one Step ▶ reveals one beam step; the result only at the last step; Run to end shows all', async ({ app, page }) => {
  const b = reference.beam[0];
  await app.open();
  await app.setPrompt(b.text, b.ids);
  await app.selectStrategy('beam');
  await page.getByTestId('setting-beam-width').fill(String(b.num_beams));
  await page.getByTestId('setting-max-new-tokens').fill(String(b.max_new_tokens));
  await app.waitIdle();
  const deepest = () => page.getByTestId('beam-node').evaluateAll((els) => Math.max(-1, ...els.map((e) => Number(e.getAttribute('data-step')))));
  const run = () => page.evaluate(() => (window as unknown as W).__app.store.getState().beamRun);
  await app.stepForward.click();
  await expect.poll(async () => (await run())?.hypotheses?.length ?? 0, { timeout: 60_000 }).toBeGreaterThan(0);
  await app.waitIdle();
  const total = (await run())!.steps.length;
  expect(total).toBeGreaterThan(2);
  expect(await deepest()).toBe(0);
  await expect(page.getByTestId('beam-result')).toHaveCount(0);
  await expect(app.generated).toHaveCount(0);
  await expect(page.getByTestId('beam-pending')).toBeVisible();
  for (let k = 1; k < total; k++) {
    await app.stepForward.click();
    await expect.poll(deepest).toBe(k);
    if (k < total - 1) {
      await expect(page.getByTestId('beam-result')).toHaveCount(0);
      await expect(app.generated).toHaveCount(0);
    }
    if (k === 1) await page.locator('section.beam-tree').screenshot({ path: `${SHOTS}beam-step-2.png` });
  }
  await expect(page.getByTestId('beam-result')).toHaveCount(b.hypotheses.length);
  expect(await app.tokenIds(app.generated)).toEqual(b.hypotheses[0].new_ids);
  // Back hides the result again; Run to end shows all of it at once
  await app.stepBack.click();
  await expect.poll(deepest).toBe(total - 2);
  await expect(page.getByTestId('beam-result')).toHaveCount(0);
  await page.getByTestId('run-to-end').click();
  await expect(page.getByTestId('beam-result')).toHaveCount(b.hypotheses.length);
  expect(await deepest()).toBe(total - 1);
});

test('the share link carries the explored branches and restores them; Copy says copied', async ({ app, page, browser, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await app.open();
  const g = reference.greedy[0];
  await app.setPrompt(g.text, g.ids);
  await app.step();
  await app.step();
  await app.step();
  const first = await app.tokenIds(app.generated);
  await app.stepBack.click();
  await app.waitIdle();
  await app.bars.nth(2).click(); // a branch at the step the chart shows
  await app.waitIdle();
  await app.step();
  const second = await app.tokenIds(app.generated);
  expect(second[0]).toBe(first[0]);
  expect(second.join()).not.toBe(first.join());
  await page.getByTestId('share-copy').click();
  await expect(page.getByTestId('share-copy')).toContainText('Copied');
  const url = await page.getByTestId('share-link').inputValue();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);

  const other = await browser.newContext();
  const p2 = await other.newPage();
  await p2.goto(url.replace(/^http:\/\/localhost:\d+/, ''));
  const { AppPage } = await import('./fixtures.ts');
  const app2 = new AppPage(p2);
  await expect(app2.status).toHaveAttribute('data-state', 'ready', { timeout: 90_000 });
  // the current branch is shown, and the other branch is in the tree: its leaf can be opened
  await expect.poll(() => app2.tokenIds(app2.generated), { timeout: 30_000 }).toEqual(second);
  await expect(p2.getByTestId('error-message')).toHaveCount(0);
  const leaves = await p2.evaluate(() => {
    const s = (window as unknown as { __app: { store: { getState(): { tree: { nodes: { id: number; children: number[]; edge: { tokenId: number } | null; parent: number | null }[] } } } } }).__app.store.getState();
    const nodes = s.tree.nodes;
    const seq = (id: number): number[] => (nodes[id].parent === null ? [] : [...seq(nodes[id].parent!), nodes[id].edge!.tokenId]);
    return nodes.filter((n) => n.children.length === 0).map((n) => seq(n.id));
  });
  expect(leaves).toContainEqual(first);
  expect(leaves).toContainEqual(second);
  await other.close();
});

for (const view of [VIEWS[0], VIEWS[2]]) {
  test(`lesson steps keep their highlighted region in view and uncovered (${view.name})`, async ({ app, page }) => {
    test.setTimeout(600_000);
    await page.setViewportSize({ width: view.width, height: view.height });
    await app.open();
    if (view.presenter) await page.getByTestId('presenter-toggle').click();
    if (await page.getByTestId('welcome').isVisible()) await page.getByTestId('welcome-close').click();
    if (!(await page.getByTestId('lessons-toggle').isVisible())) await page.locator('.menu-toggle').click();
    await page.getByTestId('lessons-toggle').click();
    for (const lesson of LESSONS) {
      await page.locator(`[data-testid=lesson-item][data-lesson-id="${lesson.id}"]`).click({ timeout: 60_000 });
      for (let k = 0; k < lesson.steps.length; k++) {
        if (k > 0) await page.getByTestId('lesson-next').click({ timeout: 60_000 });
        await expect(page.getByTestId('lesson-step')).toHaveAttribute('data-step', String(k));
        await expect(page.getByTestId('lesson-running')).toHaveCount(0, { timeout: 60_000 });
        await app.waitIdle().catch(() => undefined);
        const region = page.locator(`[data-region="${lesson.steps[k].region}"]`);
        await expect(region).toHaveAttribute('data-highlight', 'true');
        await page.waitForTimeout(100);
        const r = await region.evaluate((el) => {
          const box = el.getBoundingClientRect();
          // what sticks at the top: the lesson panel, and on phones the Step / Back bar under it
          const panelBox = document.querySelector('.lesson-panel')!.getBoundingClientRect();
          const controls = document.querySelector('[data-region="controls"]')!;
          const cbox = controls.getBoundingClientRect();
          // the bar counts as the top of the room where it is stuck right under the panel, or sits in the
          // flow just under it with the region right below (it is then where it would stick)
          const sticky = !el.matches('[data-region="controls"]') && getComputedStyle(controls).position === 'sticky' && cbox.top <= panelBox.bottom + 40 && cbox.bottom <= box.top + 1;
          const panel = { bottom: sticky ? Math.max(panelBox.bottom, cbox.bottom) : panelBox.bottom };
          const status = document.querySelector('.status-bar')!;
          const fixed = getComputedStyle(status).position === 'fixed';
          const statusTop = fixed ? status.getBoundingClientRect().top : innerHeight;
          const top = Math.max(box.top, 0);
          const bottom = Math.min(box.bottom, statusTop);
          // points along the visible part's middle line must hit the region itself (nothing on top)
          const ys = [top + 6, (top + bottom) / 2, bottom - 6];
          const covered = ys.filter((y) => {
            const hit = document.elementFromPoint(box.left + Math.min(40, box.width / 2), y);
            return !hit || !el.contains(hit);
          });
          return { top: box.top, bottom: box.bottom, height: box.height, panelBottom: panel.bottom, statusTop, vh: innerHeight, covered: covered.length };
        });
        const where = `${view.name} ${lesson.id} step ${k + 1} (${lesson.steps[k].region}): ${JSON.stringify(r)}`;
        const room = r.statusTop - r.panelBottom;
        expect(r.top, where).toBeGreaterThanOrEqual(r.panelBottom - 1);
        // a region that fits the room left is wholly inside it; a taller one fills it from its top
        if (r.height <= room) expect(r.bottom, where).toBeLessThanOrEqual(r.statusTop + 1);
        else expect(r.top, where).toBeLessThanOrEqual(r.panelBottom + 40);
        expect(r.covered, where).toBe(0);
        if (view.presenter && lesson.id === 'choosing' && k === 1) await page.screenshot({ path: `${SHOTS}lesson-presenter-1280x720.png` });
      }
      await page.getByRole('button', { name: 'All lessons' }).click({ timeout: 60_000 });
    }
  });
}

for (const language of ['zh-Hans', 'zh-Hant'] as const) {
  test(`stage screenshots in ${language} (presenter 1280×720 and phone)`, async ({ app, page }) => {
    for (const view of [VIEWS[0], VIEWS[2]]) {
      await page.setViewportSize({ width: view.width, height: view.height });
      await app.open({ strategy: 'default' });
      if (await page.getByTestId('welcome').isVisible()) await page.getByTestId('welcome-close').click();
      if (!(await page.getByTestId('language-select').isVisible())) await page.locator('.menu-toggle').click();
      await page.getByTestId('language-select').selectOption(language);
      if (await page.locator('.app-header.menu-open').count()) await page.locator('.menu-toggle').click();
      if (view.presenter && (await page.getByTestId('presenter-toggle').getAttribute('aria-pressed')) !== 'true') await page.getByTestId('presenter-toggle').click();
      if (!view.presenter && (await page.getByTestId('presenter-toggle').getAttribute('aria-pressed')) === 'true') {
        await page.locator('.menu-toggle').click();
        await page.getByTestId('presenter-toggle').click();
        await page.locator('.menu-toggle').click();
      }
      await app.setPrompt(view.presenter ? '子曰：' : '白日依山尽，'); // a new prompt each time (the session is restored)
      await app.step();
      await app.step();
      await page.evaluate(() => window.scrollTo(0, 0));
      await expectInViewport(page, page.getByTestId('dist-cumulative'), 'dice strip');
      await page.screenshot({ path: `${SHOTS}stage-${view.name}-${language}.png` });
    }
  });
}

test('Monte-Carlo: the continuations as a tree with counts as widths; the histogram full width with every label', async ({ app, page }) => {
  test.setTimeout(180_000);
  await app.open({ strategy: 'default' });
  await app.setPrompt(PROMPT);
  await page.getByTestId('mc-run').click();
  await expect(page.getByTestId('mc-bar').first()).toBeVisible({ timeout: 60_000 });
  // the histogram spans its panel, and every column carries its token label
  const widths = await page.locator('.mc-hist').evaluate((f) => ({ svg: f.querySelector('svg')!.getBoundingClientRect().width, panel: f.getBoundingClientRect().width }));
  expect(widths.svg).toBeGreaterThan(widths.panel * 0.95);
  const labels = await page.locator('.mc-hist .mc-label').count();
  expect(labels).toBe(await page.locator('[data-testid=mc-bar], [data-testid=mc-rest]').count());
  await page.getByTestId('mc-tree-n').fill('40');
  await page.getByTestId('mc-tree-length').fill('3');
  await page.getByTestId('mc-tree-run').click();
  const nodes = page.getByTestId('mc-tree-node');
  await expect(nodes.first()).toBeVisible({ timeout: 60_000 });
  // each link's width is proportional to the continuations through its node
  const links = await page.locator('.mc-tree path.mc-link').evaluateAll((els) => els.map((e) => parseFloat((e as SVGPathElement).style.strokeWidth)));
  const visits = await nodes.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-visits'))));
  expect(links.length).toBe(visits.length);
  const sorted = (a: number[]) => [...a].sort((x, y) => x - y);
  expect(sorted(links).map((w) => Math.round(w * 1000))).toEqual(sorted(visits.map((v) => Math.max(1, (14 * v) / 40))).map((w) => Math.round(w * 1000)));
  await page.locator('section.mc').screenshot({ path: `${SHOTS}monte-carlo-tree.png` });
});
