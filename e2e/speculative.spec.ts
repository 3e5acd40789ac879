import { test, expect, shot } from './fixtures.ts';
import { join } from 'node:path';
import { startLocalHub, type LocalHub } from './support/localHub.ts';
import { DRAFT_NAME, ensureEarlyExitDraft } from '../tests/earlyExitDraft.ts';

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

test.describe('draft model', () => {
  let hub: LocalHub;
  test.beforeAll(async () => {
    // the early-exit draft (the embedded model's first layer, same tokenizer), built on first use
    hub = await startLocalHub({ 'test/tiny-chat': 'test-fixtures/tiny-chat', 'test/draft': join(ensureEarlyExitDraft(1), DRAFT_NAME) });
  });
  test.afterAll(async () => hub?.close());

  test('the model itself as draft is taken and drafts; a hub model with another tokenizer is refused with a message; the early-exit draft (same tokenizer, 1 of 4 layers) drafts and sometimes misses', async ({ app, page }) => {
    await page.goto(`/?hubHost=${encodeURIComponent(hub.url)}`);
    await expect(app.status).toHaveAttribute('data-state', 'ready', { timeout: 90_000 });
    await app.selectStrategy('greedy');
    await app.setPrompt('Once upon a time');
    await page.getByTestId('setting-max-new-tokens').fill('8');
    await page.getByTestId('setting-max-new-tokens').blur();
    await app.waitIdle();
    // no draft yet: the draft-model drafter is not offered
    await expect(page.locator('[data-testid=spec-drafter] option[value=draft-model]')).toBeDisabled();
    await page.getByTestId('spec-draft-load').click();
    await expect(page.getByTestId('spec-draft-status')).toHaveAttribute('data-state', 'loaded', { timeout: 60_000 });
    await page.getByTestId('spec-drafter').selectOption('draft-model');
    await page.getByTestId('spec-k').fill('3');
    await page.getByTestId('spec-run').click();
    await expect(page.getByTestId('spec-round').first()).toBeVisible();
    await app.waitIdle();
    // p = q (the same weights): every checked draft token is accepted, and q is a real probability
    const toks = await page.getByTestId('spec-token').evaluateAll((els) => els.map((e) => ({ state: e.getAttribute('data-state'), q: Number(e.getAttribute('data-q')) })));
    expect(toks.filter((t) => t.state === 'rejected')).toEqual([]);
    expect(toks.filter((t) => t.state === 'accepted').every((t) => t.q > 0 && t.q <= 1)).toBe(true);
    await expect(app.generated).toHaveCount(8);
    const first = await app.tokenIds(app.generated);
    // a model with another tokenizer: refused, the message says why, the loaded draft stays
    await page.getByTestId('spec-draft-source').selectOption('hub');
    await page.getByTestId('spec-draft-id').fill('test/tiny-chat');
    await page.getByTestId('spec-draft-load').click();
    await expect(page.getByTestId('spec-draft-error')).toHaveAttribute('data-code', 'draft-tokenizer', { timeout: 60_000 });
    await expect(page.getByTestId('spec-draft-error')).toContainText('tokenizer');
    await expect(page.getByTestId('spec-draft-status')).toHaveAttribute('data-state', 'error');
    await expect(page.getByTestId('spec-draft-status')).toContainText('tiny-bilingual-gpt2');

    // a real smaller draft with the same tokenizer (1 of 4 layers): taken; it guesses wrong sometimes
    await page.getByTestId('spec-draft-id').fill('test/draft');
    await page.getByTestId('spec-draft-load').click();
    await expect(page.getByTestId('spec-draft-status')).toHaveAttribute('data-state', 'loaded', { timeout: 60_000 });
    await expect(page.getByTestId('spec-draft-status')).toContainText('test/draft');
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('Home');
    await expect(app.generated).toHaveCount(0);
    await page.getByTestId('setting-max-new-tokens').fill('24');
    await page.getByTestId('setting-max-new-tokens').blur();
    await app.waitIdle();
    await page.getByTestId('spec-run').click();
    await expect(page.getByTestId('spec-round').first()).toBeVisible();
    await app.waitIdle();
    const rounds = await page.getByTestId('spec-round').evaluateAll((els) => els.map((e) => ({ proposed: Number(e.getAttribute('data-proposed')), accepted: Number(e.getAttribute('data-accepted')) })));
    const acc = rounds.reduce((a, r) => a + r.accepted, 0);
    const prop = rounds.reduce((a, r) => a + r.proposed, 0);
    expect(acc).toBeGreaterThan(0);
    expect(acc).toBeLessThan(prop);
    // the first 8 tokens are the earlier run's (greedy text whatever the draft): its edges were reused
    const spec = await app.tokenIds(app.generated);
    expect(spec.length).toBe(24);
    expect(spec.slice(0, 8)).toEqual(first);
    expect(await page.locator('[data-method="speculative"]').count()).toBe(24);
  });
});

test('compare mode says the panes do not share u on speculative steps', async ({ app, page }) => {
  await app.open({ strategy: 'sample' });
  await app.setPrompt('In the beginning God created the heaven and the earth. In the beginning God created the heaven and the earth. In the beginning');
  await page.getByTestId('setting-max-new-tokens').fill('6');
  await page.getByTestId('setting-max-new-tokens').blur();
  await app.waitIdle();
  await page.getByTestId('spec-run').click();
  await expect(page.getByTestId('spec-round').first()).toBeVisible();
  await app.waitIdle();
  await page.getByTestId('compare-toggle').click();
  await expect(page.getByTestId('compare-spec-note')).toBeVisible();
});
