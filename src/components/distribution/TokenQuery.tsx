import { useRef, useState } from 'react';
import { useApp } from '../../store/store.ts';
import { controller } from '../../store/controller.ts';
import { useT } from '../useT.ts';
import { formatProbability, singleTokenLabel } from '../format.ts';

/** Ask for any token's (or word's first token's) probability and rank at this step, and choose it. */
export function TokenQuery() {
  const { t, locale } = useT();
  const query = useApp((s) => s.query);
  const info = useApp((s) => s.info);
  const [text, setText] = useState('');
  const timer = useRef<number | undefined>(undefined);
  const onChange = (v: string) => {
    setText(v);
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => void controller.queryToken(v), 250);
  };
  const stat = query?.stats[0];
  return (
    <form
      className="token-query"
      onSubmit={(e) => {
        e.preventDefault();
        void controller.queryToken(text);
      }}
    >
      <label>
        {t('dist.query')}{' '}
        <input data-testid="token-query" value={text} placeholder={t('dist.queryPlaceholder')} onChange={(e) => onChange(e.target.value)} />
      </label>
      {query && info && (
        <p className="query-result" aria-live="polite">
          {query.ids.length === 0
            ? t('dist.queryNone')
            : stat &&
              t('dist.queryResult', {
                token: singleTokenLabel(info, stat.tokenId).label,
                prob: formatProbability(stat.prob, locale),
                rank: stat.rank,
                final: formatProbability(stat.finalProb, locale),
                finalRank: stat.finalProb > 0 ? stat.finalRank : '—',
              })}
          {query.ids.length > 1 && ` (${t('dist.queryParts', { n: query.ids.length })})`}
        </p>
      )}
      <button type="button" data-testid="token-choose" disabled={!stat} onClick={() => stat && void controller.chooseToken(stat.tokenId)}>
        {t('dist.choose')}
      </button>
    </form>
  );
}
