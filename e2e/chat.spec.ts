/**
 * Chat mode with a real instruct model: the fixture test-fixtures/tiny-chat (ChatML chat template,
 * <|im_start|>/<|im_end|> special tokens, fine-tuned to end its answers with <|im_end|>) served by a
 * local Hugging Face hub and loaded by model id. Prompt ids, greedy tokens and end-of-turn
 * probabilities are compared with the torch reference (tools/model/chat_fixture.py), whose prompt ids
 * come from an independent renderer (Python Jinja2 + the project's BPE).
 */
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { test, expect, shot, type AppPage } from './fixtures.ts';
import { startLocalHub, type LocalHub } from './support/localHub.ts';
import { GLOSSARY } from '../src/i18n/glossary.ts';

interface ChatReference {
  im_start_id: number;
  im_end_id: number;
  conversations: {
    name: string;
    messages: { role: string; content: string }[];
    ids: number[];
    greedy: { id: number; prob: number; im_end_prob: number }[];
    greedy_ids: number[];
  }[];
}
const ref: ChatReference = JSON.parse(readFileSync(new URL('../test-fixtures/tiny-chat/reference.json', import.meta.url), 'utf8'));
const MODEL_ID = 'test/tiny-chat';

let hub: LocalHub;
test.beforeAll(async () => {
  hub = await startLocalHub({ [MODEL_ID]: 'test-fixtures/tiny-chat' });
});
test.afterAll(async () => hub?.close());

/** Opens the app with the local hub as its hub host and loads the fixture by id. */
async function loadChatModel(app: AppPage): Promise<void> {
  await app.loadFromHub(hub.url, MODEL_ID);
  // the model and its chat template came from the local hub, by id
  for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx']) {
    expect(hub.requests.some((r) => r.path === `/${MODEL_ID}/resolve/main/${f}` && r.status < 300)).toBe(true);
  }
  await app.waitIdle();
  await app.selectStrategy('greedy'); // the references are greedy (sampling is the app's default)
}

/** Fills the conversation editor (system message, then the last user message) and waits for the prompt ids. */
async function typeConversation(app: AppPage, page: Page, messages: { role: string; content: string }[], ids: number[]): Promise<void> {
  const system = messages.find((m) => m.role === 'system');
  await page.locator('[data-testid="chat-message"][data-role="system"]').fill(system?.content ?? '');
  await page.locator('[data-testid="chat-message"][data-role="user"]').last().fill(messages[messages.length - 1].content);
  await expect.poll(() => app.tokenIds(app.promptTokens)).toEqual(ids);
  await expect(app.generated).toHaveCount(0);
  await app.waitIdle();
}

/** Latin-script words in the main regions' UI text (token text, inputs and the glossary removed), as in i18n.spec.ts. */
async function englishLeft(page: Page): Promise<string[]> {
  let text = await page.evaluate(() => {
    const root = document.querySelector('[data-testid=main-regions]')!.cloneNode(true) as HTMLElement;
    root.querySelectorAll('.chip, .tok, textarea, input, .beam-text, svg text, .example, .url').forEach((e) => e.remove());
    return root.innerText;
  });
  for (const term of [...GLOSSARY].sort((a, b) => b.length - a.length)) text = text.split(term).join(' ');
  return text.match(/[A-Za-z]{2,}/g) ?? [];
}

async function eot(page: Page): Promise<{ id: number; prob: number; finalProb: number }> {
  const row = page.getByTestId('dist-eot');
  return {
    id: Number(await row.getAttribute('data-token-id')),
    prob: Number(await row.getAttribute('data-prob')),
    finalProb: Number(await row.getAttribute('data-final-prob')),
  };
}

test('the chat toggle is off for a model without a chat template, and says why', async ({ app, page }) => {
  await app.open();
  const toggle = page.getByTestId('chat-toggle');
  await expect(toggle).toBeDisabled();
  await expect(toggle).toHaveAttribute('aria-pressed', 'false');
  await expect(toggle).toHaveAttribute('title', /no chat template/);
  await expect(page.getByTestId('dist-eot')).toHaveCount(0);
});

for (const c of ref.conversations) {
  test(`chat mode (${c.name}): template tokens, greedy answer, end-of-turn probability, stop at <|im_end|>`, async ({ app, page }, info) => {
    await loadChatModel(app);
    const toggle = page.getByTestId('chat-toggle');
    await expect(toggle).toBeEnabled();
    await toggle.click();
    await expect(toggle).toHaveAttribute('aria-pressed', 'true');
    await expect(app.prompt).toHaveCount(0);
    await typeConversation(app, page, c.messages, c.ids);

    // every template token is a chip; the ChatML markers are marked special
    const specials = await app.promptTokens.evaluateAll((els) =>
      els.filter((e) => e.getAttribute('data-special') === 'true').map((e) => Number(e.getAttribute('data-token-id'))),
    );
    expect(specials).toEqual(c.ids.filter((id) => id === ref.im_start_id || id === ref.im_end_id));
    expect(specials.filter((id) => id === ref.im_start_id)).toHaveLength(c.messages.length + 1);

    // before the first step the chart shows step 1, with the end-of-turn row pinned
    expect((await eot(page)).id).toBe(ref.im_end_id);
    expect((await eot(page)).prob).toBeCloseTo(c.greedy[0].im_end_prob, 5);
    for (const [i, want] of c.greedy.entries()) {
      await app.step();
      const got = await app.tokenIds(app.generated);
      expect(got[i]).toBe(want.id);
      expect(Number(await app.generated.nth(i).getAttribute('data-prob'))).toBeCloseTo(want.prob, 5);
      // the chart now shows how this token was chosen: the end-of-turn probability at this step
      const row = await eot(page);
      expect(row.prob).toBeCloseTo(want.im_end_prob, 5);
      expect(row.finalProb).toBeCloseTo(want.id === ref.im_end_id ? 1 : 0, 9); // greedy keeps only the argmax
    }
    expect(await app.tokenIds(app.generated)).toEqual(c.greedy_ids);
    await expect(page.getByTestId('stop-reason')).toHaveAttribute('data-reason', 'eos');
    await expect(page.getByTestId('stop-reason')).toContainText('end-of-turn');
    await expect(app.generated.last()).toHaveAttribute('data-special', 'true');
    await expect(app.stepForward).toBeDisabled();
    await shot(page, info, `chat-${c.name}`);
  });
}

test('chat mode in three languages, off again, and restored after a reload', async ({ app, page }, info) => {
  const c = ref.conversations[0];
  await loadChatModel(app);
  await page.getByTestId('chat-toggle').click();
  await typeConversation(app, page, c.messages, c.ids);
  await app.step();

  await page.getByTestId('language-select').selectOption('zh-Hans');
  await expect(page.getByTestId('chat-toggle')).toHaveText('对话模式');
  await expect(page.locator('.chat-role').filter({ hasText: '用户' })).toHaveCount(1);
  await expect(page.getByTestId('dist-eot')).toContainText('轮次结束');
  expect(await englishLeft(page)).toEqual([]);
  await shot(page, info, 'chat-zh-Hans');
  await page.getByTestId('language-select').selectOption('zh-Hant');
  await expect(page.getByTestId('chat-toggle')).toHaveText('對話模式');
  await expect(page.locator('.chat-role').filter({ hasText: '使用者' })).toHaveCount(1);
  await expect(page.getByTestId('dist-eot')).toContainText('輪次結束');
  expect(await englishLeft(page)).toEqual([]);
  await page.getByTestId('language-select').selectOption('en');

  // the saved session records the conversation: a reload (embedded model first) offers to restore it
  await page.waitForTimeout(300); // autosave is debounced by 100 ms
  await page.reload();
  await expect(app.status).toHaveAttribute('data-state', 'ready', { timeout: 90_000 });
  // shown read-only from its records until its model is loaded: the conversation, not editable
  const user = page.locator('[data-testid="chat-message"][data-role="user"]');
  await expect(user).toHaveValue(c.messages[c.messages.length - 1].content);
  await expect(user).toHaveAttribute('readonly', '');
  await page.getByRole('button', { name: `Load ${MODEL_ID} and restore it` }).click();
  await expect(app.status).toHaveAttribute('data-model', MODEL_ID, { timeout: 90_000 });
  await expect(page.getByTestId('chat-toggle')).toHaveAttribute('aria-pressed', 'true');
  await expect(user).toHaveValue(c.messages[c.messages.length - 1].content);
  await expect(user).not.toHaveAttribute('readonly', '');
  await expect.poll(() => app.tokenIds(app.promptTokens)).toEqual(c.ids);
  await expect.poll(() => app.tokenIds(app.generated)).toEqual([c.greedy_ids[0]]);

  // off: back to the plain prompt, no template tokens
  await page.getByTestId('chat-toggle').click();
  await expect(page.getByTestId('chat-toggle')).toHaveAttribute('aria-pressed', 'false');
  await expect(app.prompt).toBeVisible();
  await expect.poll(async () => (await app.tokenIds(app.promptTokens)).filter((id) => id >= ref.im_start_id)).toEqual([]);
});

test('special-token strings typed by the user are text; with "allow special tokens in my text" they are special and marked injected', async ({ app, page }, info) => {
  await loadChatModel(app);
  await page.getByTestId('chat-toggle').click();
  const allow = page.getByTestId('special-tokens-toggle');
  await expect(allow).toHaveAttribute('aria-pressed', 'false');
  await page.locator('[data-testid="chat-message"][data-role="user"]').last().fill('Hi<|im_end|>');
  const injectedText = page.locator('[data-testid="prompt-token"][data-injected="true"]');
  const specials = () =>
    app.promptTokens.evaluateAll((els) => els.filter((e) => e.getAttribute('data-special') === 'true').map((e) => Number(e.getAttribute('data-token-id'))));
  // off: the typed "<|im_end|>" is spelled by ordinary chips (data-special="false") …
  const plainText = () =>
    app.promptTokens.evaluateAll((els) => els.filter((e) => e.getAttribute('data-special') === 'false').map((e) => e.textContent).join(''));
  await expect.poll(plainText).toContain('Hi<|im_end|>');
  // … and only the template's own markers are special (user turn + generation prompt)
  expect(await specials()).toEqual([ref.im_start_id, ref.im_end_id, ref.im_start_id]);
  await expect(injectedText).toHaveCount(0);
  // on: the typed string is the real <|im_end|>, marked as coming from the user's text
  await allow.click();
  await expect(allow).toHaveAttribute('aria-pressed', 'true');
  await expect.poll(specials).toEqual([ref.im_start_id, ref.im_end_id, ref.im_end_id, ref.im_start_id]);
  expect(await plainText()).not.toContain('<|im_end|>');
  await expect(injectedText).toHaveCount(1);
  await expect(injectedText).toHaveAttribute('data-special', 'true');
  await expect(injectedText).toHaveAttribute('data-token-id', String(ref.im_end_id));
  await shot(page, info, 'special-tokens-injected');
  const injectedIds = await app.tokenIds(app.promptTokens);
  const link = await page.getByTestId('share-link').inputValue();
  // off again: text again
  await allow.click();
  await expect.poll(plainText).toContain('Hi<|im_end|>');
  expect(await specials()).toEqual([ref.im_start_id, ref.im_end_id, ref.im_start_id]);
  await expect(injectedText).toHaveCount(0);
  const textLink = await page.getByTestId('share-link').inputValue();
  // the share link carries the switch: opened with it off (the page's own share-link action, as on
  // page load), it comes back on, with the same prompt ids and the injected chip
  const open = (hash: string) =>
    page.evaluate((h) => (window as unknown as { __app: { controller: { openShared(h: string): Promise<string> } } }).__app.controller.openShared(h), hash);
  expect(await open(new URL(link).hash)).toBe('opened');
  await expect(allow).toHaveAttribute('aria-pressed', 'true');
  await expect.poll(() => app.tokenIds(app.promptTokens)).toEqual(injectedIds);
  await expect(injectedText).toHaveCount(1);
  // and a link made with the switch off turns it off again: the typed string is text
  expect(await open(new URL(textLink).hash)).toBe('opened');
  await expect(allow).toHaveAttribute('aria-pressed', 'false');
  await expect.poll(plainText).toContain('Hi<|im_end|>');
  await expect(injectedText).toHaveCount(0);
});
