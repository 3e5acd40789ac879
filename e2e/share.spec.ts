import { test, expect, shot, reference } from './fixtures.ts';

test('a share link recomputes the same path in a fresh browser (greedy, a hand-picked branch, seeded sampling)', async ({ app, page, browser }, info) => {
  await app.open();
  const g = reference.greedy[0];
  await app.setPrompt(g.text, g.ids);
  await app.step();
  await app.step();
  await app.bars.nth(2).click(); // a token chosen by hand
  await app.waitIdle();
  await app.selectStrategy('sample');
  await page.getByTestId('setting-seed').fill('77');
  await page.getByTestId('setting-temperature').fill('0.8');
  await app.waitIdle();
  await app.step();
  await app.step();
  const ids = await app.tokenIds(app.generated);
  const url = await page.getByTestId('share-link').inputValue();
  expect(url).toContain('#share=');

  const other = await browser.newContext();
  const p2 = await other.newPage();
  const external: string[] = [];
  p2.on('request', (r) => {
    if (!/^(http:\/\/localhost|blob:|data:)/.test(r.url())) external.push(r.url());
  });
  await p2.goto(url.replace(/^http:\/\/localhost:\d+/, ''));
  const { AppPage } = await import('./fixtures.ts');
  const app2 = new AppPage(p2);
  await expect(app2.status).toHaveAttribute('data-state', 'ready', { timeout: 90_000 });
  await expect.poll(() => app2.tokenIds(app2.generated), { timeout: 30_000 }).toEqual(ids);
  await expect(p2.getByTestId('error-message')).toHaveCount(0);
  await expect(p2.getByTestId('setting-seed')).toHaveValue('77');
  await shot(p2, info, 'opened-share-link');
  expect(external).toEqual([]);
  await other.close();
});

test('a tampered share link is rejected with a message and nothing is replayed', async ({ app, page }) => {
  await page.goto('/#share=eyJ2IjoxLCJtb2RlbCI6InRpbnktYmlsaW5ndWFsLWdwdDIiLCJwcm9tcHQiOiJ4IiwicGF0aCI6W3sidCI6LTV9XX0');
  await expect(app.status).toHaveAttribute('data-state', 'ready', { timeout: 90_000 });
  await expect(page.getByTestId('error-message').filter({ hasText: /share link/ })).toBeVisible();
  await expect(app.generated).toHaveCount(0);
});

test('a share link for another model is refused and the saved session is kept', async ({ app, page }) => {
  await app.open();
  await app.setPrompt('A fool and his money');
  await app.step();
  await app.step();
  const mine = await app.tokenIds(app.generated);
  await page.evaluate(() => (window as unknown as { __app: { controller: { saveNow(): Promise<void> } } }).__app.controller.saveNow());
  const payload = Buffer.from(JSON.stringify({ v: 1, model: 'someone/other-model', prompt: 'hi', path: [] })).toString('base64url');
  await page.goto('about:blank');
  await page.goto(`/#share=${payload}`);
  await expect(app.status).toHaveAttribute('data-state', 'ready', { timeout: 90_000 });
  await expect(page.getByTestId('error-message').filter({ hasText: 'someone/other-model' })).toBeVisible();
  await expect.poll(() => app.tokenIds(app.generated)).toEqual(mine);
  await expect(page).not.toHaveURL(/#share=/);
  await page.reload();
  await expect(app.status).toHaveAttribute('data-state', 'ready', { timeout: 90_000 });
  await expect.poll(() => app.tokenIds(app.generated)).toEqual(mine);
  await expect(app.prompt).toHaveValue('A fool and his money');
});
