import { useEffect, useMemo } from 'react';
import { useApp } from '../../store/store.ts';
import { answerQuiz, quizNodeOf, sequenceKey, setQuizOn, useClassroom } from '../../store/classroom.ts';
import { shortlist } from '../../engine/shortlist.ts';
import type { DistributionRecord } from '../../engine/distribution.ts';
import { nextWholePosition, optionKey } from '../../engine/wholeChars.ts';
import { pathTo } from '../../engine/tree.ts';
import { ensureWholeOptions, pendingAtNode, useWholeOptions, wholeKey } from '../../store/wholeOptions.ts';
import { useT } from '../useT.ts';
import { formatProbability } from '../format.ts';
import { WholeLabel, useWholeTitle } from './WholeLabel.tsx';

/** The most probable tokens of a record by model probability (its first topN entries; extras sort after them). */
export function rankedIds(rec: DistributionRecord, topN: number): number[] {
  return Array.from(rec.tokenIds.slice(0, Math.min(topN, rec.tokenIds.length)));
}

/**
 * Predict-then-reveal: before the bars of a step appear, the student picks the token they think
 * is most likely from a shuffled shortlist (top 3 plus 2 distractors); the reveal shows the true
 * ranking by model probability and keeps a score.
 */
export function QuizPanel() {
  const { t, locale } = useT();
  const info = useApp((s) => s.info);
  const on = useClassroom((c) => c.quizOn);
  const answers = useClassroom((c) => c.quizAnswers);
  const score = useClassroom((c) => c.quizScore);
  // the step the quiz asks about; past a step that predicts the middle of a character, the next one that predicts whole characters
  const asked = useApp((s) => quizNodeOf(s, answers));
  const node = useApp((s) => (s.info ? (nextWholePosition(pathTo(s.tree, s.cursor), asked, (id) => pendingAtNode(s, id)) ?? s.cursor) : asked));
  const moved = node !== asked;
  const midChar = useApp((s) => pendingAtNode(s, node).length > 0);
  const key = useApp((s) => sequenceKey(s.tree, node));
  const wkey = useApp((s) => (s.tree.promptIds.length > 0 && s.tree.nodes[node] ? wholeKey(s, node) : null));
  const depth = useApp((s) => s.tree.nodes[node]?.depth ?? 0);
  const seed = useApp((s) => s.seed);
  const hasPrompt = useApp((s) => s.tree.promptIds.length > 0);
  const whole = useWholeOptions(wkey);
  const title = useWholeTitle();
  useEffect(() => {
    if (on && hasPrompt) void ensureWholeOptions(node);
  }, [on, node, hasPrompt, wkey]);
  const list = Array.isArray(whole) ? whole : null;
  const keyed = useMemo(() => (list ? list.map((o, i) => ({ ...o, key: optionKey(o, i), rank: i + 1 })) : []), [list]);
  const options = useMemo(() => (keyed.length ? shortlist(keyed.map((o) => o.key), 3, 2, seed, depth) : []), [keyed, seed, depth]);
  const byKey = new Map(keyed.map((o) => [o.key, o]));
  const answer = answers[key];
  return (
    <section className="panel quiz" aria-labelledby="quiz-title">
      <h2 id="quiz-title">{t('quiz.title')}</h2>
      <button type="button" data-testid="quiz-toggle" aria-pressed={on} onClick={() => setQuizOn(!on)}>
        {t('quiz.toggle')}
      </button>{' '}
      <span data-testid="quiz-score" data-right={score.right} data-total={score.total}>
        {t('quiz.score', { right: score.right, total: score.total })}
      </span>
      {on && hasPrompt && (moved || midChar) && (
        <p className="muted" data-testid="quiz-moved">
          {midChar ? t('whole.midChar') : t('quiz.moved', { step: depth + 1 })}
        </p>
      )}
      {on && info && hasPrompt && whole === 'pending' && <p className="muted">{t('whole.computing')}</p>}
      {on && info && list && !answer && (
        <>
          <p>{t('quiz.question')}</p>
          <div className="quiz-options" role="group" aria-label={t('quiz.question')}>
            {options.map((k) => {
              const o = byKey.get(k)!;
              return (
                <button
                  key={k}
                  type="button"
                  className="quiz-option"
                  data-testid="quiz-option"
                  data-token-id={k}
                  data-token-ids={o.tokenIds.join(',')}
                  title={title(o)}
                  onClick={() => answerQuiz(k, keyed[0].key, options, node)}
                >
                  <WholeLabel option={o} />
                </button>
              );
            })}
          </div>
        </>
      )}
      {on && info && list && answer && (
        <div data-testid="quiz-reveal" data-correct={String(answer.pick === answer.top)}>
          <p role="status">
            {answer.pick === answer.top ? '✓ ' : '✗ '}
            {t(answer.pick === answer.top ? 'quiz.right' : 'quiz.wrong')} {byKey.get(answer.top) && <WholeLabel option={byKey.get(answer.top)!} />}
          </p>
          <p className="muted">{t('quiz.ranking')}</p>
          <ol className="quiz-ranking">
            {answer.options
              .map((k) => byKey.get(k))
              .filter((o) => o !== undefined)
              .sort((a, b) => a.rank - b.rank)
              .map((o) => (
                <li key={o.key} data-testid="quiz-rank" data-token-id={o.key} data-token-ids={o.tokenIds.join(',')} data-rank={o.rank} data-prob={o.prob} className={o.key === answer.pick ? 'picked' : ''} title={title(o)}>
                  {t('quiz.rank', { rank: o.rank, prob: formatProbability(o.prob, locale) })} <WholeLabel option={o} />
                  {o.key === answer.pick && <strong>{` ← ${t('quiz.yourPick')}`}</strong>}
                </li>
              ))}
          </ol>
          <p className="muted">{t('whole.note')}</p>
          <p className="muted">{t('quiz.next')}</p>
        </div>
      )}
    </section>
  );
}
