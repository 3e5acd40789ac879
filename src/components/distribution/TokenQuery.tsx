import { useEffect, useRef, useState } from 'react';
import { useApp } from '../../store/store.ts';
import { controller } from '../../store/controller.ts';
import { appendTokens, queryAppend, replaceTokens, useAppendQuery } from '../../store/appendTokens.ts';
import { sequenceKey } from '../../store/classroom.ts';
import { useT } from '../useT.ts';
import { formatProbability, singleTokenLabel } from '../format.ts';

/**
 * Ask for any token's or word's probability, then either replace the token the chart shows with it
 * (a branch at the shown step) or append it after the cursor (probabilities computed at the
 * cursor, shown before choosing). A word of several tokens is taken whole, by the tokenizer's own
 * split, which is shown.
 */
export function TokenQuery() {
  const { t, locale } = useT();
  const query = useApp((s) => s.query);
  const info = useApp((s) => s.info);
  const busy = useApp((s) => s.busy);
  const cursorKey = useApp((s) => sequenceKey(s.tree, s.cursor));
  const append = useAppendQuery((a) => a.query);
  const appending = useAppendQuery((a) => a.busy);
  const [text, setText] = useState('');
  const timer = useRef<number | undefined>(undefined);
  const ask = (v: string) => {
    void controller.queryToken(v);
    void queryAppend(v);
  };
  const onChange = (v: string) => {
    setText(v);
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => ask(v), 250);
  };
  // a new cursor: ask again (the append probabilities are computed at the cursor)
  useEffect(() => {
    if (text !== '') ask(text);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only the cursor's move triggers this
  }, [cursorKey]);
  const stat = query?.stats[0];
  // an append answer is for the cursor it was asked at
  const fresh = append && append.text === text && append.seqKey === cursorKey ? append : null;
  const pieces = (ids: number[]) => (info ? ids.map((id) => `[${singleTokenLabel(info, id).label}]`).join('') : '');
  return (
    <form
      className="token-query"
      onSubmit={(e) => {
        e.preventDefault();
        ask(text);
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
              t('dist.replaceResult', {
                token: pieces(query.ids),
                prob: formatProbability(stat.prob, locale),
                rank: stat.rank,
                final: formatProbability(stat.finalProb, locale),
                finalRank: stat.finalProb > 0 ? stat.finalRank : '—',
              })}
          {query.ids.length > 1 && ` (${t('dist.queryParts', { n: query.ids.length })})`}
        </p>
      )}
      <span className="query-action" data-testid="token-choose" aria-disabled={!stat || busy}>
        <button type="button" data-testid="token-replace" disabled={!stat || busy || appending} onClick={() => query && void replaceTokens(query.ids)}>
          {t('dist.replace')}
        </button>
      </span>
      {fresh && info && (
        <p className="query-result" data-testid="append-result" data-token-ids={fresh.ids.join(',')} data-prob={fresh.prob} aria-live="polite">
          {fresh.ids.length === 0
            ? t('dist.appendNone')
            : t('dist.appendResult', { tokens: pieces(fresh.ids), prob: formatProbability(fresh.prob, locale) })}
          {fresh.ids.length > 1 && ` (${t('dist.appendSplit', { n: fresh.ids.length })})`}
        </p>
      )}
      <button
        type="button"
        data-testid="token-append"
        data-token-ids={fresh?.ids.join(',') ?? ''}
        disabled={!fresh || fresh.ids.length === 0 || busy || appending}
        onClick={() => {
          if (!fresh) return;
          void appendTokens(fresh.ids);
        }}
      >
        {t('dist.append')}
      </button>
    </form>
  );
}
