import { test, expect, shot } from './fixtures.ts';
import { GLOSSARY } from '../src/i18n/glossary.ts';

// Latin-script words left after removing token text, numbers and the glossary
function englishLeft(text: string): string[] {
  let t = text;
  for (const term of [...GLOSSARY].sort((a, b) => b.length - a.length)) t = t.split(term).join(' ');
  return (t.match(/[A-Za-z]{2,}/g) ?? []).filter((w) => w !== 'tiny' && w !== 'bilingual' && w !== 'gpt');
}

for (const lang of ['zh-Hans', 'zh-Hant'] as const) {
  test(`${lang}: no English left in the main regions`, async ({ app, page }, info) => {
    await app.open();
    await app.setPrompt('白日依山尽，');
    await app.step();
    await page.getByTestId('language-select').selectOption(lang);
    await expect(page.locator('html')).toHaveAttribute('lang', lang);
    const text = await page.evaluate(() => {
      const root = document.querySelector('[data-testid=main-regions]')!.cloneNode(true) as HTMLElement;
      // token text is model data, not UI
      root.querySelectorAll('.chip, .tok, textarea, input, .beam-text, svg text, .example, .url').forEach((e) => e.remove());
      return root.innerText;
    });
    expect(englishLeft(text)).toEqual([]);
    await shot(page, info, `lang-${lang}`);
  });
}

test('numbers are formatted for the locale', async ({ app, page }) => {
  await app.open();
  await page.getByTestId('language-select').selectOption('zh-Hans');
  await expect(page.getByText(/下一步|词元/).first()).toBeVisible();
});
