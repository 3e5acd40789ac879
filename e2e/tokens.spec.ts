import { test, expect, shot, reference } from './fixtures.ts';

for (const name of ['en', 'zh', 'emoji', 'rare_cjk']) {
  const f = reference.forward.find((x) => x.name === name)!;
  test(`prompt chips match the tokenizer and round-trip: ${name}`, async ({ app, page }, info) => {
    await app.open();
    await app.setPrompt(f.text, f.ids);
    // the chips' bytes, concatenated, decode back to the prompt
    const hex = await app.promptTokens.evaluateAll((els) => els.map((e) => e.getAttribute('data-bytes') ?? '').join(' '));
    const bytes = Uint8Array.from(hex.split(' ').filter(Boolean).map((h) => parseInt(h, 16)));
    expect(new TextDecoder().decode(bytes)).toBe(f.text);
    // no raw byte-level markers on screen
    const text = (await app.promptTokens.allTextContents()).join('');
    expect(text).not.toMatch(/[ĠĊ]/);
    if (name === 'rare_cjk') {
      await expect(page.locator('[data-testid=prompt-token][data-partial=true]').first()).toBeVisible();
    }
    await shot(page, info, `prompt-${name}`);
  });
}

test('token text is rendered as text, never as HTML', async ({ app, page }) => {
  await app.open();
  let alerted = false;
  page.on('dialog', (d) => {
    alerted = true;
    void d.dismiss();
  });
  await app.setPrompt('<img src=x onerror=alert(1)>');
  await expect(page.locator('.chip-row img')).toHaveCount(0);
  const shown = (await app.promptTokens.allTextContents()).join('');
  expect(shown.replaceAll('␣', ' ')).toBe('<img src=x onerror=alert(1)>');
  expect(alerted).toBe(false);
});

test('a trailing space warns', async ({ app, page }) => {
  await app.open();
  await app.setPrompt('In the beginning ');
  await expect(page.getByText(/ends with a space/)).toBeVisible();
});
