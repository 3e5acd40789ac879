import { useEffect, useMemo } from 'react';
import { useApp } from '../../store/store.ts';
import { controller } from '../../store/controller.ts';
import { answerQuiz, quizNodeOf, sequenceKey, setQuizOn, useClassroom } from '../../store/classroom.ts';
import { shortlist } from '../../engine/shortlist.ts';
import { stageProb, type DistributionRecord } from '../../engine/distribution.ts';
import { useT } from '../useT.ts';
import { formatProbability, singleTokenLabel } from '../format.ts';

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
  const node = useApp((s) => quizNodeOf(s, answers));
  const key = useApp((s) => sequenceKey(s.tree, quizNodeOf(s, answers)));
  const depth = useApp((s) => s.tree.nodes[quizNodeOf(s, answers)]?.depth ?? 0);
  const rec = useApp((s) => s.records[quizNodeOf(s, answers)]?.record);
  const seed = useApp((s) => s.seed);
  const topN = useApp((s) => s.topN);
  const hasPrompt = useApp((s) => s.tree.promptIds.length > 0);
  useEffect(() => {
    if (on && hasPrompt) void controller.ensureRecord(node);
  }, [on, node, hasPrompt]);
  const options = useMemo(() => (rec ? shortlist(rankedIds(rec, topN), 3, 2, seed, depth) : []), [rec, topN, seed, depth]);
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
      {on && info && rec && !answer && (
        <>
          <p>{t('quiz.question')}</p>
          <div className="quiz-options" role="group" aria-label={t('quiz.question')}>
            {options.map((id) => (
              <button key={id} type="button" className="quiz-option" data-testid="quiz-option" data-token-id={id} onClick={() => answerQuiz(id, rec.tokenIds[0], options)}>
                <span className="tok">{singleTokenLabel(info, id).label}</span>
              </button>
            ))}
          </div>
        </>
      )}
      {on && info && rec && answer && (
        <div data-testid="quiz-reveal" data-correct={String(answer.pick === answer.top)}>
          <p role="status">
            {answer.pick === answer.top ? '✓ ' : '✗ '}
            {t(answer.pick === answer.top ? 'quiz.right' : 'quiz.wrong')} <span className="tok">{singleTokenLabel(info, answer.top).label}</span>
          </p>
          <p className="muted">{t('quiz.ranking')}</p>
          <ol className="quiz-ranking">
            {answer.options
              .map((id) => ({ id, j: Array.from(rec.tokenIds).indexOf(id) }))
              .sort((a, b) => a.j - b.j)
              .map(({ id, j }) => (
                <li key={id} data-testid="quiz-rank" data-token-id={id} data-rank={j + 1} data-prob={stageProb(rec, 0, j)} className={id === answer.pick ? 'picked' : ''}>
                  {t('quiz.rank', { rank: j + 1, prob: formatProbability(stageProb(rec, 0, j), locale) })}{' '}
                  <span className="tok">{singleTokenLabel(info, id).label}</span>
                  {id === answer.pick && <strong>{` ← ${t('quiz.yourPick')}`}</strong>}
                </li>
              ))}
          </ol>
          <p className="muted">{t('quiz.next')}</p>
        </div>
      )}
    </section>
  );
}
