import { useMemo } from 'react';
import { useApp } from '../../store/store.ts';
import { pathTo, pathLogprob, pathPerplexity } from '../../engine/tree.ts';
import { seriesPath } from '../../charts/scales.ts';
import { useT } from '../useT.ts';
import { formatNumber } from '../format.ts';

/** Per-step entropy and chosen-token probability along the path, sequence log-probability, perplexity, speed. */
export function Metrics() {
  const { t, locale } = useT();
  const tree = useApp((s) => s.tree);
  const cursor = useApp((s) => s.cursor);
  const entropy = useApp((s) => s.stepEntropy);
  const tps = useApp((s) => s.tokensPerSec);
  const latency = useApp((s) => s.lastForwardMs);
  const info = useApp((s) => s.info);
  const path = useMemo(() => pathTo(tree, cursor).slice(1), [tree, cursor]);
  const ent = path.map((id) => entropy[id]?.[0] ?? NaN);
  const probs = path.map((id) => tree.nodes[id].edge!.prob);
  const maxEnt = Math.max(1, ...ent.filter(Number.isFinite));
  const W = 300;
  const H = 70;
  const { sum } = pathLogprob(tree, cursor);
  return (
    <section className="panel metrics" aria-labelledby="metrics-title">
      <h2 id="metrics-title">{t('metrics.title')}</h2>
      <svg viewBox={`0 0 ${W + 34} ${H + 14}`} width="100%" height={H + 14} role="img" aria-label={`${t('metrics.entropy')} / ${t('metrics.chosenProb')}`} className="metric-chart">
        <g transform="translate(30,4)">
          <path d={seriesPath(ent, W, H, maxEnt)} className="series entropy" />
          <path d={seriesPath(probs, W, H, 1)} className="series prob" />
          {path.length === 1 && (
            <>
              {Number.isFinite(ent[0]) && <circle cx={0} cy={H - (ent[0] / maxEnt) * H} r={3} className="dot entropy" />}
              {Number.isFinite(probs[0]) && <circle cx={0} cy={H - probs[0] * H} r={3} className="dot prob" />}
            </>
          )}
          <text x={-4} y={6} textAnchor="end" className="axis entropy">{formatNumber(maxEnt, locale, 1)}</text>
          <text x={-4} y={H} textAnchor="end" className="axis">0</text>
          <text x={W} y={H + 12} textAnchor="end" className="axis">{path.length}</text>
        </g>
      </svg>
      <p className="legend">
        <span className="entropy-key">— {t('metrics.entropy')}</span> <span className="prob-key">— {t('metrics.chosenProb')}</span>
      </p>
      <dl>
        <dt>{t('metrics.seqLogprob')}</dt>
        <dd>{formatNumber(sum, locale, 3)} nats</dd>
        <dt>{t('metrics.perplexity')}</dt>
        <dd>{formatNumber(pathPerplexity(tree, cursor), locale, 2)}</dd>
        <dt className="dev-detail">{t('metrics.tokensPerSec')}</dt>
        <dd className="dev-detail">{formatNumber(tps, locale, 1)}</dd>
        <dt className="dev-detail">{t('metrics.latency')}</dt>
        <dd className="dev-detail">{formatNumber(latency, locale, 1)} ms</dd>
        <dt className="dev-detail">{t('status.device')}</dt>
        <dd className="dev-detail">
          {info ? (info.engine ? `${info.engine.dialect} · ${info.engine.host}` : `${info.device === 'webgpu' ? 'WebGPU' : 'WASM'} · ${info.dtype} · ${info.threads}`) : '—'}
        </dd>
      </dl>
    </section>
  );
}
