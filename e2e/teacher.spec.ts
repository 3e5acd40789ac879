import { test, expect, shot, reference } from './fixtures.ts';

test('teacher forcing scores every position in one pass and agrees with the greedy reference', async ({ app, page }, info) => {
  await app.open();
  // the greedy continuation as plain text: at every generated position the actual next token is the
  // greedy one, so its probability is the reference's top-1 probability and its rank is 1
  const g = reference.greedy[0] as (typeof reference.greedy)[number] & { decoded: string };
  const text = g.text + g.decoded;
  await page.getByTestId('tf-input').fill(text);
  const forwards = await app.forwardCount();
  await page.getByRole('button', { name: 'Score' }).click();
  await expect(page.getByTestId('tf-token').first()).toBeVisible();
  await app.waitIdle();
  const tokens = await page.getByTestId('tf-token').evaluateAll((els) =>
    els.map((e) => ({ id: Number(e.getAttribute('data-token-id')), prob: e.getAttribute('data-prob'), rank: e.getAttribute('data-rank') })),
  );
  const expectedIds = [...g.ids, ...g.new_ids];
  test.skip(tokens.map((t) => t.id).join() !== expectedIds.join(), 'the decoded continuation re-tokenizes differently');
  expect(tokens[0].prob).toBe('');
  for (let s = 0; s < g.new_ids.length; s++) {
    const t = tokens[g.ids.length + s];
    expect(Math.abs(Number(t.prob) - g.steps[s].top5_probs[0])).toBeLessThan(1e-4);
    expect(t.rank).toBe('1');
  }
  // one parallel pass, not one per token
  expect(await app.forwardCount()).toBe(forwards + 1);
  await shot(page, info, 'teacher-forcing');
});
