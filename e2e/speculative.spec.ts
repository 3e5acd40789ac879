import { test, expect, shot } from './fixtures.ts';

test('speculative decoding with prompt lookup on a repeated passage: fewer forwards than tokens, same tokens as greedy stepping', async ({ app, page }, info) => {
  await app.open();
  await app.setPrompt('The quick brown fox jumps over the lazy dog. The quick brown fox jumps over the lazy dog. The quick brown fox');
  await page.getByTestId('setting-max-new-tokens').fill('12');
  await page.getByTestId('setting-max-new-tokens').blur();
  await app.waitIdle();
  await page.getByTestId('spec-run').click();
  await expect(page.getByTestId('spec-round').first()).toBeVisible();
  await app.waitIdle();
  const rounds = await page.getByTestId('spec-round').evaluateAll((els) =>
    els.map((e) => ({ proposed: Number(e.getAttribute('data-proposed')), accepted: Number(e.getAttribute('data-accepted')), forwards: Number(e.getAttribute('data-forward-count')) })),
  );
  for (const r of rounds) {
    expect(r.forwards).toBe(1);
    expect(r.accepted).toBeLessThanOrEqual(r.proposed);
  }
  const tokens = await page.getByTestId('spec-token').evaluateAll((els) =>
    els.map((e) => ({ state: e.getAttribute('data-state') ?? '', id: Number(e.getAttribute('data-token-id')), p: Number(e.getAttribute('data-p')), q: Number(e.getAttribute('data-q')) })),
  );
  for (const t of tokens) expect(['proposed', 'accepted', 'rejected', 'resampled', 'bonus']).toContain(t.state);
  const emitted = tokens.filter((t) => t.state === 'accepted' || t.state === 'resampled' || t.state === 'bonus').map((t) => t.id);
  // drafts were accepted: fewer target forward passes than tokens
  expect(rounds.reduce((a, r) => a + r.accepted, 0)).toBeGreaterThan(0);
  expect(rounds.length).toBeLessThan(emitted.length);
  // the kept tokens are tree edges: the text shows them, marked as speculative
  await expect(app.generated).toHaveCount(emitted.length);
  expect(await app.tokenIds(app.generated)).toEqual(emitted);
  expect(await page.locator('[data-method="speculative"]').count()).toBe(emitted.length);
  await shot(page, info, 'speculative-lookup');
  // Back steps through them like any other token
  await page.keyboard.press('Home');
  await app.waitIdle();
  await expect(app.generated).toHaveCount(0);
  // greedy speculation gives exactly greedy stepping (a new branch of greedy edges, never the speculative ones reused)
  for (let i = 0; i < emitted.length; i++) {
    await app.step();
    if (await page.getByTestId('stop-reason').count()) break;
  }
  expect((await app.tokenIds(app.generated)).slice(0, emitted.length)).toEqual(emitted.slice(0, await app.generated.count()));
  expect(await page.locator('[data-method="greedy"]').count()).toBe(await app.generated.count());
});
