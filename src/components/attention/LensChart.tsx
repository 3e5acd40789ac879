import { useT } from '../useT.ts';
import { formatPercent, singleTokenLabel } from '../format.ts';
import { lensScale } from '../../charts/attentionLayout.ts';
import { probabilityColor, textOnTint } from '../../charts/scales.ts';
import { ExportButtons } from '../export/ExportButtons.tsx';
import { useShownReadout } from './AttentionPanel.tsx';
import { useStageScale } from '../useStageScale.ts';

const LABEL_W = 150;
const BAR_W = 140;
const ROW_H = 26;
const OTHERS_W = 380;

/**
 * The logit lens (issue #20): for each layer, the top tokens when the newest position's residual
 * stream after that layer is read through the final layer norm and the unembedding — the last row is
 * the model's own output. One row per layer (test id `lens-row`, its top token and probability).
 */
export function LensChart() {
  const { t, locale } = useT();
  const { info, readout } = useShownReadout();
  const [ref, , scale] = useStageScale<HTMLDivElement>();
  if (!info || !readout) return null;
  if (!readout.lens)
    return (
      <p className="muted" data-testid="lens-none">
        {t('lens.none')}
      </p>
    );
  const rows = readout.lens;
  const x = lensScale(BAR_W);
  const last = rows.length - 1;
  const rowName = (layer: number) => (layer === 0 ? t('lens.embeddings') : layer === last ? t('lens.output', { n: layer }) : t('lens.afterBlock', { n: layer }));
  const label = (id: number) => singleTokenLabel(info, id).label;
  return (
    <section className="panel lens" aria-labelledby="lens-title">
      <ExportButtons kind="lens" />
      <h2 id="lens-title">{t('lens.title')}</h2>
      <p className="muted">{t('lens.intro')}</p>
      <ol className="sr-only">
        {rows.map((r) => (
          <li key={r.layer}>
            {t('lens.rowLabel', { where: rowName(r.layer), token: `“${label(r.tokenIds[0])}”`, pct: formatPercent(r.probs[0], locale) })}
            {r.tokenIds.slice(1).map((id, i) => ` · “${label(id)}” ${formatPercent(r.probs[i + 1], locale)}`)}
          </li>
        ))}
      </ol>
      <div ref={ref} className="scroll">
        <svg
          width={(LABEL_W + BAR_W + OTHERS_W) * scale}
          height={(rows.length * ROW_H + 4) * scale}
          viewBox={`0 0 ${LABEL_W + BAR_W + OTHERS_W} ${rows.length * ROW_H + 4}`}
          aria-hidden="true"
        >
          {rows.map((r) => {
            const y = r.layer * ROW_H + 2;
            const top = r.tokenIds[0];
            const p = r.probs[0];
            return (
              <g key={r.layer} data-testid="lens-row" data-layer={r.layer} data-token-id={top} data-prob={p} transform={`translate(0,${y})`} className={r.layer === last ? 'lens-output' : ''}>
                <text x={0} y={ROW_H / 2 + 4} fontSize={12} fontWeight={r.layer === last ? 700 : 400}>
                  {rowName(r.layer)}
                </text>
                <rect x={LABEL_W} y={3} width={BAR_W} height={ROW_H - 6} fill="#eef1f4" />
                <rect x={LABEL_W} y={3} width={x(p)} height={ROW_H - 6} fill={probabilityColor(p)} />
                {/* readable on the bar's tint, and on the grey where a long label runs past the bar (a halo of the tint) */}
                <text x={LABEL_W + 4} y={ROW_H / 2 + 4} fontSize={12} fill={textOnTint(p)} stroke={textOnTint(p) === '#ffffff' ? probabilityColor(p) : '#eef1f4'} strokeWidth={3} paintOrder="stroke">
                  {`“${label(top)}” ${formatPercent(p, locale)}`}
                </text>
                <text x={LABEL_W + BAR_W + 8} y={ROW_H / 2 + 4} fontSize={11} fill="#555">
                  {r.tokenIds
                    .slice(1)
                    .map((id, i) => `“${label(id)}” ${formatPercent(r.probs[i + 1], locale)}`)
                    .join('  ')}
                </text>
              </g>
            );
          })}
        </svg>
      </div>
    </section>
  );
}
