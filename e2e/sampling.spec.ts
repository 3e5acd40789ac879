import { readFileSync } from 'node:fs';
import { test, expect, shot, reference } from './fixtures.ts';

interface SamplingCase {
  text: string;
  seed: number;
  temperature: number;
  top_k: number;
  top_p: number;
  min_p: number;
  repetition_penalty: number;
  ids: number[];
  new_ids: number[];
  u: number[];
}
// tools/model/sampling_reference.py: torch logits + an independent Python processor chain and draw
const cases: SamplingCase[] = JSON.parse(readFileSync(new URL('../tools/model/reference/sampling.json', import.meta.url), 'utf8')).cases;

for (const c of cases) {
  test(`seeded sampling equals the known-answer draws: ${c.text} (seed ${c.seed})`, async ({ browser }, info) => {
    // a fresh context: empty storage
    const context = await browser.newContext();
    const external: string[] = [];
    context.on('request', (r) => {
      if (!/^(http:\/\/localhost|blob:|data:)/.test(r.url())) external.push(r.url());
    });
    const page = await context.newPage();
    const { AppPage } = await import('./fixtures.ts');
    const app = new AppPage(page);
    await app.open();
    await app.setPrompt(c.text, c.ids);
    await app.selectStrategy('sample');
    await page.getByTestId('setting-seed').fill(String(c.seed));
    await page.getByTestId('setting-temperature').fill(String(c.temperature));
    await page.getByTestId('setting-top-k').fill(String(c.top_k));
    await page.getByTestId('setting-top-p').fill(String(c.top_p));
    await page.getByTestId('setting-min-p').fill(String(c.min_p));
    await page.getByTestId('setting-repetition-penalty').fill(String(c.repetition_penalty));
    await app.waitIdle();
    // the app stops at the end-of-sequence token; the reference keeps going, so compare up to it
    const eosAt = c.new_ids.indexOf(reference.eos_token_id);
    const expected = eosAt >= 0 ? c.new_ids.slice(0, eosAt + 1) : c.new_ids;
    for (let s = 0; s < expected.length; s++) {
      await app.step();
      // the dice marker shows the draw the reference used
      expect(Number(await page.getByTestId('dist-draw').getAttribute('data-u'))).toBe(c.u[s]);
    }
    expect(await app.tokenIds(app.generated)).toEqual(expected);
    if (eosAt >= 0) {
      await expect(page.getByTestId('stop-reason')).toHaveAttribute('data-reason', 'eos');
      await expect(app.stepForward).toBeDisabled();
    }
    // step back 3, forward 3: identical tokens, no new forward pass
    const forwards = await app.forwardCount();
    for (let i = 0; i < 3; i++) await app.stepBack.click();
    await expect(app.generated).toHaveCount(expected.length - 3);
    for (let i = 0; i < 3; i++) await app.step();
    expect(await app.tokenIds(app.generated)).toEqual(expected);
    expect(await app.forwardCount()).toBe(forwards);
    await shot(page, info, `sampling-${c.seed}`);
    expect(external).toEqual([]);
    await context.close();
  });
}
