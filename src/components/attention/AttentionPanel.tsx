import { useEffect, useMemo, useState, type KeyboardEvent } from 'react';
import { useApp, useAppShallow } from '../../store/store.ts';
import { controller } from '../../store/controller.ts';
import { viewDisplayNode } from '../../store/view.ts';
import { readoutKey, useAttention } from '../../store/attention.ts';
import { sequenceIds } from '../../engine/tree.ts';
import { BAR_H, CELL_H, CELL_W, sharpestHead, stripLayout, topPositions, weightColor, weightsOf } from '../../charts/attentionLayout.ts';
import { textOnTint } from '../../charts/scales.ts';
import { useStageScale } from '../useStageScale.ts';
import { useT } from '../useT.ts';
import { formatPercent, singleTokenLabel } from '../format.ts';
import { ExportButtons } from '../export/ExportButtons.tsx';
import { LensChart } from './LensChart.tsx';

/** Characters of a token shown in a strip cell (the whole text is in its label). */
const CELL_CHARS = 7;

/** The readout of the node whose distribution the chart shows (null while none is held). */
export function useShownReadout() {
  const info = useApp((s) => s.info);
  const node = useApp((s) => viewDisplayNode(s));
  const ids = useAppShallow((s) => sequenceIds(s.tree, viewDisplayNode(s)));
  const key = info ? readoutKey(info.id, ids) : '';
  const readout = useAttention((a) => a.readouts.get(key) ?? null);
  return { info, node, ids, key, readout };
}

/**
 * The attention view (issue #20): where the newest position's query looked while the model computed
 * the step the chart shows — per layer and head or the heads' average, as a heat strip over the
 * prompt and generated tokens, with the sharpest head pointed out, and the logit lens below it.
 * Closed by default: while closed the worker computes nothing extra.
 */
export function AttentionPanel() {
  const { t, locale } = useT();
  const open = useAttention((a) => a.open);
  const layer = useAttention((a) => a.layer);
  const head = useAttention((a) => a.head);
  const unavailable = useAttention((a) => a.unavailable);
  const error = useAttention((a) => a.error);
  const pending = useAttention((a) => a.pending);
  const { info, node, ids, key, readout } = useShownReadout();
  const hasRecord = useApp((s) => !!s.records[viewDisplayNode(s)]);
  const ready = useApp((s) => s.workerReady);
  const [ref, width, scale] = useStageScale<HTMLDivElement>();
  const [focus, setFocus] = useState<number | null>(null);

  useEffect(() => {
    // after the node's record: its forward computed the readout (the view was open), so no extra forward
    if (open && ready && hasRecord && !readout) void controller.loadReadout(node);
  }, [open, ready, hasRecord, readout, node, key]);

  const view = useMemo(() => {
    if (!readout || !info) return null;
    const l = Math.min(layer, readout.layers - 1);
    const h = head === 'mean' || head < readout.heads ? head : 'mean';
    const weights = weightsOf(readout, l, h);
    const labels = ids.map((id) => singleTokenLabel(info, id).label);
    return { l, h, weights, labels, sharp: sharpestHead(readout), layout: stripLayout(weights, Math.max(CELL_W, (width - 8) / scale)) };
  }, [readout, info, layer, head, ids, width, scale]);

  const title = (
    <>
      <h2 id="attn-title">{t('attn.title')}</h2>
      <button type="button" className="attn-toggle" data-testid="attn-toggle" aria-expanded={open} onClick={() => void controller.setAttentionOpen(!open)}>
        {open ? t('attn.hide') : t('attn.show')}
      </button>
    </>
  );
  if (!open) return <section className="panel attn" aria-labelledby="attn-title">{title}</section>;

  const where = view ? `${t('attn.layerN', { n: view.l + 1 })}, ${view.h === 'mean' ? t('attn.mean') : t('attn.headN', { n: view.h + 1 })}` : '';
  const pct = (w: number) => formatPercent(w, locale);
  const cellLabel = (to: number) =>
    view && readout ? t('attn.weightLabel', { from: view.labels[readout.query], fromPos: readout.query + 1, to: view.labels[to], toPos: to + 1, pct: pct(view.weights[to]) }) : '';
  const onKey = (e: KeyboardEvent) => {
    if (!view) return;
    const n = view.weights.length;
    const at = focus ?? n - 1;
    const next = e.key === 'ArrowLeft' ? at - 1 : e.key === 'ArrowRight' ? at + 1 : e.key === 'Home' ? 0 : e.key === 'End' ? n - 1 : null;
    if (next === null) return;
    e.preventDefault();
    e.stopPropagation(); // the app's ArrowLeft/Right (Back / Step) must not act while moving in the strip
    setFocus(Math.max(0, Math.min(n - 1, next)));
  };

  return (
    <section className="panel attn" aria-labelledby="attn-title">
      {readout && <ExportButtons kind="attention" />}
      {title}
      {unavailable ? (
        <p className="muted" data-testid="attn-unavailable">
          {t(unavailable === 'server' ? 'attn.unavailable.server' : unavailable === 'read-only' ? 'attn.unavailable.read-only' : 'attn.unavailable.no-outputs')}
        </p>
      ) : error ? (
        <p className="warn" role="alert">
          {t('attn.failed', { reason: error })}
        </p>
      ) : !view || !readout ? (
        <p className="muted">{pending ? t('attn.loading') : t('attn.noStep')}</p>
      ) : (
        <>
          <p className="muted">{t('attn.intro', { token: view.labels[readout.query], pos: readout.query + 1 })}</p>
          <div className="attn-picker" role="radiogroup" aria-label={t('attn.layer')}>
            <span className="muted">{t('attn.layer')}</span>{' '}
            {Array.from({ length: readout.layers }, (_, l) => (
              <button key={l} type="button" role="radio" aria-checked={view.l === l} className={view.l === l ? 'selected' : ''} data-testid={`attn-layer-${l}`} onClick={() => controller.pickAttention(l, view.h)}>
                {l + 1}
              </button>
            ))}
          </div>
          <div className="attn-picker" role="radiogroup" aria-label={t('attn.head')}>
            <span className="muted">{t('attn.head')}</span>{' '}
            {(['mean', ...Array.from({ length: readout.heads }, (_, h) => h)] as const).map((h) => (
              <button key={h} type="button" role="radio" aria-checked={view.h === h} className={view.h === h ? 'selected' : ''} data-testid={`attn-head-${h}`} onClick={() => controller.pickAttention(view.l, h)}>
                {h === 'mean' ? t('attn.mean') : h + 1}
              </button>
            ))}
          </div>
          <p className="attn-sharpest" data-testid="attn-sharpest" data-layer={view.sharp.layer} data-head={view.sharp.head} data-to={view.sharp.to}>
            {t('attn.sharpest', { layer: view.sharp.layer + 1, head: view.sharp.head + 1, pct: pct(view.sharp.weight), token: view.labels[view.sharp.to] })}{' '}
            <button type="button" onClick={() => controller.pickAttention(view.sharp.layer, view.sharp.head)}>
              {t('attn.showSharpest')}
            </button>
          </p>
          <p className="sr-only" data-testid="attn-summary">
            {t('attn.summary', {
              where,
              list: topPositions(view.weights, 3)
                .map((s) => `“${view.labels[s]}” ${pct(view.weights[s])}`)
                .join(', '),
            })}
          </p>
          <div ref={ref} className="scroll attn-strip" data-testid="attn-panel" data-layer={view.l} data-head={view.h} tabIndex={0} onKeyDown={onKey} aria-label={`${where}. ${t('attn.keys')}`}>
            <svg width={view.layout.width * scale} height={view.layout.height * scale} viewBox={`0 0 ${view.layout.width} ${view.layout.height}`} role="list" aria-label={where}>
              {view.layout.cells.map((c) => {
                const label = view.labels[c.to];
                const short = [...label].length > CELL_CHARS ? `${[...label].slice(0, CELL_CHARS - 1).join('')}…` : label;
                return (
                  <g
                    key={c.to}
                    role="listitem"
                    aria-label={cellLabel(c.to)}
                    transform={`translate(${c.x},${c.y})`}
                    data-testid="attn-weight"
                    data-from={readout.query}
                    data-to={c.to}
                    data-weight={c.weight}
                    className={`attn-cell${c.to === readout.query ? ' query' : ''}${focus === c.to ? ' focused' : ''}`}
                  >
                    <title>{cellLabel(c.to)}</title>
                    <rect x={2} y={2} width={CELL_W - 4} height={BAR_H} rx={3} fill={weightColor(c.weight)} stroke={c.to === readout.query ? '#d35400' : '#9aa7b4'} strokeWidth={c.to === readout.query || focus === c.to ? 2 : 0.5} />
                    <text x={CELL_W / 2} y={2 + BAR_H / 2 + 4} textAnchor="middle" fontSize={11} fill={textOnTint(c.weight)}>
                      {c.weight < 0.005 ? '' : formatPercent(c.weight, locale, 0)}
                    </text>
                    <text x={CELL_W / 2} y={CELL_H - 8} textAnchor="middle" fontSize={12} className="attn-token">
                      {short}
                    </text>
                  </g>
                );
              })}
            </svg>
          </div>
          <p className="sr-only" aria-live="polite">
            {focus !== null ? cellLabel(focus) : ''}
          </p>
        </>
      )}
      {readout && !unavailable && <LensChart />}
    </section>
  );
}
