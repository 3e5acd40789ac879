import { test, expect, shot, reference } from './fixtures.ts';

test('click the 2nd bar: a new branch appears; jumping back keeps the first branch intact', async ({ app, page }, info) => {
  await app.open();
  const g = reference.greedy[0];
  await app.setPrompt(g.text, g.ids);
  for (let s = 0; s < 4; s++) await app.step();
  const firstBranch = await app.tokenIds(app.generated);
  const firstText = (await app.generated.allTextContents()).join('');
  const nodesBefore = await app.pathNodes.count();
  // the chart shows how token 4 was chosen; choose the 2nd bar instead
  const second = (await app.barData())[1];
  await app.bars.nth(1).click();
  await app.waitIdle();
  await expect(app.pathNodes).toHaveCount(nodesBefore + 1);
  const branched = await app.tokenIds(app.generated);
  expect(branched.slice(0, 3)).toEqual(firstBranch.slice(0, 3));
  expect(branched[3]).toBe(second.id);
  await shot(page, info, 'branched');
  // jump back to the end of the first branch
  const lastOfFirst = page.locator(`[data-testid=path-node][data-node-id="4"]`);
  await lastOfFirst.click();
  await app.waitIdle();
  expect(await app.tokenIds(app.generated)).toEqual(firstBranch);
  expect((await app.generated.allTextContents()).join('')).toBe(firstText);
  await expect(lastOfFirst).toHaveAttribute('data-current', 'true');
});

test('changing temperature re-renders the step without a forward pass', async ({ app, page }, info) => {
  await app.open();
  await app.selectStrategy('sample');
  await app.step();
  await app.step();
  const before = await app.barData();
  const forwards = await app.forwardCount();
  await page.getByTestId('setting-temperature').fill('0.5');
  await expect.poll(async () => (await app.barData()).map((b) => b.finalProb)).not.toEqual(before.map((b) => b.finalProb));
  const after = await app.barData();
  // the model probabilities are the same; only the processed ones changed
  expect(after.map((b) => b.prob)).toEqual(before.map((b) => b.prob));
  expect(await app.forwardCount()).toBe(forwards);
  await shot(page, info, 'temperature-0.5');
});

test('invalid settings are rejected at the control with the valid range', async ({ app, page }) => {
  await app.open();
  await app.selectStrategy('sample');
  const topP = page.getByTestId('setting-top-p');
  await topP.fill('1.5');
  await expect(page.getByText('Valid range: (0, 1]')).toBeVisible();
  await expect(topP).toHaveAttribute('aria-invalid', 'true');
  await topP.fill('');
  await expect(page.getByText('Valid range: (0, 1]')).toBeVisible();
  await topP.fill('0.9');
  await expect(topP).toHaveAttribute('aria-invalid', 'false');
});

test('beam search width 3: 3 live beams per step; the ranking equals the torch reference', async ({ app, page }, info) => {
  const b = reference.beam[0];
  await app.open();
  await app.setPrompt(b.text, b.ids);
  const results = await app.runBeamSearch(b, b.hypotheses.length);
  results.forEach((r, i) => {
    expect(r.ids).toEqual(b.hypotheses[i].new_ids);
    expect(Math.abs(r.score - b.hypotheses[i].score)).toBeLessThan(1e-4);
  });
  // step through the beam tree: every step but the last keeps exactly 3 beams
  const steps = await page.getByTestId('beam-node').evaluateAll((els) => els.map((e) => [Number(e.getAttribute('data-step')), e.getAttribute('data-state')] as const));
  const total = Math.max(...steps.map((s) => s[0])) + 1;
  for (let s = 0; s < total - 1; s++) expect(steps.filter(([st, state]) => st === s && state === 'kept').length).toBe(3);
  await shot(page, info, 'beam');
});
