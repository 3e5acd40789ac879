import type { ComparePaneSettings } from '../../store/store.ts';
import type { useT } from '../useT.ts';

/** Short text of decoding settings (only the processors that are on), e.g. "Sampling: T = 0.8, top-p = 0.9". */
export function settingsSummary(p: Pick<ComparePaneSettings, 'strategy' | 'sampling' | 'beam'>, t: ReturnType<typeof useT>['t']): string {
  if (p.strategy === 'greedy') return t('compare.summary.greedy');
  if (p.strategy === 'beam') return t('compare.summary.beam', { k: p.beam.beamWidth, alpha: p.beam.lengthPenalty });
  const s = p.sampling;
  const parts = [`T = ${s.temperature}`];
  if (s.topK > 0) parts.push(`top-k = ${s.topK}`);
  if (s.topP < 1) parts.push(`top-p = ${s.topP}`);
  if (s.minP > 0) parts.push(`min-p = ${s.minP}`);
  if (s.repetitionPenalty !== 1) parts.push(`θ = ${s.repetitionPenalty}`);
  return `${t('strategy.sample')}: ${parts.join(', ')}`;
}
