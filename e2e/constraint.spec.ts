import { test, expect, shot } from './fixtures.ts';

/** Text of the generated chips, from their bytes (`data-bytes`, hex). */
async function generatedText(app: { generated: import('@playwright/test').Locator }): Promise<string> {
  const hex = await app.generated.evaluateAll((els) => els.filter((e) => e.getAttribute('data-special') !== 'true').map((e) => e.getAttribute('data-bytes') ?? ''));
  const bytes = hex.join(' ').split(/\s+/).filter(Boolean).map((h) => parseInt(h, 16));
  return new TextDecoder().decode(Uint8Array.from(bytes));
}

test('a choice constraint masks every token that leaves the answers and ends at an answer (sampling at T = 2)', async ({ app, page }, info) => {
  await app.open();
  await app.setPrompt('Answer yes or no:');
  await app.selectStrategy('sample');
  await page.getByTestId('setting-temperature').fill('2');
  await page.getByTestId('setting-temperature').blur();
  await app.waitIdle();
  await page.getByTestId('constraint-kind').selectOption('choice');
  await page.getByTestId('constraint-input').fill(' yes\n no');
  await page.getByTestId('constraint-input').blur();
  await app.waitIdle();
  // the shown step: only tokens that begin an answer keep a final probability
  await expect.poll(async () => (await app.barData()).filter((b) => b.finalProb > 0).length).toBeLessThanOrEqual(6);
  expect((await app.barData()).some((b) => !b.kept)).toBe(true);
  const answers = [' yes', ' no'];
  for (let i = 0; i < 6; i++) {
    await app.step();
    const text = await generatedText(app);
    expect(answers.some((a) => a.startsWith(text)), text).toBe(true);
    if (await page.getByTestId('stop-reason').count()) break;
  }
  await expect(page.getByTestId('stop-reason')).toHaveAttribute('data-reason', 'eos');
  expect(answers).toContain(await generatedText(app));
  await shot(page, info, 'constraint-choice');
});
