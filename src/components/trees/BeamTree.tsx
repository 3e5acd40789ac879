import { useMemo } from 'react';
import { useApp } from '../../store/store.ts';
import { controller } from '../../store/controller.ts';
import { useT } from '../useT.ts';
import { formatNumber, sequenceDisplay, singleTokenLabel } from '../format.ts';
import { sequenceIds } from '../../engine/tree.ts';
import { runText } from '../../engine/tokens.ts';
import { ExportButtons } from '../export/ExportButtons.tsx';

const COL = 110;
const ROW = 28;

/**
 * Beam search step by step: each step's top-2k candidates (kept, pruned
 * ghosted, finished marked with their length-normalised score), linked to the
 * beam they extend; the final ranking; the greedy path for comparison.
 */
export function BeamTree() {
  const { t, locale } = useT();
  const run = useApp((s) => s.beamRun);
  const info = useApp((s) => s.info);
  const tree = useApp((s) => s.tree);
  const busy = useApp((s) => s.busy);
  const shownSteps = useMemo(() => (run ? run.steps.slice(0, run.viewStep + 1) : []), [run]);
  if (!run || !info) return null;
  const k = Math.max(1, ...run.steps.map((s) => s.candidates.length));
  const width = (shownSteps.length + 1) * COL + 40;
  const height = k * ROW + 30;
  const prefix = sequenceIds(tree, run.startNode);
  // kept candidate positions per step, to link children to parents
  const keptPos = shownSteps.map((st) => {
    const m = new Map<number, number>();
    st.candidates.forEach((c, i) => c.nextBeam !== null && m.set(c.nextBeam, i));
    return m;
  });
  const greedyTokens = run.greedyIds;
  // the final hypotheses only once the view reaches the last step (Step ▶ reveals the search)
  const atEnd = run.hypotheses !== null && run.viewStep >= run.steps.length - 1;
  const current = run.steps[run.viewStep];
  const live = current
    ? current.candidates.filter((c) => c.state === 'kept').map((c) => ({ tokens: [...(current.beams[c.parentBeam]?.tokens ?? []), c.tokenId], sumLogprobs: c.sumLogprobs }))
    : [];
  const label = (id: number) => singleTokenLabel(info, id).label;
  return (
    <section className="panel beam-tree" aria-labelledby="beam-title">
      <ExportButtons kind="beam" />
      <h2 id="beam-title">{t('beam.title')}</h2>
      <div className="beam-nav">
        <button type="button" onClick={() => controller.setBeamViewStep(run.viewStep - 1)} disabled={run.viewStep <= 0}>
          ◀ {t('beam.prev')}
        </button>
        <span>{busy && !run.hypotheses ? t('beam.running') : t('beam.step', { step: run.viewStep + 1, total: run.steps.length })}</span>
        <button type="button" onClick={() => controller.setBeamViewStep(run.viewStep + 1)} disabled={run.viewStep >= run.steps.length - 1}>
          {t('beam.next')} ▶
        </button>
        <span className="legend">
          <span className="beam-kept">■ {t('beam.kept')}</span> <span className="beam-pruned">■ {t('beam.pruned')}</span>{' '}
          <span className="beam-finished">★ {t('beam.finished')}</span> <span className="beam-greedy-key">⬚ {t('beam.greedyLegend')}</span>
        </span>
      </div>
      <div className="scroll">
        <svg width={width} height={height} role="img" aria-label={t('beam.title')}>
          {shownSteps.map((st, si) =>
            st.candidates.map((c, ci) => {
              const x = (si + 1) * COL + 20;
              const y = ci * ROW + 20;
              const parentY = si === 0 ? 20 : (keptPos[si - 1].get(c.parentBeam) ?? 0) * ROW + 20;
              const parentX = si * COL + 20 + (si === 0 ? 0 : 44);
              const isGreedy = greedyTokens.length > si && st.beams[c.parentBeam]?.tokens.every((tok, i) => tok === greedyTokens[i]) && c.tokenId === greedyTokens[si];
              return (
                <g key={`${si}-${ci}`}>
                  <path d={`M${parentX},${parentY} C${x - 40},${parentY} ${x - 40},${y} ${x - 44},${y}`} className={`beam-link ${c.state}`} />
                  <g
                    transform={`translate(${x},${y})`}
                    data-testid="beam-node"
                    data-state={c.state}
                    data-score={c.state === 'finished' ? c.beamScore! : c.sumLogprobs}
                    data-token-id={c.tokenId}
                    data-step={si}
                    className={`beam-node ${c.state}${isGreedy ? ' greedy' : ''}`}
                  >
                    <rect x={-44} y={-11} width={88} height={22} rx={4} />
                    <text x={-40} dy="0.35em">
                      {c.state === 'finished' ? '★ ' : ''}
                      {label(c.tokenId).slice(0, 5)} {formatNumber(c.state === 'finished' ? c.beamScore! : c.sumLogprobs, locale, 2)}
                    </text>
                    <title>{`${label(c.tokenId)} · Σ log p = ${formatNumber(c.sumLogprobs, locale, 3)}${c.beamScore !== null ? ` · score ${formatNumber(c.beamScore, locale, 3)}` : ''} · ${t(`beam.${c.state}`)}`}</title>
                  </g>
                </g>
              );
            }),
          )}
          <g transform={`translate(20,20)`} className="beam-root">
            <circle r={6} />
          </g>
        </svg>
      </div>
      {!atEnd && current && (
        <div className="beam-live" data-testid="beam-live" data-step={run.viewStep}>
          <h3>{t('beam.live', { step: run.viewStep + 1 })}</h3>
          {live.length === 0 ? (
            <p className="muted">{t('beam.liveNone')}</p>
          ) : (
            <ol className="beam-results">
              {live.map((h, i) => (
                <li key={i} data-token-ids={h.tokens.join(',')}>
                  <span className="beam-text">{sequenceDisplay(info, h.tokens, prefix).map((d) => d.text).join('')}</span>{' '}
                  <span className="muted">(Σ log p {formatNumber(h.sumLogprobs, locale, 3)})</span>
                </li>
              ))}
            </ol>
          )}
        </div>
      )}
      {run.hypotheses && atEnd && (
        <>
          <h3>{t('beam.ranking')}</h3>
          <ol className="beam-results">
            {run.hypotheses.map((h, i) => (
              <li key={i} data-testid="beam-result" data-score={h.beamScore} data-token-ids={h.tokens.join(',')}>
                <strong>{formatNumber(h.beamScore, locale, 4)}</strong>{' '}
                <span className="beam-text">{runText(sequenceDisplay(info, h.tokens, prefix))}</span>{' '}
                <span className="muted">(Σ log p {formatNumber(h.sumLogprobs, locale, 3)}, L = {h.tokens.length})</span>
              </li>
            ))}
          </ol>
          {greedyTokens.length > 0 && (
            <p className="beam-greedy">
              {t('beam.greedy')}: <span className="beam-text">{runText(sequenceDisplay(info, greedyTokens, prefix))}</span>
            </p>
          )}
        </>
      )}
    </section>
  );
}
