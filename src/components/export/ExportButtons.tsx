import { useRef, useState } from 'react';
import { appStore } from '../../store/store.ts';
import { generatedIds } from '../../engine/tree.ts';
import { useT } from '../useT.ts';
import { tokenBytes } from '../format.ts';
import { distributionSvg, downloadBlob, pngBlob, standaloneSvg, svgBlob } from './svgExport.ts';

/** Which picture: the distribution chart, the path tree or the beam tree. */
export type ExportKind = 'chart' | 'tree' | 'beam';

/** Longest context line in a picture, in characters; longer text keeps its end. */
const CONTEXT_CHARS = 90;

/** The prompt and the text generated up to the cursor (bytes decoded together, so split characters join). */
function textSoFar(): { step: number; text: string } {
  const s = appStore.getState();
  const ids = generatedIds(s.tree, s.cursor);
  const parts = s.info ? ids.filter((id) => !s.info!.special[id]).map((id) => tokenBytes(s.info!, id)) : [];
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (bytes.set(p, at), at + p.length), 0);
  const text = (s.prompt + new TextDecoder().decode(bytes)).replace(/\s+/g, ' ');
  const chars = [...text];
  return { step: ids.length, text: chars.length > CONTEXT_CHARS ? `…${chars.slice(-CONTEXT_CHARS).join('')}` : text };
}

/**
 * "Save as picture" buttons for the panel they sit in: SVG (a standalone file with the styles
 * inlined, a white background, the panel title and the step with the text so far) and PNG (the same
 * picture rasterised at 2×). Test ids `export-<kind>-svg` / `export-<kind>-png`.
 */
export function ExportButtons({ kind }: { kind: ExportKind }) {
  const { t } = useT();
  const ref = useRef<HTMLDivElement>(null);
  const [error, setError] = useState('');

  const picture = (): { svg: SVGSVGElement; step: number } | null => {
    const section = ref.current?.closest('section');
    if (!section) return null;
    const title = section.querySelector('h2')?.textContent ?? '';
    const { step, text } = textSoFar();
    const context = t('export.context', { step, text });
    if (kind === 'chart') return { svg: distributionSvg(section, title, context), step };
    const svg = section.querySelector<SVGSVGElement>('.scroll > svg');
    return svg ? { svg: standaloneSvg(svg, title, context), step } : null;
  };

  const save = async (format: 'svg' | 'png') => {
    setError('');
    try {
      const p = picture();
      if (!p) return;
      const blob = format === 'svg' ? svgBlob(p.svg) : await pngBlob(p.svg, 2);
      downloadBlob(blob, `token-by-token-${kind}-step-${p.step}.${format}`);
    } catch (e) {
      setError(t('export.failed', { reason: e instanceof Error ? e.message : String(e) }));
    }
  };

  return (
    <div className="export-buttons" ref={ref} role="group" aria-label={t('export.group')}>
      <button type="button" data-testid={`export-${kind}-svg`} title={t('export.svgTitle')} aria-label={`${t('export.group')}: ${t('export.svg')}`} onClick={() => void save('svg')}>
        ⤓ {t('export.svg')}
      </button>
      <button type="button" data-testid={`export-${kind}-png`} title={t('export.pngTitle')} aria-label={`${t('export.group')}: ${t('export.png')}`} onClick={() => void save('png')}>
        ⤓ {t('export.png')}
      </button>
      {error && (
        <span role="alert" data-testid="error-message" className="warn">
          {error}
        </span>
      )}
    </div>
  );
}
