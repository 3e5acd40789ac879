/**
 * Shared Playwright fixture: a page object for the app, a guard that fails any
 * test whose page requests a host other than localhost, and screenshot helpers.
 */
import { test as base, expect, type Locator, type Page, type TestInfo } from '@playwright/test';
import { readFileSync } from 'node:fs';

export interface Reference {
  vocab_size: number;
  eos_token_id: number;
  forward: { name: string; text: string; ids: number[]; last_logits: number[] }[];
  greedy: { text: string; ids: number[]; new_ids: number[]; steps: { top5_ids: number[]; top5_probs: number[] }[] }[];
  beam: { text: string; ids: number[]; num_beams: number; length_penalty: number; max_new_tokens: number; hypotheses: { new_ids: number[]; sum_logprobs: number; score: number }[] }[];
}
export const reference: Reference = JSON.parse(readFileSync(new URL('../tools/model/reference/tiny-bilingual-gpt2.json', import.meta.url), 'utf8'));

const LOCAL = /^(http:\/\/(localhost|127\.0\.0\.1)(:\d+)?\/|blob:|data:)/;

export class AppPage {
  readonly status: Locator;
  readonly prompt: Locator;
  readonly promptTokens: Locator;
  readonly generated: Locator;
  readonly bars: Locator;
  readonly pathNodes: Locator;
  readonly stepForward: Locator;
  readonly stepBack: Locator;
  constructor(readonly page: Page) {
    this.status = page.getByTestId('model-status');
    this.prompt = page.getByTestId('prompt-input');
    this.promptTokens = page.getByTestId('prompt-token');
    this.generated = page.getByTestId('generated-token');
    this.bars = page.getByTestId('dist-bar');
    this.pathNodes = page.getByTestId('path-node');
    this.stepForward = page.getByTestId('step-forward');
    this.stepBack = page.getByTestId('step-back');
  }

  /**
   * Opens the app and waits for the model. The specs were written when greedy was the default
   * strategy: they ask for it explicitly here (sampling is the app's default now); pass
   * `{ strategy: 'default' }` to keep the app's own default.
   */
  async open(opts: { strategy?: 'greedy' | 'sample' | 'beam' | 'default' } = {}): Promise<void> {
    await this.page.goto('/');
    await expect(this.status).toHaveAttribute('data-state', 'ready', { timeout: 90_000 });
    await expect(this.bars.first()).toBeVisible();
    const strategy = opts.strategy ?? 'greedy';
    if (strategy !== 'default' && (await this.page.getByTestId('strategy').inputValue()) !== strategy) await this.selectStrategy(strategy);
  }

  /**
   * Opens the app with `hubUrl` (a local hub, e2e/support/localHub.ts) as its download host, then loads the
   * repository `modelId` through the picker's Hub field and Load button, as a user would; waits until it is ready.
   */
  async loadFromHub(hubUrl: string, modelId: string): Promise<void> {
    await this.page.goto(`/?hubHost=${encodeURIComponent(hubUrl)}`);
    await expect(this.status).toHaveAttribute('data-state', 'ready', { timeout: 90_000 });
    await this.page.getByTestId('model-select').selectOption('hub');
    await this.page.getByPlaceholder('e.g. Xenova/distilgpt2').fill(modelId);
    await this.page.getByRole('button', { name: 'Load', exact: true }).click();
    await expect(this.status).toHaveAttribute('data-model', modelId, { timeout: 90_000 });
    await expect(this.status).toHaveAttribute('data-state', 'ready');
  }

  /** Types a prompt and waits until the chips and the first distribution reflect it. */
  async setPrompt(text: string, expectedIds?: number[]): Promise<void> {
    await this.prompt.fill(text);
    await expect
      .poll(() =>
        this.page.evaluate((t) => {
          const s = (window as unknown as { __app: { store: { getState(): { prompt: string; tree: { promptIds: number[] } } } } }).__app.store.getState();
          return s.prompt === t && s.tree.promptIds.length > 0;
        }, text),
      )
      .toBe(true);
    if (expectedIds) await expect.poll(() => this.tokenIds(this.promptTokens)).toEqual(expectedIds);
    await expect(this.generated).toHaveCount(0);
    await this.waitIdle();
  }

  async tokenIds(loc: Locator): Promise<number[]> {
    return (await loc.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-token-id')))));
  }

  async forwardCount(): Promise<number> {
    return Number(await this.status.getAttribute('data-forward-count'));
  }

  /** Waits until the app has no request in flight and the chart is drawn. */
  async waitIdle(): Promise<void> {
    await expect.poll(() => this.page.evaluate(() => (window as unknown as { __app: { store: { getState(): { busy: boolean } } } }).__app.store.getState().busy)).toBe(false);
    await expect(this.bars.first()).toBeVisible();
  }

  async step(): Promise<void> {
    const before = await this.generated.count();
    await this.stepForward.click();
    await expect(this.generated).toHaveCount(before + 1);
    await this.waitIdle();
  }

  async selectStrategy(s: 'greedy' | 'sample' | 'beam'): Promise<void> {
    await this.page.getByTestId('strategy').selectOption(s);
    await this.waitIdle();
  }

  /**
   * Beam search with these settings run as a whole (Run to end; Step ▶ would reveal it one beam step at
   * a time), waiting for `expected` hypotheses. @returns each result's score (summed logprob, length
   * penalised) and new token ids, best first
   */
  async runBeamSearch(b: { num_beams: number; length_penalty: number; max_new_tokens: number }, expected: number): Promise<{ score: number; ids: number[] }[]> {
    await this.selectStrategy('beam');
    await this.page.getByTestId('setting-beam-width').fill(String(b.num_beams));
    await this.page.getByTestId('setting-length-penalty').fill(String(b.length_penalty));
    await this.page.getByTestId('setting-max-new-tokens').fill(String(b.max_new_tokens));
    await this.page.getByTestId('run-to-end').click();
    await expect(this.page.getByTestId('beam-result')).toHaveCount(expected, { timeout: 60_000 });
    return this.page.getByTestId('beam-result').evaluateAll((els) =>
      els.map((e) => ({ score: Number(e.getAttribute('data-score')), ids: (e.getAttribute('data-token-ids') ?? '').split(',').map(Number) })),
    );
  }

  /** The bars as numbers, in display order. */
  async barData(): Promise<{ id: number; prob: number; finalProb: number; chosen: boolean; kept: boolean }[]> {
    return this.bars.evaluateAll((els) =>
      els.map((e) => ({
        id: Number(e.getAttribute('data-token-id')),
        prob: Number(e.getAttribute('data-prob')),
        finalProb: Number(e.getAttribute('data-final-prob')),
        chosen: e.getAttribute('data-chosen') === 'true',
        kept: e.getAttribute('data-kept') === 'true',
      })),
    );
  }
}

export async function shot(page: Page, info: TestInfo, name: string): Promise<void> {
  await info.attach(name, { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' });
}

export const test = base.extend<{ app: AppPage; external: string[] }>({
  external: async ({ context }, use) => {
    const external: string[] = [];
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (LOCAL.test(url)) return route.continue();
      external.push(url);
      return route.abort('blockedbyclient');
    });
    context.on('request', (r) => {
      if (!LOCAL.test(r.url()) && !external.includes(r.url())) external.push(r.url());
    });
    await use(external);
    expect(external, 'requests to hosts other than localhost').toEqual([]);
  },
  app: async ({ page, external }, use) => {
    void external;
    await use(new AppPage(page));
  },
});

export { expect };
