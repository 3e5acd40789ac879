import { visibleText } from '../../engine/tokens.ts';
import { useRef, useState } from 'react';
import { appStore } from '../../store/store.ts';
import { generatedIds } from '../../engine/tree.ts';
import { useT } from '../useT.ts';
import { tokenBytes } from '../format.ts';
import { settingsSummary } from '../settings/summary.ts';
import { distributionSvg, downloadBlob, pngBlob, standaloneSvg, svgBlob } from './svgExport.ts';

/** Which picture: the distribution chart, the path tree, the beam tree, the attention strip or the logit lens. */
export type ExportKind = 'chart' | 'tree' | 'beam' | 'attention' | 'lens';

/** Longest context line in a picture, in characters; longer text keeps its end. */
const CONTEXT_CHARS = 90;

/** The prompt and the text generated up to the cursor (bytes decoded together, so split characters join). */
function textSoFar(): { step: number; text: string } {
  const s = appStore.getState();
  const ids = generatedIds(s.tree, s.cursor);
  const info = s.info;
  // what the model reads: the prompt's tokens (a chat template's special tokens by name) and the generated ones
  let text = '';
  if (info) {
    let run: Uint8Array[] = [];
    const flush = () => {
      const bytes = new Uint8Array(run.reduce((n, p) => n + p.length, 0));
      run.reduce((at, p) => (bytes.set(p, at), at + p.length), 0);
      text += new TextDecoder().decode(bytes);
      run = [];
    };
    for (const id of [...s.tree.promptIds, ...ids]) {
      if (info.special[id]) {
        flush();
        text += info.vocabPieces[id];
      } else run.push(tokenBytes(info, id));
    }
    flush();
  }
  // token text is untrusted: control and bidi characters become visible names (⟦RLO⟧), characters
  // XML cannot hold become U+FFFD, runs of whitespace one space
  const safe = [...text.replace(/\s+/g, ' ')]
    .map((ch) => (ch === ' ' ? ch : visibleText(ch)))
    .join('')
    .replace(/[^\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, '\ufffd');
  const chars = [...safe];
  return { step: ids.length, text: chars.length > CONTEXT_CHARS ? `…${chars.slice(-CONTEXT_CHARS).join('')}` : safe };
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
    // the beam tree shows one step of its search, not the path's length
    const run = appStore.getState().beamRun;
    const beamStep = kind === 'beam' && run && run.steps.length > 0 ? run.viewStep + 1 : null;
    const context = beamStep !== null ? t('export.beamContext', { step: beamStep, total: run!.steps.length, text }) : t('export.context', { step, text });
    const st = appStore.getState();
    const settings = t('export.settingsLine', {
      model: st.info?.id ?? '—',
      settings: `${settingsSummary(st, t)}${st.strategy === 'sample' ? ` · seed ${st.seed}` : ''}`,
    });
    if (kind === 'chart') return { svg: distributionSvg(section, title, context, settings), step };
    const svg = section.querySelector<SVGSVGElement>('.scroll > svg');
    return svg ? { svg: standaloneSvg(svg, title, context, settings), step: beamStep ?? step } : null;
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
