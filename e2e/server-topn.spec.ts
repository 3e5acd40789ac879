/**
 * Servers that report only the top N tokens (issue #16) in Chromium: a local HTTP server answers with
 * vLLM v0.11 and Ollama v0.12.11 bodies written from their documentation (tests/server/documentedServer.ts;
 * neither engine runs here). Connect, step, the "not reported" rest with 1 − Σ reported, stages marked
 * approximate, the repetition penalty greyed with its reason, and Ollama's text-level note.
 */
import { test, expect, shot } from './fixtures.ts';
import { startDocumentedServer, type DocumentedServer } from '../tests/server/documentedServer.ts';

async function connect(page: import('@playwright/test').Page, url: string): Promise<void> {
  await page.getByTestId('engine-kind').selectOption('server');
  await page.getByTestId('engine-url').fill(url);
  await page.getByTestId('engine-connect').click();
}

for (const dialect of ['vllm', 'ollama'] as const) {
  test(`${dialect}: connect, greedy step over the top N, "not reported" = 1 − Σ reported, stages approximate, repetition penalty greyed`, async ({ app, page }, info) => {
    const server: DocumentedServer = await startDocumentedServer(dialect);
    try {
      await app.open();
      await connect(page, server.url);
      const status = page.getByTestId('engine-status');
      await expect(status).toHaveAttribute('data-state', 'connected');
      await expect(status).toHaveAttribute('data-dialect', dialect === 'vllm' ? 'openai' : 'ollama');
      await expect(status).toHaveAttribute('data-full-vocab', 'false');
      await expect(status).toHaveAttribute('data-top-n', '20');
      await expect(status).toHaveAttribute('data-token-ids', String(dialect === 'vllm'));
      await expect(page.getByTestId('engine-limits')).toContainText(dialect === 'vllm' ? 'fetched once' : 'held back');
      await expect(page.getByTestId('privacy-line')).toHaveAttribute('data-engine', 'server');

      await app.setPrompt('今天天气真');
      // vLLM: the server's own ids; Ollama: one chip per character (no tokenize endpoint)
      const ids = await app.tokenIds(app.promptTokens);
      if (dialect === 'vllm') expect(ids).toEqual([100644, 104307, 88051, 35727]);
      else {
        // local ids by first sight (the default prompt came first): 今 天 天 气 真 → a b b c d
        expect(ids).toHaveLength(5);
        expect(ids[1]).toBe(ids[2]);
        expect(new Set(ids).size).toBe(4);
      }
      await app.step();
      const bars = await app.barData();
      // the step bodies report 0.55, 0.2, 0.1, 0.05 (tests/fixtures/server/*-step.json)
      expect(bars.map((b) => Math.round(b.prob * 1e6) / 1e6)).toEqual([0.55, 0.2, 0.1, 0.05]);
      expect(bars[0].chosen).toBe(true);
      await expect(page.getByTestId('generated-token').first()).toContainText('好');
      const unreported = Number(await page.getByTestId('dist-unreported').getAttribute('data-prob'));
      expect(Math.abs(unreported - 0.1)).toBeLessThan(1e-6);
      const rest = Number(await page.getByTestId('dist-rest').getAttribute('data-prob'));
      expect(Math.abs(bars.reduce((a, b) => a + b.prob, 0) + rest + unreported - 1)).toBeLessThan(1e-6);
      await expect(page.getByTestId('dist-approx')).toContainText('top 4');
      await expect(page.getByTestId('stage-approx').first()).toBeVisible();
      // Monte-Carlo draws among the reported tokens: said where its samples are drawn
      await expect(page.getByTestId('mc-approx')).toContainText('top 4 tokens');
      await expect(page.getByTestId('setting-repetition-penalty')).toBeDisabled();
      await expect(page.getByTestId('setting-repetition-penalty-disabled')).toContainText('raw logits');
      await shot(page, info, `server-topn-${dialect}`);
    } finally {
      await server.stop();
    }
  });
}

test('a session on a server records the engine (no key); a reload offers to reconnect and asks the server nothing until then', async ({ app, page }, info) => {
  const server = await startDocumentedServer('vllm');
  try {
    await app.open();
    await connect(page, server.url);
    await expect(page.getByTestId('engine-status')).toHaveAttribute('data-state', 'connected');
    await app.setPrompt('今天天气真');
    await app.step();
    await expect(page.getByTestId('generated-token').first()).toContainText('好');
    // let the debounced save land, then reload
    await page.waitForTimeout(500);
    const asked = server.requests.length;
    await page.reload();
    const notice = page.getByTestId('read-only-session');
    await expect(notice).toBeVisible({ timeout: 90_000 });
    const reconnect = page.getByTestId('session-reconnect');
    await expect(reconnect).toContainText(new URL(server.url).host);
    await page.waitForTimeout(500);
    expect(server.requests.length, 'no request to the server before the user reconnects').toBe(asked);
    await reconnect.click();
    await expect(page.getByTestId('status-device')).toHaveAttribute('data-device', 'server', { timeout: 60_000 });
    await expect(page.getByTestId('privacy-line')).toHaveAttribute('data-engine', 'server');
    await expect(notice).toHaveCount(0);
    await expect(page.getByTestId('generated-token')).toHaveCount(1);
    await expect(page.getByTestId('generated-token').first()).toContainText('好');
    await expect(page.getByTestId('dist-unreported')).toBeVisible();
    await shot(page, info, 'server-topn-reconnect');
  } finally {
    await server.stop();
  }
});

test('ollama: teacher forcing goes one request per position with progress; Stop ends it between positions and the app stays usable (#16)', async ({ app, page }, info) => {
  const server: DocumentedServer = await startDocumentedServer('ollama');
  try {
    await app.open();
    await connect(page, server.url);
    await expect(page.getByTestId('engine-status')).toHaveAttribute('data-state', 'connected');
    const text = '今天天气真好不错的热天今天天气真好不错的热天今天天气真好';
    const n = [...text].length; // by character: Ollama has no tokenize endpoint
    const generates = () => server.requests.filter((q) => q.path === '/api/generate').length;
    server.generateDelayMs = 150;
    await page.getByTestId('tf-input').fill(text);
    const before = generates();
    await page.getByRole('button', { name: 'Score' }).click();
    const progress = page.getByTestId('tf-progress');
    await expect(progress).toHaveAttribute('data-total', String(n));
    await expect.poll(async () => Number(await progress.getAttribute('data-done'))).toBeGreaterThanOrEqual(3);
    await shot(page, info, 'server-topn-tf-progress');
    await page.getByTestId('tf-cancel').click();
    await expect(progress).toBeHidden();
    const atStop = generates();
    expect(atStop - before).toBeLessThan(n);
    await expect(page.getByTestId('tf-token')).toHaveCount(0);
    await expect(page.getByTestId('error-message')).toHaveCount(0);
    await page.waitForTimeout(600);
    expect(generates()).toBe(atStop);
    // usable afterwards: a full run scores every character
    server.generateDelayMs = 0;
    await page.getByRole('button', { name: 'Score' }).click();
    await expect(page.getByTestId('tf-token')).toHaveCount(n);
    await app.waitIdle();
    expect(generates() - atStop).toBe(n);
  } finally {
    await server.stop();
  }
});
