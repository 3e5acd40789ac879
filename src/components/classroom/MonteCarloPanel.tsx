import { useEffect, useMemo, useRef } from 'react';
import { PanelSection } from '../shell/PanelSection.tsx';
import { useApp } from '../../store/store.ts';
import { displayNodeOf } from '../../store/selectors.ts';
import {
  setMcOptions,
  MC_SIZES,
  mcSettingsKey,
  runMonteCarlo,
  runMonteCarloTree,
  sequenceKey,
  useClassroom,
} from '../../store/classroom.ts';
import { controller } from '../../store/controller.ts';
import { histogramColumns } from '../../charts/histogram.ts';
import { layoutMcTree } from '../../charts/mcTreeLayout.ts';
import { useElementWidth } from '../useElementWidth.ts';
import type { McHistogram } from '../../engine/monteCarlo.ts';
import type { McTreeNode } from '../../engine/mcTree.ts';
import type { ModelInfo } from '../../domain/types.ts';
import { useT } from '../useT.ts';
import { formatNumber, formatPercent, formatProbability, singleTokenLabel } from '../format.ts';

const H = 180;
/** Left margin for the y axis labels, bottom margin for the token labels (px). */
const ML = 44;
const MB = 90;

/**
 * Monte-Carlo sampling at the step the chart shows: N draws from the final distribution as a
 * histogram over the true probabilities (with the TVD and a chi-squared test), and N sampled
 * continuations of length L merged into a tree with visit counts.
 */
export function MonteCarloPanel() {
  const { t, locale } = useT();
  const info = useApp((s) => s.info);
  const seqKey = useApp((s) => sequenceKey(s.tree, displayNodeOf(s)));
  const settingsKey = useApp((s) => mcSettingsKey(s));
  const seed = useApp((s) => s.seed);
  const ready = useApp((s) => s.status === 'ready' && s.tree.promptIds.length > 0 && !s.readOnly && !s.promptError);
  const n = useClassroom((s) => s.mcN);
  const mc = useClassroom((s) => s.mc);
  const busy = useClassroom((s) => s.mcBusy);
  const tree = useClassroom((s) => s.mcTree);
  const treeBusy = useClassroom((s) => s.mcTreeBusy);
  const treeN = useClassroom((s) => s.mcTreeN);
  const treeLength = useClassroom((s) => s.mcTreeLength);
  // a top-N engine (issue #16): the draws are among the reported tokens only
  const reported = useApp((s) => s.records[displayNodeOf(s)]?.record.top?.reported ?? null);
  if (!info) return null;
  const current = mc && mc.seqKey === seqKey && mc.settingsKey === settingsKey ? mc.histogram : null;
  const treeCurrent = tree && tree.seqKey === seqKey && tree.settingsKey === settingsKey ? tree.nodes : null;
  return (
    <PanelSection id="mc" className="mc" title={t('mc.title')} intro={t('mc.intro')}>
      <div className="mc-controls">
        <label>
          {t('mc.n')}{' '}
          <select data-testid="mc-n" value={n} onChange={(e) => setMcOptions({ mcN: Number(e.target.value) })}>
            {MC_SIZES.map((k) => (
              <option key={k} value={k}>
                {new Intl.NumberFormat(locale).format(k)}
              </option>
            ))}
          </select>
        </label>{' '}
        <button type="button" data-testid="mc-run" disabled={!ready || busy} onClick={() => void runMonteCarlo()}>
          {busy ? t('mc.running') : t('mc.run', { n: new Intl.NumberFormat(locale).format(n) })}
        </button>
      </div>
      <p className="muted small">{t('mc.settingsNote', { seed })}</p>
      {reported !== null && (
        <p className="muted small" data-testid="mc-approx">
          {t('mc.approxNote', { n: reported })}
        </p>
      )}
      {current ? <Histogram h={current} info={info} /> : mc ? <p className="muted">{t('mc.stale')}</p> : null}

      <h3>{t('mc.treeTitle')}</h3>
      <p className="muted">{t('mc.treeIntro')}</p>
      <div className="mc-controls">
        <label>
          {t('mc.treeN')}{' '}
          <input
            type="number"
            data-testid="mc-tree-n"
            min={1}
            max={200}
            value={treeN}
            onChange={(e) => setMcOptions({ mcTreeN: clampInt(e.target.value, 1, 200, treeN) })}
          />
        </label>{' '}
        <label>
          {t('mc.treeLength')}{' '}
          <input
            type="number"
            data-testid="mc-tree-length"
            min={1}
            max={8}
            value={treeLength}
            onChange={(e) => setMcOptions({ mcTreeLength: clampInt(e.target.value, 1, 8, treeLength) })}
          />
        </label>{' '}
        {treeBusy ? (
          <button type="button" data-testid="mc-tree-cancel" onClick={() => controller.cancelMonteCarloTree()}>
            {t('mc.treeCancel')}
          </button>
        ) : (
          <button type="button" data-testid="mc-tree-run" disabled={!ready} onClick={() => void runMonteCarloTree()}>
            {t('mc.treeRun')}
          </button>
        )}
      </div>
      {treeCurrent && <ContinuationTree nodes={treeCurrent} info={info} />}
    </PanelSection>
  );
}

function clampInt(text: string, lo: number, hi: number, fallback: number): number {
  const v = Number(text);
  return Number.isInteger(v) ? Math.min(hi, Math.max(lo, v)) : fallback;
}

function Histogram({ h, info }: { h: McHistogram; info: ModelInfo }) {
  const { t, locale } = useT();
  // full width: the drawing follows its container; every column is labelled when there is room
  const [ref, measured] = useElementWidth<HTMLElement>();
  const W = Math.max(320, measured || 600);
  const m = h.tokenIds.length;
  const freqs = [...Array.from(h.counts, (c) => c / h.n), h.restCount / h.n];
  const probs = [...Array.from(h.finalProbs), h.restFinalProb];
  const { columns, ticks } = histogramColumns(freqs, probs, W - ML, H);
  const label = (j: number) => (j < m ? singleTokenLabel(info, h.tokenIds[j]).label : t('mc.rest'));
  const band = columns[0]?.width ?? 0;
  // horizontal labels when a band holds one, else slanted; a label every `every` columns when bands are narrow
  const flat = band >= 48;
  const every = band >= 14 ? 1 : Math.ceil(14 / Math.max(1, band));
  const cut = (s: string) => (flat ? (s.length > Math.floor(band / 8) ? `${s.slice(0, Math.max(1, Math.floor(band / 8) - 1))}…` : s) : s.length > 12 ? `${s.slice(0, 11)}…` : s);
  return (
    <figure className="mc-hist" ref={ref}>
      <p className="muted key">
        <span className="key-freq" /> {t('mc.legendFreq')} · <span className="key-tick" /> {t('mc.legendProb')}
      </p>
      <svg viewBox={`0 0 ${W} ${H + (flat ? 30 : MB)}`} width={W} height={H + (flat ? 30 : MB)} role="img" aria-label={t('mc.title')}>
        <g transform={`translate(${ML},8)`}>
        {ticks.map((tk) => (
          <g key={tk.value} transform={`translate(0,${H - tk.height})`}>
            <line x1={-4} x2={W - ML} className="grid" />
            <text x={-6} dy="0.32em" textAnchor="end" className="mc-axis">
              {formatPercent(tk.value, locale, 0)}
            </text>
          </g>
        ))}
        {columns.map((c, j) => {
          const count = j < m ? h.counts[j] : h.restCount;
          const text = t('mc.barLabel', {
            token: label(j),
            count: new Intl.NumberFormat(locale).format(count),
            n: new Intl.NumberFormat(locale).format(h.n),
            freq: formatPercent(freqs[j], locale, 2),
            prob: formatProbability(probs[j], locale),
          });
          const attrs =
            j < m
              ? { 'data-testid': 'mc-bar', 'data-token-id': h.tokenIds[j], 'data-freq': freqs[j], 'data-prob': h.probs[j], 'data-final-prob': h.finalProbs[j], 'data-count': count }
              : { 'data-testid': 'mc-rest', 'data-freq': freqs[j], 'data-prob': h.restProb, 'data-final-prob': h.restFinalProb, 'data-count': count };
          return (
            <g key={j < m ? h.tokenIds[j] : 'rest'} {...attrs}>
              <title>{text}</title>
              <rect className="mc-freq" x={c.x} y={H - c.freqHeight} width={c.width} height={c.freqHeight} />
              <line className="mc-prob" x1={c.x - 1} x2={c.x + c.width + 1} y1={H - c.probHeight} y2={H - c.probHeight} />
              {(j % every === 0 || j === m) &&
                (flat ? (
                  <text className={j < m ? 'tok mc-label' : 'mc-label'} textAnchor="middle" x={c.x + c.width / 2} y={H + 18}>
                    {cut(label(j))}
                  </text>
                ) : (
                  <text className={j < m ? 'tok mc-label' : 'mc-label'} textAnchor="end" transform={`translate(${c.x + c.width / 2 + 4},${H + 10}) rotate(-50)`}>
                    {cut(label(j))}
                  </text>
                ))}
            </g>
          );
        })}
        <line x1={0} x2={W - ML} y1={H} y2={H} className="axis" />
        </g>
      </svg>
      <p data-testid="mc-tvd" data-tvd={h.tvd}>
        {t('mc.tvd', { tvd: formatNumber(h.tvd, locale, 4) })}
      </p>
      <p className="muted" data-testid="mc-chi2" data-stat={h.chiSquared.statistic} data-dof={h.chiSquared.dof} data-p={h.chiSquared.pValue}>
        {t('mc.chi2', {
          stat: formatNumber(h.chiSquared.statistic, locale, 1),
          dof: h.chiSquared.dof,
          p: h.chiSquared.pValue < 0.0001 ? '< 0.0001' : formatNumber(h.chiSquared.pValue, locale, 4),
        })}
      </p>
    </figure>
  );
}

/** The continuations as a tree (d3 hierarchy in charts/mcTreeLayout): link widths are visit counts. */
function ContinuationTree({ nodes, info }: { nodes: McTreeNode[]; info: ModelInfo }) {
  const { t, locale } = useT();
  const layout = useMemo(() => layoutMcTree(nodes, 200, 22), [nodes]);
  // the start sits at the middle of its leaves: scroll it into the middle of the box
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    const root = layout.nodes.find((n) => n.id === 0);
    if (el && root) el.scrollTop = Math.max(0, root.y - el.clientHeight / 2);
  }, [layout]);
  return (
    <figure className="mc-tree">
      <p className="muted small">{t('mc.treeWidthKey')}</p>
      <div className="scroll" ref={box}>
        <svg width={layout.width} height={layout.height} role="img" aria-label={t('mc.treeTitle')}>
          {layout.links.map((l) => (
            <path key={l.id} d={l.path} className={nodes[l.id].eos ? 'mc-link eos' : 'mc-link'} style={{ strokeWidth: l.width }} />
          ))}
          {layout.nodes.map((p) => {
            const node = nodes[p.id];
            if (p.id === 0) return <circle key={0} cx={p.x} cy={p.y} r={5} className="mc-root" />;
            const parent = nodes[node.parent];
            const tok = node.eos ? t('mc.treeEnd') : singleTokenLabel(info, node.tokenId).label;
            const text = t('mc.treeNode', {
              visits: node.visits,
              parent: parent.visits,
              share: formatPercent(node.visits / parent.visits, locale, 1),
              prob: formatProbability(node.prob, locale),
            });
            return (
              <g
                key={p.id}
                transform={`translate(${p.x},${p.y})`}
                className="mc-node"
                data-testid="mc-tree-node"
                data-token-id={node.tokenId}
                data-visits={node.visits}
                data-depth={node.depth}
                data-prob={node.prob}
                data-final-prob={node.finalProb}
                data-parent-visits={parent.visits}
              >
                <title>{`${tok} · ${text}`}</title>
                <circle r={3} />
                <text x={6} dy="0.35em">
                  <tspan className={node.eos ? 'muted' : 'tok'}>{tok.length > 10 ? `${tok.slice(0, 9)}…` : tok}</tspan>
                  <tspan className="mc-count" dx={6}>
                    {node.visits}/{parent.visits}
                  </tspan>
                </text>
              </g>
            );
          })}
        </svg>
      </div>
    </figure>
  );
}
