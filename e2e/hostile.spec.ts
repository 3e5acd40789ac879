import { test, expect, shot } from './fixtures.ts';

/** 500 hostile strings: markup, event handlers, URLs, bidi overrides, zero-width characters, lone surrogates, 10 kB runs. */
function hostileStrings(): string[] {
  const parts = [
    '<script>window.__pwned=1</script>',
    '<img src=x onerror="window.__pwned=1">',
    '"><svg onload=window.__pwned=1>',
    "javascript:window.__pwned=1",
    '<a href="javascript:window.__pwned=1">x</a>',
    '{{constructor.constructor("window.__pwned=1")()}}',
    '\u202eevil\u202c',
    '\u200b\u200c\u200d\u2060\ufeff',
    '\ud800',
    '\udfff',
    '&lt;b&gt;&amp;',
    '%3Cscript%3E',
    '\u0000\u0001\u001b[31m',
    '🦀\u0301\u0301\u0301',
    '龘'.repeat(20),
    'Ġ Ċ ▁',
    '<style>*{display:none}</style>',
    '<iframe srcdoc="<script>parent.__pwned=1</script>">',
  ];
  const out: string[] = [];
  let s = 7;
  const rand = (n: number) => {
    s = (s * 48271) % 2147483647;
    return s % n;
  };
  for (let i = 0; i < 495; i++) {
    const k = 1 + rand(3);
    let t = '';
    for (let j = 0; j < k; j++) t += parts[rand(parts.length)] + (rand(2) ? ' ' : '');
    out.push(t);
  }
  for (let i = 0; i < 5; i++) out.push(parts[i].repeat(Math.ceil(10_240 / parts[i].length)).slice(0, 10_240));
  return out;
}

test('500 hostile strings as prompts and token texts: no script runs, layout stays bounded', async ({ app, page }, info) => {
  test.setTimeout(300_000);
  await app.open();
  let dialogs = 0;
  page.on('dialog', (d) => {
    dialogs++;
    void d.dismiss();
  });
  const strings = hostileStrings();
  for (let i = 0; i < strings.length; i += 50) {
    const batch = strings.slice(i, i + 50);
    const result = await page.evaluate(async (texts) => {
      const w = window as unknown as { __pwned?: number; __app: { controller: { setPrompt(t: string): Promise<void> } } };
      let worst = 0;
      for (const t of texts) {
        await w.__app.controller.setPrompt(t);
        await new Promise((r) => requestAnimationFrame(() => r(null)));
        worst = Math.max(worst, document.documentElement.scrollWidth - window.innerWidth);
      }
      return { pwned: w.__pwned ?? 0, worst, injected: document.querySelectorAll('main script, main iframe, main img, main svg a, main style').length };
    }, batch);
    expect(result.pwned).toBe(0);
    expect(result.injected).toBe(0);
    // no horizontal overflow of the page: long tokens wrap or scroll inside their region
    expect(result.worst).toBeLessThanOrEqual(0);
  }
  expect(dialogs).toBe(0);

  // the same strings inside imported sessions: as the prompt and as the model's name (shown in the
  // read-only notice), 50 files, each validated and opened read-only
  await app.setPrompt('In the beginning');
  await app.step();
  const base = JSON.parse((await page.evaluate(() => (window as unknown as { __app: { controller: { exportSession(): string } } }).__app.controller.exportSession())) as string);
  for (let i = 0; i < 50; i++) {
    const text = strings[(i * 37) % strings.length];
    const session = { ...base, prompt: text, model: { ...base.model, id: text.slice(0, 300) || 'x', fingerprint: 'c'.repeat(64) } };
    await page.getByTestId('import-json').setInputFiles({ name: 'hostile.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(session)) });
    await expect(page.getByTestId('read-only-session')).toBeVisible();
    const r = await page.evaluate(() => ({
      pwned: (window as unknown as { __pwned?: number }).__pwned ?? 0,
      overflow: document.documentElement.scrollWidth - window.innerWidth,
      injected: document.querySelectorAll('main script, main iframe, main img, .errors img, .errors script, main style').length,
    }));
    expect(r).toEqual({ pwned: 0, overflow: expect.any(Number), injected: 0 });
    expect(r.overflow).toBeLessThanOrEqual(0);
  }
  expect(dialogs).toBe(0);
  await page.getByTestId('new-session').click();
  await page.getByTestId('new-session-confirm').click(); // New session asks first
  // the app still works afterwards
  await app.setPrompt('In the beginning');
  await app.step();
  await shot(page, info, 'after-hostile');
});
