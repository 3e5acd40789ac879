/**
 * Pictures for slides: standalone SVG documents of the charts as they are on screen, and PNG
 * rasterisations of them. Everything is built with DOM calls (`createElementNS`, `textContent`,
 * `XMLSerializer`), so token text, which is untrusted, is always text in the file, never markup.
 */

const SVG_NS = 'http://www.w3.org/2000/svg';
/** Height (px) of the header with the title and the step context above the picture. */
const HEADER = 52;
const PAD = 12;
/** Presentation properties copied from the computed style so the file looks like the page. */
const STYLE_PROPS = [
  'fill',
  'fill-opacity',
  'stroke',
  'stroke-width',
  'stroke-opacity',
  'stroke-dasharray',
  'opacity',
  'font-family',
  'font-size',
  'font-weight',
  'font-style',
  'text-anchor',
  'dominant-baseline',
  'visibility',
] as const;

function el<K extends keyof SVGElementTagNameMap>(name: K, attrs: Record<string, string | number> = {}, text?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'xml:space') e.setAttributeNS('http://www.w3.org/XML/1998/namespace', k, String(v));
    else e.setAttribute(k, String(v));
  }
  if (text !== undefined) e.textContent = text;
  return e;
}

function pageFont(): string {
  return getComputedStyle(document.body).fontFamily || 'sans-serif';
}

/**
 * A new `<svg>` root of `width` × (`height` + header) px: white background, the title and the
 * context line (e.g. "Step 3 · In the beginning God created") at the top; `body` is placed below.
 */
function framed(width: number, height: number, title: string, context: string, body: SVGElement, settings = ''): SVGSVGElement {
  // a third header line records the model and settings the picture was made with
  const header = settings ? HEADER + 18 : HEADER;
  const w = Math.ceil(width + 2 * PAD);
  const h = Math.ceil(height + header + PAD);
  const root = el('svg', { width: w, height: h, viewBox: `0 0 ${w} ${h}`, 'font-family': pageFont() });
  root.appendChild(el('title', {}, `${title} — ${context}`));
  root.appendChild(el('rect', { x: 0, y: 0, width: w, height: h, fill: '#ffffff' }));
  root.appendChild(el('text', { x: PAD, y: 22, 'font-size': 16, 'font-weight': 700, fill: '#1f2328' }, title));
  root.appendChild(el('text', { x: PAD, y: 42, 'font-size': 12, fill: '#57606a', 'xml:space': 'preserve' }, context));
  if (settings) root.appendChild(el('text', { x: PAD, y: 60, 'font-size': 12, fill: '#57606a', 'xml:space': 'preserve' }, settings));
  body.setAttribute('transform', `translate(${PAD},${header})`);
  root.appendChild(body);
  return root;
}

/** Copies the computed presentation style of `from` and its descendants onto the clone `to`. */
function inlineStyles(from: Element, to: Element): void {
  const cs = getComputedStyle(from);
  const style = STYLE_PROPS.map((p) => `${p}:${cs.getPropertyValue(p)}`)
    .filter((d) => !d.endsWith(':'))
    .join(';');
  to.setAttribute('style', style);
  to.removeAttribute('class');
  to.removeAttribute('tabindex');
  to.removeAttribute('role');
  const a = from.children;
  const b = to.children;
  for (let i = 0; i < a.length && i < b.length; i++) inlineStyles(a[i], b[i]);
}

/**
 * A standalone copy of an on-screen SVG (the path tree, the beam tree): computed styles inlined,
 * classes and focus attributes dropped, `data-*` attributes kept, inside a framed picture.
 * Size is the SVG's rendered size in CSS px.
 */
export function standaloneSvg(svg: SVGSVGElement, title: string, context: string, settings = ''): SVGSVGElement {
  const box = svg.getBoundingClientRect();
  const width = Number(svg.getAttribute('width')) || box.width;
  const height = Number(svg.getAttribute('height')) || box.height;
  const copy = svg.cloneNode(true) as SVGSVGElement;
  inlineStyles(svg, copy);
  const g = el('g');
  // the copy keeps its own coordinate system as a nested <svg>
  copy.setAttribute('width', String(width));
  copy.setAttribute('height', String(height));
  copy.removeAttribute('aria-label');
  g.appendChild(copy);
  return framed(width, height, title, context, g, settings);
}

/**
 * The distribution chart as an SVG: one row per bar (`data-testid="dist-bar"` in `chart`), with the
 * token text, the model-probability bar and the final (or selected-stage) bar at their on-screen
 * lengths and colours, and the numbers; then the rest and EOS rows as text. Each bar row is a
 * `<g class="bar">` carrying the bar's `data-token-id`, `data-prob` and `data-final-prob`.
 */
export function distributionSvg(chart: HTMLElement, title: string, context: string, settings = ''): SVGSVGElement {
  const bars = [...chart.querySelectorAll<HTMLElement>('[data-testid="dist-bar"]')];
  const ROW = 24;
  const LABEL = 150;
  const BAR = 260;
  const NUMS = 420;
  const body = el('g', { 'font-size': 12 });
  const mono = bars[0] ? getComputedStyle(bars[0].querySelector('.tok') ?? bars[0]).fontFamily : 'monospace';
  bars.forEach((b, i) => {
    const y = i * ROW;
    const row = el('g', {
      class: 'bar',
      'data-token-id': b.dataset.tokenId ?? '',
      'data-prob': b.dataset.prob ?? '',
      'data-final-prob': b.dataset.finalProb ?? '',
      'data-chosen': b.dataset.chosen ?? '',
      transform: `translate(0,${y})`,
    });
    const removed = b.closest('.dist-row')?.classList.contains('removed') ?? false;
    if (removed) row.setAttribute('opacity', '0.45');
    if (b.dataset.chosen === 'true') row.appendChild(el('rect', { x: -4, y: 0, width: NUMS + 320, height: ROW - 2, fill: '#fff4ec' }));
    const tok = b.querySelector('.tok');
    row.appendChild(el('text', { x: LABEL - 8, y: 16, 'text-anchor': 'end', 'font-family': mono, fill: '#1f2328', 'xml:space': 'preserve' }, tok?.textContent ?? ''));
    for (const [cls, yy, hh] of [['.bar-model', 3, 16], ['.bar-final', 7, 8]] as const) {
      const r = b.querySelector<SVGRectElement>(cls);
      if (!r) continue;
      const cs = getComputedStyle(r);
      // the on-screen bar is drawn in a viewBox BAR units wide; its width is a CSS length in those units
      const w = Math.max(0, Math.min(BAR, parseFloat(cs.width) || 0));
      row.appendChild(el('rect', { x: LABEL, y: yy, width: w, height: hh, fill: cs.fill, 'fill-opacity': cs.fillOpacity || 1 }));
    }
    row.appendChild(el('text', { x: NUMS, y: 16, fill: '#57606a' }, b.querySelector('.nums')?.textContent ?? ''));
    body.appendChild(row);
  });
  let y = bars.length * ROW + 8;
  for (const sel of ['[data-testid="dist-rest"]', '[data-testid="dist-eos"]']) {
    const row = chart.querySelector(sel);
    if (!row) continue;
    // label and numbers are separate spans on the page: keep them apart in the one line of text
    const parts = Array.from(row.children, (c) => (c.textContent ?? '').replace(/\s+/g, ' ').trim()).filter(Boolean);
    body.appendChild(el('text', { x: 0, y: y + 12, fill: '#57606a', 'xml:space': 'preserve' }, parts.join(' — ')));
    y += 20;
  }
  return framed(NUMS + 320, y, title, context, body, settings);
}

/** The SVG document as a file (UTF-8, with an XML declaration). */
export function svgBlob(svg: SVGSVGElement): Blob {
  const xml = new XMLSerializer().serializeToString(svg);
  return new Blob([`<?xml version="1.0" encoding="UTF-8"?>\n`, xml], { type: 'image/svg+xml' });
}

/**
 * Rasterises the SVG to a PNG at `scale` × its size (2 = sharp on projectors and slides), through an
 * `<img>` and a canvas.
 * @throws Error when the image cannot be decoded or the canvas cannot be encoded
 */
export async function pngBlob(svg: SVGSVGElement, scale = 2): Promise<Blob> {
  const width = Number(svg.getAttribute('width'));
  const height = Number(svg.getAttribute('height'));
  const url = URL.createObjectURL(svgBlob(svg));
  try {
    const img = new Image(width, height);
    img.src = url;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2D canvas');
    ctx.scale(scale, scale);
    ctx.drawImage(img, 0, 0, width, height);
    return await new Promise<Blob>((ok, fail) => canvas.toBlob((b) => (b ? ok(b) : fail(new Error('PNG encoding failed'))), 'image/png'));
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** Saves `blob` as a download named `filename`. */
export function downloadBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
