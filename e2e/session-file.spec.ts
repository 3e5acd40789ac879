import { readFileSync } from 'node:fs';
import { test, expect, shot, reference } from './fixtures.ts';

test('export → import: the same model opens editable; another model opens read-only from its recorded distributions', async ({ app, page }, info) => {
  await app.open();
  const g = reference.greedy[0];
  await app.setPrompt(g.text, g.ids);
  for (let s = 0; s < 3; s++) await app.step();
  await app.bars.nth(1).click(); // branch at step 3
  await app.waitIdle();
  const ids = await app.tokenIds(app.generated);
  const bars = await app.barData();
  const download = page.waitForEvent('download');
  await page.getByTestId('export-json').click();
  const file = readFileSync(await (await download).path(), 'utf8');
  const session = JSON.parse(file);
  expect(session.version).toBe(2);
  expect(session.model.id).toBe('tiny-bilingual-gpt2');
  expect(session.model.fingerprint).toMatch(/^[0-9a-f]{64}$/);

  // the same session claiming another model: read-only, shown from its records, never recomputed
  const other = { ...session, model: { ...session.model, id: 'some-other-model', fingerprint: 'b'.repeat(64) } };
  await page.getByTestId('new-session').click();
  await page.getByTestId('new-session-confirm').click(); // New session asks first
  await expect(app.generated).toHaveCount(0);
  const forwards = await app.forwardCount();
  await page.getByTestId('import-json').setInputFiles({ name: 's.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(other)) });
  await expect(page.getByTestId('read-only-session')).toContainText('some-other-model');
  expect(await app.tokenIds(app.generated)).toEqual(ids);
  expect(await app.barData()).toEqual(bars);
  await expect(app.stepForward).toBeDisabled();
  await app.stepBack.click();
  await expect(app.generated).toHaveCount(ids.length - 1);
  await expect(app.bars.first()).toBeVisible(); // the parent step, from the file's records
  expect(await app.forwardCount()).toBe(forwards);
  await shot(page, info, 'read-only');

  // the real model's file: editable again, identical tree
  await page.getByTestId('import-json').setInputFiles({ name: 's.json', mimeType: 'application/json', buffer: Buffer.from(file) });
  await expect(page.getByTestId('read-only-session')).toHaveCount(0);
  expect(await app.tokenIds(app.generated)).toEqual(ids);
  await expect(app.stepForward).toBeEnabled();

  // a malformed file is rejected with what is wrong, and nothing is applied
  const bad = { ...session, tree: { ...session.tree, promptIds: [1, 2, 99999] } };
  await page.getByTestId('import-json').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(bad)) });
  await expect(page.getByTestId('error-message').filter({ hasText: /outside the vocabulary/ })).toBeVisible();
  expect(await app.tokenIds(app.generated)).toEqual(ids);
});

test('Monte-Carlo results are saved: in the exported file, and back after a reload', async ({ app, page }) => {
  await app.open();
  await app.setPrompt('In the beginning God creat');
  await page.getByTestId('mc-n').selectOption('100');
  await page.getByTestId('mc-run').click();
  await expect(page.getByTestId('mc-run')).toBeEnabled();
  await expect(page.getByTestId('mc-bar').first()).toBeVisible();
  const bars = await page.getByTestId('mc-bar').evaluateAll((els) => els.map((e) => [e.getAttribute('data-token-id'), e.getAttribute('data-count')]));
  const download = page.waitForEvent('download');
  await page.getByTestId('export-json').click();
  const session = JSON.parse(readFileSync(await (await download).path(), 'utf8'));
  expect(session.classroom.mc.histogram.n).toBe(100);
  expect(session.classroom.mc.histogram.counts.reduce((a: number, b: number) => a + b, 0) + session.classroom.mc.histogram.restCount).toBe(100);
  await page.waitForTimeout(500); // the classroom results reach the snapshot with the debounced save
  await page.reload();
  await expect(app.status).toHaveAttribute('data-state', 'ready', { timeout: 90_000 });
  await expect.poll(() => page.getByTestId('mc-bar').evaluateAll((els) => els.map((e) => [e.getAttribute('data-token-id'), e.getAttribute('data-count')]))).toEqual(bars);
});
