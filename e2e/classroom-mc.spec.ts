/**
 * Classroom tools on the real embedded model in Chromium: Monte-Carlo histograms checked with a
 * chi-squared test and the total variation distance computed here from the DOM, the seeded
 * generator's reproducibility, the predict-then-reveal quiz and the class vote.
 */
import jStat from 'jstat';
import type { Locator, Page } from '@playwright/test';
import { test, expect, shot, reference } from './fixtures.ts';
import { GLOSSARY } from '../src/i18n/glossary.ts';

// The embedded model's next token after this prompt is the rest of "created": a concentrated step
const MC_PROMPT = 'In the beginning God creat';

interface Column {
  id: number;
  count: number;
  freq: number;
  prob: number;
  finalProb: number;
}

async function histogram(page: Page): Promise<{ bars: Column[]; rest: Column }> {
  const all = await page.locator('[data-testid=mc-bar], [data-testid=mc-rest]').evaluateAll((els) =>
    els.map((e) => ({
      id: e.getAttribute('data-testid') === 'mc-rest' ? -1 : Number(e.getAttribute('data-token-id')),
      count: Number(e.getAttribute('data-count')),
      freq: Number(e.getAttribute('data-freq')),
      prob: Number(e.getAttribute('data-prob')),
      finalProb: Number(e.getAttribute('data-final-prob')),
    })),
  );
  return { bars: all.filter((c) => c.id >= 0), rest: all.find((c) => c.id < 0)! };
}

async function runMc(page: Page, n: number): Promise<void> {
  await page.getByTestId('mc-n').selectOption(String(n));
  await page.getByTestId('mc-run').click();
  await expect(page.getByTestId('mc-run')).toBeEnabled();
  await expect.poll(async () => (await histogram(page)).bars.concat((await histogram(page)).rest).reduce((a, b) => a + b.count, 0)).toBe(n);
  // a full-vocabulary model: no top-N approximation note (server-topn.spec.ts checks the note)
  await expect(page.getByTestId('mc-approx')).toHaveCount(0);
}

/**
 * Pearson's chi-squared statistic, computed here: bins with expected count ≥ 5 on their own, the
 * others pooled with the "rest" bucket; a pooled bin still below 5 joins the smallest bin.
 */
function chiSquared(bars: Column[], rest: Column, n: number): { stat: number; dof: number } {
  const bins: { o: number; e: number }[] = [];
  let pool = { o: rest.count, e: rest.finalProb * n };
  for (const b of bars) {
    const e = b.finalProb * n;
    if (e >= 5) bins.push({ o: b.count, e });
    else pool = { o: pool.o + b.count, e: pool.e + e };
  }
  if (pool.e >= 5) bins.push(pool);
  else if (pool.e > 0) {
    const smallest = bins.reduce((m, b) => (b.e < m.e ? b : m));
    smallest.o += pool.o;
    smallest.e += pool.e;
  }
  return { stat: bins.reduce((a, b) => a + (b.o - b.e) ** 2 / b.e, 0), dof: bins.length - 1 };
}

test('Monte-Carlo: N = 10,000 samples fit the distribution (chi-squared at 0.001, TVD < 0.03); the seed decides the samples', async ({ app, page }, info) => {
  test.setTimeout(180_000);
  await app.open();
  await app.setPrompt(MC_PROMPT);
  const V = reference.vocab_size;
  await runMc(page, 10000);
  const { bars, rest } = await histogram(page);
  expect(bars).toHaveLength(50);

  // default sampling settings: the final distribution is the model's, and the chart agrees
  for (const b of bars) expect(b.finalProb).toBeCloseTo(b.prob, 12);
  const distBars = await app.barData();
  for (const d of distBars) {
    const b = bars.find((x) => x.id === d.id);
    if (b) expect(b.prob).toBeCloseTo(d.prob, 12);
  }
  expect(bars.slice(0, distBars.length).map((b) => b.id)).toEqual(distBars.map((d) => d.id));

  // perplexity ≤ 20: an upper bound on the entropy from the 50 bars, with the rest mass spread evenly over the other tokens
  let hBits = 0;
  for (const b of bars) if (b.prob > 0) hBits -= b.prob * Math.log2(b.prob);
  if (rest.prob > 0) hBits += rest.prob * Math.log2((V - bars.length) / rest.prob);
  expect(2 ** hBits).toBeLessThanOrEqual(20);

  // shares are counts / N
  for (const b of [...bars, rest]) expect(b.freq).toBeCloseTo(b.count / 10000, 12);

  const { stat, dof } = chiSquared(bars, rest, 10000);
  expect(dof).toBeGreaterThanOrEqual(3);
  const critical = jStat.chisquare.inv(0.999, dof);
  expect(stat).toBeLessThan(critical);
  info.annotations.push({ type: 'chi-squared', description: `statistic ${stat.toFixed(2)}, ${dof} degrees of freedom, critical value at 0.001 ${critical.toFixed(2)}` });

  // TVD with tokens outside the top 50 pooled: computed here, and equal to what the page shows
  const tvd = (bars.reduce((a, b) => a + Math.abs(b.freq - b.finalProb), 0) + Math.abs(rest.freq - rest.finalProb)) / 2;
  expect(tvd).toBeLessThan(0.03);
  info.annotations.push({ type: 'tvd', description: tvd.toFixed(4) });
  expect(Number(await page.getByTestId('mc-tvd').getAttribute('data-tvd'))).toBeCloseTo(tvd, 12);
  await shot(page, info, 'mc-10000');

  // the same seed draws the same samples; another seed other samples
  const first = bars.map((b) => b.count).join();
  await page.getByTestId('mc-run').click();
  await expect(page.getByTestId('mc-run')).toBeEnabled();
  expect((await histogram(page)).bars.map((b) => b.count).join()).toBe(first);
  await app.selectStrategy('sample');
  await page.getByTestId('setting-seed').fill('43');
  await expect(page.getByText(/other settings: draw again/)).toBeVisible();
  await runMc(page, 10000);
  const other = (await histogram(page)).bars.map((b) => b.count).join();
  expect(other).not.toBe(first);
  await page.getByTestId('setting-seed').fill('42');
  await runMc(page, 10000);
  expect((await histogram(page)).bars.map((b) => b.count).join()).toBe(first);

  // smaller N: the first 100 of the samples, further from the probabilities
  await runMc(page, 100);
  const small = await histogram(page);
  const tvd100 = (small.bars.reduce((a, b) => a + Math.abs(b.freq - b.finalProb), 0) + Math.abs(small.rest.freq - small.rest.finalProb)) / 2;
  expect(tvd100).toBeGreaterThan(tvd);
});

test('Monte-Carlo continuations: N paths of length L merged into a tree with consistent visit counts', async ({ app, page }, info) => {
  test.setTimeout(120_000);
  await app.open();
  await app.setPrompt('And the LORD spake');
  await page.getByTestId('mc-tree-n').fill('60');
  await page.getByTestId('mc-tree-length').fill('3');
  await page.getByTestId('mc-tree-run').click();
  const nodes = page.getByTestId('mc-tree-node');
  await expect(nodes.first()).toBeVisible({ timeout: 60_000 });
  const data = await nodes.evaluateAll((els) =>
    els.map((e) => ({
      id: Number(e.getAttribute('data-token-id')),
      visits: Number(e.getAttribute('data-visits')),
      parentVisits: Number(e.getAttribute('data-parent-visits')),
      depth: Number(e.getAttribute('data-depth')),
      prob: Number(e.getAttribute('data-prob')),
    })),
  );
  const level1 = data.filter((d) => d.depth === 1);
  expect(level1.reduce((a, d) => a + d.visits, 0)).toBe(60);
  for (const d of data) {
    expect(d.depth).toBeGreaterThanOrEqual(1);
    expect(d.depth).toBeLessThanOrEqual(3);
    expect(d.visits).toBeLessThanOrEqual(d.parentVisits);
  }
  // every path that did not end runs to length 3
  const eos = reference.eos_token_id;
  const ended = data.filter((d) => d.id === eos).reduce((a, d) => a + d.visits, 0);
  expect(data.filter((d) => d.depth === 3).reduce((a, d) => a + d.visits, 0) + ended).toBeGreaterThanOrEqual(60 - ended);
  // the first level's probabilities are the chart's
  const bars = await app.barData();
  for (const d of level1) {
    const b = bars.find((x) => x.id === d.id);
    if (b) expect(d.prob).toBeCloseTo(b.prob, 12);
  }
  await shot(page, info, 'mc-tree');
});

test('quiz: the bars stay hidden until the guess; picking the top token scores', async ({ app, page }, info) => {
  const g = reference.greedy[0];
  await app.open();
  await app.setPrompt(g.text);
  await page.getByTestId('quiz-toggle').click();
  await expect(page.getByTestId('quiz-toggle')).toHaveAttribute('aria-pressed', 'true');
  await expect(app.bars).toHaveCount(0);
  await expect(page.getByTestId('quiz-hidden')).toBeVisible();
  const options = page.getByTestId('quiz-option');
  await expect(options).toHaveCount(5);
  const ids = await app.tokenIds(options);
  // the torch reference's most probable first token is among the options
  const top = g.steps[0].top5_ids[0];
  expect(ids).toContain(top);
  await shot(page, info, 'quiz-question');
  await page.locator(`[data-testid=quiz-option][data-token-id="${top}"]`).click();
  await expect(page.getByTestId('quiz-score')).toHaveAttribute('data-right', '1');
  await expect(page.getByTestId('quiz-score')).toHaveAttribute('data-total', '1');
  await expect(page.getByTestId('quiz-reveal')).toHaveAttribute('data-correct', 'true');
  await expect(app.bars.first()).toBeVisible();
  expect((await app.barData())[0].id).toBe(top);
  const ranks = await page.getByTestId('quiz-rank').evaluateAll((els) => els.map((e) => [Number(e.getAttribute('data-token-id')), Number(e.getAttribute('data-rank')), Number(e.getAttribute('data-prob'))] as const));
  expect(ranks[0]).toEqual([top, 1, expect.any(Number)]);
  expect(ranks[0][2]).toBeCloseTo(g.steps[0].top5_probs[0], 4);
  for (let i = 1; i < ranks.length; i++) expect(ranks[i][2]).toBeLessThanOrEqual(ranks[i - 1][2]);
  await shot(page, info, 'quiz-reveal');

  // next step: a new question; a wrong pick does not score
  await app.step();
  await expect(options).toHaveCount(5);
  const next = await app.tokenIds(options);
  const wrong = next.find((id) => id !== g.steps[1].top5_ids[0])!;
  await page.locator(`[data-testid=quiz-option][data-token-id="${wrong}"]`).click();
  await expect(page.getByTestId('quiz-reveal')).toHaveAttribute('data-correct', 'false');
  await expect(page.getByTestId('quiz-score')).toHaveAttribute('data-right', '1');
  await expect(page.getByTestId('quiz-score')).toHaveAttribute('data-total', '2');
});

async function attrNumbers(loc: Locator, attr: string): Promise<number[]> {
  return loc.evaluateAll((els, a) => els.map((e) => Number(e.getAttribute(a))), attr);
}

test('class vote: counts, the class beside the model with their TVD, the class choice appended, the text probability', async ({ app, page }, info) => {
  await app.open();
  await app.setPrompt('And the LORD spake unto');
  await page.getByTestId('vote-toggle').click();
  await expect(page.getByTestId('vote-toggle')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('sentence-prob')).toHaveAttribute('data-prob', '1');
  const options = page.getByTestId('vote-option');
  await expect(options).toHaveCount(5);
  await expect(app.bars).toHaveCount(0); // the model stays hidden until the reveal
  const ids = await app.tokenIds(options);
  // 2 clicks on B, 6 typed for D, 1 click on E
  await options.nth(1).click();
  await options.nth(1).click();
  await page.getByTestId('vote-count').nth(3).fill('6');
  await options.nth(4).click();
  expect(await attrNumbers(options, 'data-votes')).toEqual([0, 2, 0, 6, 1]);
  await page.getByTestId('vote-reveal').click();
  await expect(app.bars.first()).toBeVisible();
  const shares = await attrNumbers(page.getByTestId('vote-class-bar'), 'data-share');
  expect(shares.map((s) => s * 9)).toEqual([0, 2, 0, 6, 1].map((v) => expect.closeTo(v, 9)));
  const model = await attrNumbers(page.getByTestId('vote-model-bar'), 'data-prob');
  const bars = await app.barData();
  ids.forEach((id, i) => expect(model[i]).toBeCloseTo(bars.find((b) => b.id === id)!.prob, 12));
  const restModel = 1 - model.reduce((a, b) => a + b, 0);
  const tvd = (shares.reduce((a, s, i) => a + Math.abs(s - model[i]), 0) + restModel) / 2;
  expect(Number(await page.getByTestId('vote-tvd').getAttribute('data-tvd'))).toBeCloseTo(tvd, 12);
  await shot(page, info, 'vote-reveal');

  // the class's choice (D, 6 votes) becomes the next token
  await page.getByTestId('vote-append-class').click();
  await expect(app.generated).toHaveCount(1);
  expect(await app.tokenIds(app.generated)).toEqual([ids[3]]);
  const p1 = await attrNumbers(app.generated, 'data-prob');
  expect(p1[0]).toBeCloseTo(model[3], 12);
  await expect.poll(async () => Number(await page.getByTestId('sentence-prob').getAttribute('data-prob'))).toBeCloseTo(p1[0], 12);

  // the model's choice (greedy) after it: the text probability is the product of the chips' model probabilities
  await page.getByTestId('vote-append-model').click();
  await expect(app.generated).toHaveCount(2);
  const chips = await attrNumbers(app.generated, 'data-prob');
  const product = chips.reduce((a, b) => a * b, 1);
  await expect.poll(async () => Number(await page.getByTestId('sentence-prob').getAttribute('data-prob'))).toBeCloseTo(product, 12);
  const logp = Number(await page.getByTestId('sentence-prob').getAttribute('data-logprob'));
  expect(logp).toBeCloseTo(Math.log(product), 9);
  expect(product).toBeLessThan(p1[0]);
});

// Latin-script words left after removing token text, numbers and the glossary (as in i18n.spec.ts)
function englishLeft(text: string): string[] {
  let t = text;
  for (const term of [...GLOSSARY].sort((a, b) => b.length - a.length)) t = t.split(term).join(' ');
  return (t.match(/[A-Za-z]{2,}/g) ?? []).filter((w) => w !== 'tiny' && w !== 'bilingual' && w !== 'gpt');
}

for (const lang of ['zh-Hans', 'zh-Hant'] as const) {
  test(`${lang}: the classroom panels are translated`, async ({ app, page }, info) => {
    test.setTimeout(120_000);
    await app.open();
    await app.setPrompt(MC_PROMPT);
    await page.getByTestId('mc-run').click();
    await expect(page.getByTestId('mc-bar').first()).toBeVisible();
    await page.getByTestId('mc-tree-n').fill('20');
    await page.getByTestId('mc-tree-run').click();
    await expect(page.getByTestId('mc-tree-node').first()).toBeVisible({ timeout: 60_000 });
    await page.getByTestId('vote-toggle').click();
    await page.getByTestId('vote-option').first().click();
    await page.getByTestId('vote-reveal').click();
    await page.getByTestId('quiz-toggle').click();
    await page.getByTestId('quiz-option').first().click();
    await page.getByTestId('language-select').selectOption(lang);
    await expect(page.locator('html')).toHaveAttribute('lang', lang);
    const text = await page.evaluate(() => {
      const parts = ['.panel.mc', '.panel.quiz', '.panel.vote', '.panel.dist'].map((sel) => {
        const root = document.querySelector(sel)!.cloneNode(true) as HTMLElement;
        root.querySelectorAll('.chip, .tok, textarea, input, svg text, svg title, select, .url').forEach((e) => e.remove());
        return root.innerText;
      });
      return parts.join('\n');
    });
    expect(englishLeft(text)).toEqual([]);
    await shot(page, info, `classroom-${lang}`);
  });
}
