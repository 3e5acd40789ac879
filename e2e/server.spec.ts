/**
 * The server engine in Chromium against the REAL llama.cpp server (built by tools/llama/build-server.sh)
 * serving our embedded model as GGUF: connect from the model picker, greedy steps equal the torch
 * reference, bars and rest mass sum to 1, the privacy line names the server while connected, and a
 * server that does not allow this page (--cors-origins) gives the CORS message with the flag.
 */
import { readFileSync } from 'node:fs';
import { test, expect, shot, reference } from './fixtures.ts';
import { freePort, startLlamaServer, type RunningServer } from '../tests/server/llamaServer.ts';

const EXACT = ['-fa', 'off', '--cache-type-k', 'f32', '--cache-type-v', 'f32'];
let server: RunningServer;

test.beforeAll(async () => {
  test.setTimeout(30 * 60_000); // builds llama-server the first time
  server = await startLlamaServer({ folder: 'public/models/tiny-bilingual-gpt2', parallel: 3, args: EXACT });
});
test.afterAll(async () => server?.stop());

async function connect(page: import('@playwright/test').Page, url: string): Promise<void> {
  await page.getByTestId('engine-kind').selectOption('server');
  await page.getByTestId('engine-url').fill(url);
  await page.getByTestId('engine-connect').click();
}

test('connect, greedy 10 steps equal the torch reference, bars and rest sum to 1, privacy line', async ({ app, page }, info) => {
  await app.open();
  await expect(page.getByTestId('privacy-line')).toHaveAttribute('data-engine', 'browser');
  await connect(page, server.url);
  const status = page.getByTestId('engine-status');
  await expect(status).toHaveAttribute('data-state', 'connected');
  await expect(status).toHaveAttribute('data-dialect', 'llama.cpp');
  await expect(status).toHaveAttribute('data-full-vocab', 'true');
  await expect(status).toHaveAttribute('data-top-n', '4000');
  await expect(status).toHaveAttribute('data-token-ids', 'true');
  await expect(page.getByTestId('privacy-line')).toHaveAttribute('data-engine', 'server');
  await expect(page.getByTestId('privacy-line')).toContainText(`127.0.0.1:${server.port}`);
  await expect(page.getByTestId('status-device')).toHaveAttribute('data-device', 'server');
  // speculative decoding is greyed with the reason: this server scores one position per request (issue #21)
  await expect(page.getByTestId('spec-server-off')).toBeVisible();
  await expect(page.getByTestId('spec-run')).toBeDisabled();

  const g = reference.greedy[0];
  await app.setPrompt(g.text, g.ids);
  for (let s = 0; s < 10; s++) {
    await app.step();
    const bars = await app.barData();
    expect(bars.slice(0, 5).map((b) => b.id)).toEqual(g.steps[s].top5_ids);
    bars.slice(0, 5).forEach((b, j) => expect(Math.abs(b.prob - g.steps[s].top5_probs[j])).toBeLessThan(1e-3));
    const rest = Number(await page.getByTestId('dist-rest').getAttribute('data-prob'));
    // the pinned EOS row is outside "all other tokens" when it is not among the bars
    const eos = bars.some((b) => b.id === reference.eos_token_id) ? 0 : Number(await page.getByTestId('dist-eos').getAttribute('data-prob'));
    expect(Math.abs(bars.reduce((a, b) => a + b.prob, 0) + rest + eos - 1)).toBeLessThan(1e-6);
  }
  expect(await app.tokenIds(app.generated)).toEqual(g.new_ids.slice(0, 10));
  await shot(page, info, 'server-greedy-10');
});

test('a server that does not allow this page (--cors-origins) gives the message naming CORS and the flag', async ({ app, page }, info) => {
  const strict = await startLlamaServer({ folder: 'public/models/tiny-bilingual-gpt2', args: ['--cors-origins', 'http://example.invalid'] });
  try {
    await app.open();
    await connect(page, strict.url);
    const status = page.getByTestId('engine-status');
    await expect(status).toHaveAttribute('data-state', 'error');
    await expect(status).toContainText('--cors-origins');
    await expect(status).toContainText('http://localhost:');
    // Chromium shows a CORS refusal and a dead port alike (the same TypeError and Resource Timing entry),
    // so both get the message that names both causes and the flags
    const dead = await freePort();
    await page.getByTestId('engine-url').fill(`http://127.0.0.1:${dead}`);
    await page.getByTestId('engine-connect').click();
    await expect(status).toContainText(`127.0.0.1:${dead}`);
    await expect(status).toHaveAttribute('data-state', 'error');
    await expect(status).toContainText('--cors-origins');
    await expect(page.getByTestId('privacy-line')).toHaveAttribute('data-engine', 'browser');
    await shot(page, info, 'server-cors');
  } finally {
    await strict.stop();
  }
});

test('a character split over two tokens, on the server: 智 appended after 人工 is E6 99 | BA, and the chart shows the step inside the character (llama.cpp v0.4.0 answered that request with HTTP 500 before the EOS pick)', async ({ app, page }) => {
  await app.open();
  await connect(page, server.url);
  await expect(page.getByTestId('engine-status')).toHaveAttribute('data-state', 'connected');
  await app.setPrompt('人工');
  await page.getByTestId('token-query').fill('智');
  const append = page.getByTestId('token-append');
  await expect(append).toBeEnabled();
  const ids = (await append.getAttribute('data-token-ids'))!.split(',').map(Number);
  expect(ids).toHaveLength(2); // the model's tokenizer splits 智 into two byte pieces
  await append.click();
  await expect(app.generated).toHaveCount(2);
  await app.waitIdle();
  // the chart shows the step that chose the second piece: from 人工 + the first piece, a request that ends inside 智
  await expect(page.getByTestId('error-message')).toHaveCount(0);
  await expect(app.bars.first()).toBeVisible();
  await expect(page.getByTestId('error-message')).toHaveCount(0);
  const bars = await app.barData();
  const chosen = bars.find((b) => b.id === ids[1]);
  expect(chosen, 'the second piece of 智 is among the bars').toBeDefined();
  expect(chosen!.prob).toBeGreaterThan(0);
  expect(Math.abs(bars.reduce((a, b) => a + b.prob, 0) + Number(await page.getByTestId('dist-rest').getAttribute('data-prob')) - 1)).toBeLessThan(0.05);
});

test('a lesson borrows the embedded model; closing the lessons reconnects the server and brings the exploration back', async ({ app, page }) => {
  await app.open();
  await connect(page, server.url);
  const status = page.getByTestId('engine-status');
  await expect(status).toHaveAttribute('data-state', 'connected');
  await app.setPrompt('今天天气真');
  for (let i = 0; i < 3; i++) await app.step();
  const ids = await app.tokenIds(app.generated);
  expect(ids).toHaveLength(3);
  await page.getByTestId('lessons-toggle').click();
  await page.locator('[data-testid=lesson-item]').first().click();
  await expect(page.getByTestId('lesson-step')).toHaveAttribute('data-step', '0');
  await expect(page.getByTestId('lesson-running')).toHaveCount(0, { timeout: 60_000 });
  await expect(page.getByTestId('privacy-line')).toHaveAttribute('data-engine', 'browser'); // the lesson runs in the browser
  await page.getByTestId('lessons-toggle').click();
  await expect(page.getByTestId('privacy-line')).toHaveAttribute('data-engine', 'server', { timeout: 60_000 });
  await expect(status).toHaveAttribute('data-state', 'connected');
  await expect(app.generated).toHaveCount(3);
  expect(await app.tokenIds(app.generated)).toEqual(ids);
  await expect(app.prompt).toHaveValue('今天天气真');
  await expect(page.getByTestId('error-message')).toHaveCount(0);
});

test('beam search width 3 over the server: the ranking equals the torch reference', async ({ app, page }, info) => {
  const b = reference.beam[0];
  await app.open();
  await connect(page, server.url);
  await expect(page.getByTestId('engine-status')).toHaveAttribute('data-state', 'connected');
  await app.setPrompt(b.text, b.ids);
  const results = await app.runBeamSearch(b, b.hypotheses.length);
  results.forEach((r, i) => {
    expect(r.ids).toEqual(b.hypotheses[i].new_ids);
    expect(Math.abs(r.score - b.hypotheses[i].score)).toBeLessThan(5e-3);
  });
  await shot(page, info, 'server-beam');
});

test('a server stopped mid-run gives a message and loses nothing; after a restart stepping resumes', async ({ app, page }, info) => {
  const port = await freePort();
  let live = await startLlamaServer({ folder: 'public/models/tiny-bilingual-gpt2', port, args: EXACT });
  try {
    const g = reference.greedy[0];
    await app.open();
    await connect(page, live.url);
    await expect(page.getByTestId('engine-status')).toHaveAttribute('data-state', 'connected');
    await app.setPrompt(g.text, g.ids);
    await app.step();
    await app.step();
    await live.stop();
    await app.stepForward.click();
    const err = page.getByTestId('error-message').filter({ hasText: /server/i });
    await expect(err.first()).toBeVisible();
    await expect(err.first()).toHaveAttribute('data-code', 'server');
    // the server module's code is said in the user's language (server.error.*), with the host
    await expect(err.first()).toContainText(`Nothing answers at 127.0.0.1:${port}`);
    await page.getByTestId('language-select').selectOption('zh-Hans');
    const zh = page.locator('[data-testid=error-message][data-code=server]').first();
    await expect(zh).toContainText(`模型服务器出错：127.0.0.1:${port} 没有响应`);
    await expect(zh).not.toContainText('unreachable');
    await page.getByTestId('language-select').selectOption('en');
    await expect(app.generated).toHaveCount(2);
    expect(await app.tokenIds(app.generated)).toEqual(g.new_ids.slice(0, 2));
    await shot(page, info, 'server-stopped');
    live = await startLlamaServer({ folder: 'public/models/tiny-bilingual-gpt2', port, args: EXACT });
    await app.step();
    await app.step();
    expect(await app.tokenIds(app.generated)).toEqual(g.new_ids.slice(0, 4));
  } finally {
    await live.stop();
  }
});

test('chat mode on the chat fixture over the server: the template renders, greedy stops at <|im_end|>', async ({ app, page }, info) => {
  const ref = JSON.parse(readFileSync(new URL('../test-fixtures/tiny-chat/reference.json', import.meta.url), 'utf8')) as {
    im_start_id: number; im_end_id: number; conversations: { name: string; messages: { role: string; content: string }[]; ids: number[]; greedy_ids: number[] }[];
  };
  const c = ref.conversations[0];
  const chat = await startLlamaServer({ folder: 'test-fixtures/tiny-chat', args: EXACT });
  try {
    await app.open();
    await connect(page, chat.url);
    await expect(page.getByTestId('engine-status')).toHaveAttribute('data-state', 'connected');
    const toggle = page.getByTestId('chat-toggle');
    await expect(toggle).toBeEnabled();
    await toggle.click();
    await page.locator('[data-testid="chat-message"][data-role="user"]').last().fill(c.messages[c.messages.length - 1].content);
    await expect.poll(() => app.tokenIds(app.promptTokens)).toEqual(c.ids);
    await app.waitIdle();
    for (let i = 0; i < c.greedy_ids.length; i++) await app.step();
    expect(await app.tokenIds(app.generated)).toEqual(c.greedy_ids);
    await expect(page.getByTestId('stop-reason')).toHaveAttribute('data-reason', 'eos');
    await expect(app.stepForward).toBeDisabled();
    await shot(page, info, 'server-chat');

    // issue #19: "<|im_end|>" typed by the user is text over the server too; the switch makes it special, marked injected
    const allow = page.getByTestId('special-tokens-toggle');
    const injected = page.locator('[data-testid="prompt-token"][data-injected="true"]');
    const specialIds = () =>
      app.promptTokens.evaluateAll((els) => els.filter((e) => e.getAttribute('data-special') === 'true').map((e) => Number(e.getAttribute('data-token-id'))));
    await expect(allow).toHaveAttribute('aria-pressed', 'false');
    await page.locator('[data-testid="chat-message"][data-role="user"]').last().fill('Hi<|im_end|>');
    await expect.poll(() => app.promptTokens.evaluateAll((els) => els.filter((e) => e.getAttribute('data-special') === 'false').map((e) => e.textContent).join(''))).toContain('Hi<|im_end|>');
    expect(await specialIds()).toEqual([ref.im_start_id, ref.im_end_id, ref.im_start_id]);
    await expect(injected).toHaveCount(0);
    await allow.click();
    await expect.poll(specialIds).toEqual([ref.im_start_id, ref.im_end_id, ref.im_end_id, ref.im_start_id]);
    await expect(injected).toHaveCount(1);
    await expect(injected).toHaveAttribute('data-token-id', String(ref.im_end_id));
  } finally {
    await chat.stop();
  }
});
