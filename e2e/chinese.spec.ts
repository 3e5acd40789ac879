/**
 * Chinese in the classroom (issue #17), in the zh-Hans and zh-Hant UI, on the embedded model:
 * no token text struck through, whole characters in the quiz and the class vote, the lesson's path
 * 人工智能是 → 一门 → 强大 → 的 → 技术 built with "append after the cursor" alone, the honest model card
 * and notice. Screenshots are written to docs/screenshots/ for the docs.
 */
import { mkdirSync } from 'node:fs';
import { test, expect, shot, type AppPage } from './fixtures.ts';
import type { Locator, Page, TestInfo } from '@playwright/test';

const SHOTS = new URL('../docs/screenshots/', import.meta.url);

/** A screenshot (with `target` scrolled into view) for the report and, committed, for the docs. */
async function docShot(page: Page, info: TestInfo, name: string, target?: Locator): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  if (target) await target.first().evaluate((e) => e.scrollIntoView({ block: 'center' }));
  await page.screenshot({ path: new URL(`${name}.png`, SHOTS).pathname, fullPage: false });
  await shot(page, info, name);
}

/** Elements on the page whose computed text decoration strikes them through. */
function struckThrough(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll('body *'))
      .filter((e) => getComputedStyle(e).textDecorationLine.includes('line-through'))
      .map((e) => `${e.tagName}.${e.className}: ${(e.textContent ?? '').slice(0, 20)}`),
  );
}

const BARE_HEX = /^\s*[0-9A-Fa-f]{2}(\s+[0-9A-Fa-f]{2})*\s*$/;

/** Types a word into the query box, waits for its append answer and appends it; returns the tokens it became. */
async function appendWord(app: AppPage, word: string): Promise<{ ids: number[]; prob: number }> {
  const page = app.page;
  const before = await app.generated.count();
  await page.getByTestId('token-query').fill(word);
  const button = page.getByTestId('token-append');
  await expect(button).toBeEnabled();
  await expect(page.getByTestId('append-result')).toBeVisible();
  const ids = (await button.getAttribute('data-token-ids'))!.split(',').map(Number);
  const prob = Number(await page.getByTestId('append-result').getAttribute('data-prob'));
  await button.click();
  await expect(app.generated).toHaveCount(before + ids.length);
  await app.waitIdle();
  return { ids, prob };
}

/** The text of the generated chips, decoded from their bytes. */
async function generatedText(app: AppPage): Promise<string> {
  const hex = await app.generated.evaluateAll((els) => els.map((e) => e.getAttribute('data-bytes') ?? '').join(' '));
  return new TextDecoder().decode(Uint8Array.from(hex.split(' ').filter(Boolean).map((h) => parseInt(h, 16))));
}

for (const lang of ['zh-Hans', 'zh-Hant'] as const) {
  test.describe(lang, () => {
    test.beforeEach(async ({ app, page }) => {
      await app.open();
      await page.getByTestId('language-select').selectOption(lang);
      await expect(page.locator('html')).toHaveAttribute('lang', lang);
    });

    test(`${lang}: the model card is plain and translated; the notice next to the prompt points to modern Chinese`, async ({ page }, info) => {
      const notice = page.getByTestId('model-notice');
      await expect(notice).toBeVisible();
      await expect(notice).toContainText(lang === 'zh-Hans' ? '不会写现代中文' : '不會寫現代中文');
      await expect(notice).toContainText(lang === 'zh-Hans' ? '能写中文的模型' : '能寫中文的模型');
      await docShot(page, info, `zh-notice-${lang}`, notice);
      await page.getByRole('button', { name: '模型卡', exact: true }).click();
      const card = page.getByTestId('model-card-plain');
      await expect(card).toBeVisible();
      await expect(card).toContainText(lang === 'zh-Hans' ? '它做不到什么' : '它做不到什麼');
      await expect(card).toContainText('今天天气真');
      // the developer README is there, closed, not the card itself
      await expect(page.locator('.modal pre.card-text')).toBeHidden();
      await expect(card).not.toContainText('opset');
      await docShot(page, info, `zh-model-card-${lang}`);
    });

    test(`${lang}: the chips of 智 and 强 show their own bytes under one bracket each`, async ({ app, page }, info) => {
      await app.setPrompt('人工智能是一门强大的技术');
      const cells = await page.getByTestId('prompt-token').evaluateAll((els) =>
        els.map((el) => {
          const cell = el.closest('.chip-cell');
          const first = cell?.querySelector('[data-testid="byte-bracket"][data-first="true"]');
          return {
            text: el.textContent ?? '',
            bytes: el.getAttribute('data-bytes') ?? '',
            partial: el.getAttribute('data-partial'),
            bracket: cell ? (first ? first.getAttribute('data-char') : 'continued') : null,
          };
        }),
      );
      for (const ch of ['智', '强']) {
        // the character's UTF-8 bytes, computed here (independent of the app)
        const utf8 = Array.from(new TextEncoder().encode(ch), (b) => b.toString(16).padStart(2, '0')).join(' ');
        expect(cells.filter((c) => c.bracket === ch)).toHaveLength(1);
        const start = cells.findIndex((c) => c.bracket === ch);
        let end = start + 1;
        while (end < cells.length && cells[end].bracket === 'continued') end++;
        const pieces = cells.slice(start, end);
        expect(pieces.length).toBeGreaterThan(1);
        expect(pieces.map((c) => c.bytes).join(' ')).toBe(utf8);
        for (const c of pieces) {
          // each chip shows its own bytes in hex, never the whole character
          expect(c.text).toBe(c.bytes.toUpperCase());
          expect(c.partial).toBe('true');
        }
      }
      await docShot(page, info, `zh-split-characters-${lang}`, page.getByTestId('prompt-token'));
    });

    test(`${lang}: no token text is struck through (greedy, then top-k)`, async ({ app, page }, info) => {
      await app.setPrompt('人工智能是一门强大的技术');
      await app.step();
      await app.step();
      // greedy: every other bar is out at the final stage, faded, never struck
      await expect(page.locator('[data-testid=dist-bar][data-kept=false]').first()).toBeVisible();
      expect(await struckThrough(page)).toEqual([]);
      await app.selectStrategy('sample');
      await page.getByTestId('setting-top-k').fill('3');
      await page.getByTestId('setting-top-k').press('Tab');
      await app.waitIdle();
      await app.step();
      await expect(page.locator('.removed-mark').first()).toBeVisible();
      expect(await struckThrough(page)).toEqual([]);
      await docShot(page, info, `zh-no-strikethrough-${lang}`, page.getByTestId('dist-bar'));
    });

    test(`${lang}: quiz and vote options on 子曰： are whole characters, never bare hex`, async ({ app, page }, info) => {
      await app.setPrompt('子曰：');
      await page.getByTestId('quiz-toggle').click();
      const quiz = page.getByTestId('quiz-option');
      await expect(quiz).toHaveCount(5);
      const quizTexts = await quiz.allTextContents();
      for (const t of quizTexts) expect(t, `quiz option ${JSON.stringify(t)}`).not.toMatch(BARE_HEX);
      await docShot(page, info, `zh-quiz-${lang}`, quiz);
      // the reveal ranks them by P(character); a character of several tokens has P = the product along its path
      await quiz.first().click();
      const ranks = await page.getByTestId('quiz-rank').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-prob'))));
      for (let i = 1; i < ranks.length; i++) expect(ranks[i]).toBeLessThanOrEqual(ranks[i - 1]);
      await page.getByTestId('quiz-toggle').click();

      await page.getByTestId('vote-toggle').click();
      const vote = page.getByTestId('vote-option');
      await expect(vote).toHaveCount(5);
      const voteTexts = await vote.locator('.tok').allTextContents();
      for (const t of voteTexts) expect(t, `vote option ${JSON.stringify(t)}`).not.toMatch(BARE_HEX);
      await docShot(page, info, `zh-vote-${lang}`, vote);
      // the class's choice is appended whole: every token of the character
      await vote.first().click();
      await page.getByTestId('vote-reveal').click();
      const pick = (await vote.first().getAttribute('data-token-ids'))!.split(',').map(Number);
      await page.getByTestId('vote-append-class').click();
      await expect(app.generated).toHaveCount(pick.length);
      expect(await app.tokenIds(app.generated)).toEqual(pick);
      expect(await generatedText(app)).toBe(voteTexts[0]);
    });

    test(`${lang}: past a step that predicts the middle of a character the quiz moves on and says so`, async ({ app, page }, info) => {
      await app.setPrompt('人工');
      // 智 is two tokens (e6 99 | ba): appended whole, the step that chose "ba" predicted the middle of 智
      const { ids } = await appendWord(app, '智');
      expect(ids).toHaveLength(2);
      await page.getByTestId('quiz-toggle').click();
      await expect(page.getByTestId('quiz-moved')).toBeVisible();
      await expect(page.getByTestId('quiz-moved')).toContainText('第 3 步');
      await expect(page.getByTestId('quiz-option')).toHaveCount(5);
      const texts = await page.getByTestId('quiz-option').allTextContents();
      for (const t of texts) expect(t).not.toMatch(BARE_HEX);
      await docShot(page, info, `zh-quiz-moved-${lang}`, page.getByTestId('quiz-moved'));
      // one byte more: the text now ends inside a character, and the class vote offers the characters it can become
      await page.getByTestId('quiz-toggle').click();
      await app.stepBack.click();
      await app.waitIdle();
      await page.getByTestId('vote-toggle').click();
      await expect(page.getByTestId('vote-mid-char')).toBeVisible();
      const vote = page.getByTestId('vote-option');
      await expect(vote).toHaveCount(5);
      for (const t of await vote.locator('.tok').allTextContents()) expect(t).not.toMatch(BARE_HEX);
      expect(await vote.locator('.tok').allTextContents()).toContain('智');
    });

    test(`${lang}: typing 的 after 人工智能是一门强大 appends 的, not “␣的”`, async ({ app }) => {
      await app.setPrompt('人工智能是一门强大');
      const { ids } = await appendWord(app, '的');
      expect(ids).toHaveLength(1);
      expect(await generatedText(app)).toBe('的');
    });

    test(`${lang}: the path 人工智能是 → 一门 → 强大 → 的 → 技术 is built with append alone`, async ({ app, page }, info) => {
      await app.setPrompt('人工智能是');
      for (const word of ['一门', '强大', '的', '技术']) {
        const before = await app.generated.count();
        const { ids, prob } = await appendWord(app, word);
        // the probability shown before choosing is the product of the new chips' model probabilities at their steps
        const chips = await app.generated.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-prob'))));
        const product = chips.slice(before).reduce((a, p) => a * p, 1);
        expect(chips.slice(before)).toHaveLength(ids.length);
        // a fresh prefill (the query) and the cached decode (the steps) agree to float32 rounding
        expect(Math.abs(prob - product) / product).toBeLessThan(1e-5);
      }
      expect(await generatedText(app)).toBe('一门强大的技术');
      // each token is a hand-chosen edge
      const methods = await page.evaluate(() => {
        const s = (window as unknown as { __app: { store: { getState(): { tree: { nodes: { edge: { method: string } | null }[] } } } } }).__app.store.getState();
        return s.tree.nodes.filter((n) => n.edge).map((n) => n.edge!.method);
      });
      expect(new Set(methods)).toEqual(new Set(['manual']));
      await docShot(page, info, `zh-append-path-${lang}`, app.generated);
    });
  });
}
