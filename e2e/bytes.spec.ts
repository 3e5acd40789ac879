/**
 * The one byte rule (src/engine/tokens.ts) in Chromium on a real SentencePiece byte-fallback model
 * (test-fixtures/tiny-llama, `<0xNN>` tokens), with a forced sequence of byte tokens chosen through
 * token-query / token-choose: a lead byte interrupted by an ASCII token, a character split over three
 * chips, a stray continuation byte.
 */
import type { Page } from '@playwright/test';
import { test, expect, shot, type AppPage } from './fixtures.ts';
import { startLocalHub, type LocalHub } from './support/localHub.ts';

const MODEL_ID = 'test/tiny-llama';
// vocabulary ids in test-fixtures/tiny-llama/tokenizer.json
const D2 = 213;
const E5 = 232;
const X8D = 144;
const e = 328;
const THE = 356; // "▁the"

let hub: LocalHub;
test.beforeAll(async () => {
  hub = await startLocalHub({ [MODEL_ID]: 'test-fixtures/tiny-llama' });
});
test.afterAll(async () => hub?.close());

type W = { __app: { store: { getState(): { query: { ids: number[] } | null; cursor: number } } } };

/** Makes `ids` the generated tokens: each position is stepped to, then its token chosen with token-query "#id". */
async function force(app: AppPage, page: Page, ids: number[]): Promise<void> {
  for (const [i, id] of ids.entries()) {
    if (i > 0) await app.step();
    await page.getByTestId('token-query').fill(`#${id}`);
    await expect.poll(() => page.evaluate(() => (window as unknown as W).__app.store.getState().query?.ids[0] ?? null)).toBe(id);
    await page.getByTestId('token-choose').click();
    await expect.poll(() => app.tokenIds(app.generated)).toEqual(ids.slice(0, i + 1));
    await app.waitIdle();
  }
}

test('byte tokens on tiny-llama: each chip shows its own bytes; a split character once on a bracket; invalid bytes flagged', async ({ app, page }, info) => {
  await app.loadFromHub(hub.url, MODEL_ID);
  await app.setPrompt('Once upon a time');
  // D2 then "e": the lead byte is interrupted. E5 8D 8D: 卍 split over three chips. 8D: a stray continuation.
  const ids = [D2, e, E5, X8D, X8D, X8D, THE];
  await force(app, page, ids);
  const chips = await app.generated.evaluateAll((els) =>
    els.map((el) => ({
      text: el.textContent,
      bytes: el.getAttribute('data-bytes'),
      partial: el.getAttribute('data-partial'),
      invalid: el.getAttribute('data-invalid'),
      title: el.getAttribute('title') ?? '',
    })),
  );
  expect(chips.map((c) => c.text)).toEqual(['D2', 'e', 'E5', '8D', '8D', '8D', '␣the']);
  expect(chips.map((c) => c.bytes)).toEqual(['d2', '65', 'e5', '8d', '8d', '8d', '20 74 68 65']);
  expect(chips.map((c) => c.invalid === 'true')).toEqual([true, false, false, false, false, true, false]);
  expect(chips.map((c) => c.partial === 'true')).toEqual([false, false, true, true, true, false, false]);
  expect(chips[0].title).toContain('not valid UTF-8: D2 is not followed by a continuation byte');
  expect(chips[5].title).toContain('not valid UTF-8: 8D is a continuation byte with no lead byte before it');
  for (const c of chips) expect(c.text).not.toContain('\ufffd');
  // 卍 is shown once, on the bracket under its three chips
  const brackets = page.locator('.generated [data-testid="byte-bracket"]');
  await expect(brackets).toHaveCount(3);
  await expect(page.locator('.generated [data-testid="byte-bracket"][data-first="true"]')).toHaveCount(1);
  await expect(page.locator('.generated [data-testid="byte-bracket"][data-first="true"]')).toHaveAttribute('data-char', '卍');
  expect(await page.locator('.generated').textContent()).not.toContain('\ufffd');
  // the path tree and the chart never show U+FFFD either
  const treeText = (await app.pathNodes.allTextContents()).join('');
  expect(treeText).toContain('D2');
  expect(treeText).not.toContain('\ufffd');
  expect((await app.bars.allTextContents()).join('')).not.toContain('\ufffd');
  await shot(page, info, 'byte-rule');
});
