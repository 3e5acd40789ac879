/**
 * "Save as picture": the distribution chart, the path tree and the beam tree download as standalone
 * SVG files (parsed here: same bars / nodes as the page, token texts present as text) and as PNG
 * images (signature, and IHDR dimensions = 2 × the SVG's size).
 */
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { expect, reference, shot, test } from './fixtures.ts';

interface ParsedSvg {
  error: string | null;
  root: string;
  width: number;
  height: number;
  texts: string[];
  barIds: number[];
  pathNodes: string[];
  beamNodes: string[];
  whiteBackground: boolean;
  /** natural size of the file when loaded as an image: proves a browser can render it standalone */
  imageWidth: number;
}

async function download(page: Page, testId: string): Promise<{ name: string; body: Buffer }> {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  return { name: dl.suggestedFilename(), body: readFileSync((await dl.path())!) };
}

/** Parses an SVG file in the page's DOMParser and loads it as an image. */
async function parseSvg(page: Page, xml: string): Promise<ParsedSvg> {
  return page.evaluate(async (src) => {
    const doc = new DOMParser().parseFromString(src, 'image/svg+xml');
    const root = doc.documentElement;
    const err = doc.querySelector('parsererror');
    const url = URL.createObjectURL(new Blob([src], { type: 'image/svg+xml' }));
    const img = new Image();
    img.src = url;
    await img.decode();
    URL.revokeObjectURL(url);
    const bg = root.querySelector(':scope > rect');
    return {
      error: err ? err.textContent : null,
      root: `${root.namespaceURI} ${root.localName}`,
      width: Number(root.getAttribute('width')),
      height: Number(root.getAttribute('height')),
      texts: Array.from(root.querySelectorAll('text')).map((t) => t.textContent ?? ''),
      barIds: Array.from(root.querySelectorAll('g.bar')).map((g) => Number(g.getAttribute('data-token-id'))),
      pathNodes: Array.from(root.querySelectorAll('[data-testid="path-node"]')).map((g) => g.getAttribute('data-node-id') ?? ''),
      beamNodes: Array.from(root.querySelectorAll('[data-testid="beam-node"]')).map((g) => `${g.getAttribute('data-step')}:${g.getAttribute('data-token-id')}`),
      whiteBackground: bg?.getAttribute('fill') === '#ffffff',
      imageWidth: img.naturalWidth,
    };
  }, xml);
}

/** Width and height from a PNG's IHDR chunk, after checking the 8-byte signature. */
function pngSize(body: Buffer): { width: number; height: number } {
  expect([...body.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(body.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return { width: body.readUInt32BE(16), height: body.readUInt32BE(20) };
}

async function expectPng(page: Page, testId: string, svg: ParsedSvg, prefix: string): Promise<void> {
  const png = await download(page, testId);
  expect(png.name).toMatch(new RegExp(`^${prefix}.*\\.png$`));
  expect(pngSize(png.body)).toEqual({ width: svg.width * 2, height: svg.height * 2 });
  await test.info().attach(png.name, { body: png.body, contentType: 'image/png' });
}

const greedy = reference.greedy[0];

test('chart and path tree: SVG with the same bars, nodes and token texts; PNG at 2×', async ({ app, page }, info) => {
  await app.open();
  await app.selectStrategy('greedy');
  await app.setPrompt(greedy.text, greedy.ids);
  await app.step();
  await app.step();

  const chart = await download(page, 'export-chart-svg');
  expect(chart.name).toBe('token-by-token-chart-step-2.svg');
  const svg = await parseSvg(page, chart.body.toString('utf8'));
  expect(svg.error).toBeNull();
  expect(svg.root).toBe('http://www.w3.org/2000/svg svg');
  expect(svg.whiteBackground).toBe(true);
  expect(svg.imageWidth).toBe(svg.width);
  expect(svg.barIds).toEqual(await app.tokenIds(app.bars));
  const barTexts = await page.locator('[data-testid="dist-bar"] .tok').allTextContents();
  for (const text of barTexts) expect(svg.texts).toContain(text);
  // title and context: the panel title, the step and the text so far
  expect(svg.texts[0]).toBe(await page.locator('#dist-title').textContent());
  expect(svg.texts[1]).toContain('Step 2');
  expect(svg.texts[1]).toContain(greedy.text);
  // a settings line records the model and the decoding settings
  expect(svg.texts[2]).toBe('Model tiny-bilingual-gpt2 · Greedy: always the most probable token');
  await expectPng(page, 'export-chart-png', svg, 'token-by-token-chart-step-2');

  const tree = await download(page, 'export-tree-svg');
  const tsvg = await parseSvg(page, tree.body.toString('utf8'));
  expect(tsvg.error).toBeNull();
  expect(tsvg.pathNodes).toEqual(await app.pathNodes.evaluateAll((els) => els.map((e) => e.getAttribute('data-node-id') ?? '')));
  expect(tsvg.pathNodes).toHaveLength(3);
  for (const text of await page.locator('[data-testid="path-node"] text').allTextContents()) expect(tsvg.texts).toContain(text);
  // styles are inlined: the node boxes keep their white fill and grey/orange stroke outside the app
  expect(tree.body.toString('utf8')).not.toContain('class=');
  expect(tree.body.toString('utf8')).toMatch(/stroke:\s*rgb\(/);
  await expectPng(page, 'export-tree-png', tsvg, 'token-by-token-tree-step-2');
  await shot(page, info, 'export-buttons');
});

test('beam tree: SVG with the same candidates and token texts; PNG at 2×', async ({ app, page }) => {
  const b = reference.beam[0];
  await app.open();
  await app.setPrompt(b.text, b.ids);
  await app.selectStrategy('beam');
  await page.getByTestId('setting-beam-width').fill(String(b.num_beams));
  await page.getByTestId('setting-max-new-tokens').fill('4');
  await page.getByTestId('run-to-end').click(); // the whole search (Step ▶ would reveal it one beam step at a time)
  await expect(page.getByTestId('beam-result').first()).toBeVisible({ timeout: 60_000 });
  await app.waitIdle();
  const beam = await download(page, 'export-beam-svg');
  expect(beam.name).toMatch(/^token-by-token-beam-step-\d+\.svg$/);
  const svg = await parseSvg(page, beam.body.toString('utf8'));
  expect(svg.error).toBeNull();
  const onPage = await page.getByTestId('beam-node').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-step')}:${e.getAttribute('data-token-id')}`));
  expect(onPage.length).toBeGreaterThan(0);
  expect(svg.beamNodes).toEqual(onPage);
  for (const text of await page.locator('[data-testid="beam-node"] text').allTextContents()) expect(svg.texts).toContain(text);
  await expectPng(page, 'export-beam-png', svg, 'token-by-token-beam-step-');
});

test('the export buttons are labelled in every language', async ({ app, page }) => {
  await app.open();
  for (const [lang, word] of [['zh-Hans', '保存为图片'], ['zh-Hant', '儲存為圖片'], ['en', 'Save as picture']] as const) {
    await page.getByTestId('language-select').selectOption(lang);
    await expect(page.getByTestId('export-chart-svg')).toHaveAttribute('aria-label', `${word}: SVG`);
  }
  // keyboard: the buttons are reachable and start a download with Enter
  await page.getByTestId('export-chart-png').focus();
  const [dl] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
  expect(dl.suggestedFilename()).toMatch(/\.png$/);
});
