import { memo, useEffect, useMemo, useState } from 'react';
import { useApp, type AppState } from '../../store/store.ts';
import { controller } from '../../store/controller.ts';
import { useT } from '../useT.ts';
import { formatPercent, sequenceDisplay, singleTokenLabel } from '../format.ts';
import { probabilityColor, textOnTint } from '../../charts/scales.ts';

const RANK_TINT: [number, string][] = [
  [1, '#1b7837'],
  [10, '#5aae61'],
  [100, '#d9f0d3'],
];

/** Teacher forcing: every position of a given text scored in one parallel pass. */
export function TeacherForcing() {
  const { t, locale } = useT();
  const tf = useApp((s) => s.tf);
  const info = useApp((s) => s.info);
  const busy = useApp((s) => s.busyShown); // see AppState.busyShown
  const progress = useApp((s) => s.tfProgress);
  const [text, setText] = useState(tf?.text ?? '');
  // a text scored from elsewhere (a lesson, a restored session) shows in the box
  const scored = tf?.text;
  useEffect(() => {
    if (scored !== undefined) setText(scored);
  }, [scored]);
  const [byRank, setByRank] = useState(false);
  const [details, setDetails] = useState('');
  return (
    <section className="panel teacher" aria-labelledby="tf-title">
      <h2 id="tf-title">{t('tf.title')}</h2>
      <p className="muted">{t('tf.explain')}</p>
      <textarea data-testid="tf-input" rows={3} value={text} placeholder={t('tf.placeholder')} aria-label={t('tf.title')} onChange={(e) => setText(e.target.value)} />
      <div className="tf-tools">
        <button
          type="button"
          onClick={() => {
            setDetails('');
            void controller.scoreText(text);
          }}
          disabled={!info || busy || text.trim() === ''}
        >
          {t('tf.run')}
        </button>
        {progress && (
          <>
            <progress data-testid="tf-progress" data-done={progress.done} data-total={progress.total} max={progress.total} value={progress.done} aria-label={t('tf.progress', { done: progress.done, total: progress.total })} />
            <span className="muted">{t('tf.progress', { done: progress.done, total: progress.total })}</span>
            <button type="button" data-testid="tf-cancel" onClick={() => controller.cancelScoreText()}>
              {t('tf.cancel')}
            </button>
          </>
        )}
        <label>
          {t('tf.colorBy')}{' '}
          <select value={byRank ? 'rank' : 'prob'} onChange={(e) => setByRank(e.target.value === 'rank')}>
            <option value="prob">{t('tf.byProb')}</option>
            <option value="rank">{t('tf.byRank')}</option>
          </select>
        </label>
        {!byRank && (
          <span className="legend">
            {t('tf.legendProb')}:
            {[0, 0.25, 0.5, 0.75, 1].map((p) => (
              <span key={p} className="swatch" style={{ background: probabilityColor(p), color: textOnTint(p) }}>
                {formatPercent(p, locale, 0)}
              </span>
            ))}
          </span>
        )}
        {byRank && (
          <span className="legend">
            {RANK_TINT.map(([r, c], i) => (
              <span key={r} className="swatch" style={{ background: c, color: i < 2 ? '#fff' : '#111' }}>
                {t(i === 0 ? 'tf.rank1' : i === 1 ? 'tf.rank10' : 'tf.rank100')}
              </span>
            ))}
            <span className="swatch" style={{ background: '#f7f7f7' }}>
              {t('tf.rankOther')}
            </span>
          </span>
        )}
      </div>
      {tf && info && (
        <>
          <TfChips tf={tf} byRank={byRank} onDetails={setDetails} />
          {details && <p className="details muted">{details}</p>}
          {tf.windows > 1 && <p className="muted">{t('tf.windows', { n: tf.windows })}</p>}
        </>
      )}
    </section>
  );
}

const rankBucket = (r: number | null) => (r === null ? null : r <= 1 ? 0 : r <= 10 ? 1 : r <= 100 ? 2 : 3);

/**
 * The scored tokens. Memoised: a long text gives thousands of chips, which must not re-render on
 * every unrelated store change (a step, the busy flag).
 */
const TfChips = memo(function TfChips({ tf, byRank, onDetails }: { tf: NonNullable<AppState['tf']>; byRank: boolean; onDetails: (s: string) => void }) {
  const { t, locale } = useT();
  const info = useApp((s) => s.info)!;
  const shown = useMemo(() => sequenceDisplay(info, tf.tokens.map((x) => x.tokenId)), [info, tf]);
  return (
    <div className="chip-row" role="list">
      {tf.tokens.map((tok, i) => {
        const b = rankBucket(tok.rank);
        const bg = tok.prob === null ? '#eeeeee' : byRank ? (b! < 3 ? RANK_TINT[b!][1] : '#f7f7f7') : probabilityColor(tok.prob);
        const fg = tok.prob === null ? '#111' : byRank ? (b! < 2 ? '#fff' : '#111') : textOnTint(tok.prob);
        const alts = tok.top.map(([id, p]) => `${singleTokenLabel(info, id).label} ${formatPercent(p, locale)}`).join(', ');
        const label = tok.prob === null ? shown[i].text : t('tf.details', { token: shown[i].text, prob: formatPercent(tok.prob, locale, 2), rank: tok.rank, alts });
        return (
          <span
            key={i}
            role="listitem"
            tabIndex={0}
            className="chip"
            data-testid="tf-token"
            data-token-id={tok.tokenId}
            data-prob={tok.prob ?? ''}
            data-rank={tok.rank ?? ''}
            style={{ background: bg, color: fg }}
            title={label}
            aria-label={label}
            onMouseEnter={() => onDetails(label)}
            onFocus={() => onDetails(label)}
          >
            {shown[i].text}
          </span>
        );
      })}
    </div>
  );
});
