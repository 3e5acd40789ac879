import { test, expect, shot, reference } from './fixtures.ts';

test('keyboard-only walkthrough: type, step with →, back with ←, Home/End, Space plays, Tab reaches a bar', async ({ app, page }, info) => {
  await app.open();
  const g = reference.greedy[0];
  await app.prompt.focus();
  await page.keyboard.press('Control+A');
  await page.keyboard.type(g.text);
  await expect.poll(() => app.tokenIds(app.promptTokens)).toEqual(g.ids);
  await app.waitIdle();
  // leave the textarea, then use the global keys
  await page.keyboard.press('Tab');
  await page.locator('body').focus();
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  for (let i = 0; i < 3; i++) {
    await page.keyboard.press('ArrowRight');
    await expect(app.generated).toHaveCount(i + 1);
    await app.waitIdle();
  }
  expect(await app.tokenIds(app.generated)).toEqual(g.new_ids.slice(0, 3));
  await page.keyboard.press('ArrowLeft');
  await expect(app.generated).toHaveCount(2);
  await page.keyboard.press('Home');
  await expect(app.generated).toHaveCount(0);
  await page.keyboard.press('End');
  await expect(app.generated).toHaveCount(3);
  await page.keyboard.press('Space');
  await expect(app.generated).toHaveCount(5, { timeout: 20_000 });
  await page.keyboard.press('Space');
  await app.waitIdle();
  // a bar is reachable with Tab and chooses its token with Enter
  const bar = app.bars.nth(2);
  await bar.focus();
  const id = Number(await bar.getAttribute('data-token-id'));
  const n = await app.generated.count();
  await page.keyboard.press('Enter');
  await app.waitIdle();
  expect((await app.tokenIds(app.generated))[n - 1]).toBe(id);
  await shot(page, info, 'keyboard');
});
