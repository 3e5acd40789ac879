import { useEffect, useMemo } from 'react';
import { useApp } from '../../store/store.ts';
import { canStep } from '../../store/selectors.ts';
import { controller } from '../../store/controller.ts';
import { MAX_VOTES, addVote, clearVotes, setVoteOn, sequenceKey, setVoteRevealed, setVotes, useClassroom } from '../../store/classroom.ts';
import { shortlist } from '../../engine/shortlist.ts';
import { totalVariation } from '../../engine/monteCarlo.ts';
import { pathTo } from '../../engine/tree.ts';
import { stageProb } from '../../engine/distribution.ts';
import { useT } from '../useT.ts';
import { formatNumber, formatPercent, formatProbability, singleTokenLabel } from '../format.ts';
import { rankedIds } from './QuizPanel.tsx';

const LETTERS = 'ABCDEFGH';
const EMPTY: Record<number, number> = {};

/**
 * Class vote for a projector: the shortlist of the cursor's next step with big letters; the
 * teacher clicks +1 per hand (or types the count); the reveal draws the class's distribution
 * beside the model's with their total variation distance; then the class's choice or the
 * model's choice is appended. The text's probability (product of the chosen tokens' model
 * probabilities) is shown as it falls with each choice.
 */
export function VotePanel() {
  const { t, locale } = useT();
  const info = useApp((s) => s.info);
  const on = useClassroom((c) => c.voteOn);
  const cursor = useApp((s) => s.cursor);
  const key = useApp((s) => sequenceKey(s.tree, s.cursor));
  const depth = useApp((s) => s.tree.nodes[s.cursor]?.depth ?? 0);
  const rec = useApp((s) => s.records[s.cursor]?.record);
  const seed = useApp((s) => s.seed);
  const topN = useApp((s) => s.topN);
  const busy = useApp((s) => s.busy);
  const modelCanStep = useApp(canStep);
  const hasPrompt = useApp((s) => s.tree.promptIds.length > 0);
  const tree = useApp((s) => s.tree);
  const votes = useClassroom((c) => c.votes[key] ?? EMPTY);
  const revealed = useClassroom((c) => c.voteRevealed[key] ?? false);
  useEffect(() => {
    if (on && hasPrompt) void controller.ensureRecord(cursor);
  }, [on, cursor, hasPrompt]);
  const options = useMemo(() => (rec ? shortlist(rankedIds(rec, topN), 4, 1, seed, depth) : []), [rec, topN, seed, depth]);
  // text probability along the cursor's path: Π p (model probabilities), Σ ln p
  const path = pathTo(tree, cursor).slice(1);
  const logp = path.reduce((a, id) => a + tree.nodes[id].edge!.logprob, 0);
  const prob = path.reduce((a, id) => a * tree.nodes[id].edge!.prob, 1);
  return (
    <section className="panel vote" aria-labelledby="vote-title">
      <h2 id="vote-title">{t('vote.title')}</h2>
      <button type="button" data-testid="vote-toggle" aria-pressed={on} onClick={() => setVoteOn(!on)}>
        {t('vote.toggle')}
      </button>
      {on && (
        <p data-testid="sentence-prob" data-prob={prob} data-logprob={logp} data-tokens={path.length}>
          {path.length === 0
            ? t('vote.sentenceEmpty')
            : t('vote.sentence', { p: formatProbability(prob, locale), logp: formatNumber(logp, locale, 2), bits: formatNumber(logp / Math.LN2, locale, 2) })}
        </p>
      )}
      {on && info && rec && voteBody()}
    </section>
  );

  function voteBody() {
    const total = options.reduce((a, id) => a + (votes[id] ?? 0), 0);
    const index = (id: number) => Array.from(rec!.tokenIds).indexOf(id);
    const modelP = options.map((id) => stageProb(rec!, 0, index(id)));
    const classP = options.map((id) => (total > 0 ? (votes[id] ?? 0) / total : 0));
    const modelRest = Math.max(0, 1 - modelP.reduce((a, b) => a + b, 0));
    const tvd = total > 0 ? totalVariation([...classP, 0], [...modelP, modelRest]) : null;
    // the class's choice: most votes; ties go to the option the model finds more probable
    const classChoice = total > 0 ? options.map((id, i) => ({ id, v: votes[id] ?? 0, p: modelP[i] })).sort((a, b) => b.v - a.v || b.p - a.p)[0].id : null;
    const lab = (id: number) => singleTokenLabel(info!, id).label;
    return (
      <>
        <p>{t('vote.question')}</p>
        <ul className="vote-options">
          {options.map((id, i) => (
            <li key={id} className="vote-row">
              <button type="button" className="vote-option" data-testid="vote-option" data-token-id={id} data-votes={votes[id] ?? 0} aria-label={t('vote.plusOne', { letter: LETTERS[i], token: lab(id) })} onClick={() => addVote(id)}>
                <span className="vote-letter">{LETTERS[i]}</span>
                <span className="tok vote-token">{lab(id)}</span>
                <span className="vote-plus">+1</span>
              </button>
              <input
                type="number"
                min={0}
                max={MAX_VOTES}
                className="vote-count"
                data-testid="vote-count"
                data-token-id={id}
                aria-label={t('vote.count', { letter: LETTERS[i] })}
                value={votes[id] ?? 0}
                onChange={(e) => {
                  const v = Number(e.target.value);
                  if (Number.isInteger(v) && v >= 0 && v <= MAX_VOTES) setVotes(id, v);
                }}
              />
              {revealed && (
                <span className="vote-bars">
                  <span className="vote-bar class" data-testid="vote-class-bar" data-token-id={id} data-share={classP[i]} style={{ width: `${classP[i] * 100}%` }} title={`${t('vote.class')} ${formatPercent(classP[i], locale)}`} />
                  <span className="vote-bar model" data-testid="vote-model-bar" data-token-id={id} data-prob={modelP[i]} style={{ width: `${modelP[i] * 100}%` }} title={`${t('vote.model')} ${formatPercent(modelP[i], locale)}`} />
                  <span className="nums">
                    {t('vote.class')} {formatPercent(classP[i], locale)} · {t('vote.model')} {formatPercent(modelP[i], locale)}
                  </span>
                </span>
              )}
            </li>
          ))}
          {revealed && (
            <li className="vote-row">
              <span className="vote-letter muted">…</span>
              <span className="muted">{t('vote.others')}</span>
              <span className="vote-bars">
                <span className="vote-bar model" data-testid="vote-model-rest" data-prob={modelRest} style={{ width: `${modelRest * 100}%` }} />
                <span className="nums">
                  {t('vote.class')} {formatPercent(0, locale)} · {t('vote.model')} {formatPercent(modelRest, locale)}
                </span>
              </span>
            </li>
          )}
        </ul>
        <p data-testid="vote-total" data-total={total}>
          {total > 0 ? t('vote.total', { count: total }) : t('vote.noVotes')}
        </p>
        {revealed && tvd !== null && (
          <p data-testid="vote-tvd" data-tvd={tvd}>
            {t('vote.tvd', { tvd: formatNumber(tvd, locale, 3) })}
          </p>
        )}
        <div className="vote-actions">
          <button type="button" data-testid="vote-reveal" onClick={() => setVoteRevealed(!revealed)}>
            {revealed ? t('vote.hide') : t('vote.reveal')}
          </button>{' '}
          <button type="button" data-testid="vote-clear" onClick={() => clearVotes()}>
            {t('vote.clear')}
          </button>{' '}
          <button type="button" data-testid="vote-append-class" disabled={classChoice === null || busy || !revealed} data-token-id={classChoice ?? ''} onClick={() => classChoice !== null && void controller.appendToken(classChoice)}>
            {t('vote.appendClass')} <span className="tok">{classChoice === null ? '…' : lab(classChoice)}</span>
          </button>{' '}
          <button type="button" data-testid="vote-append-model" disabled={busy || !modelCanStep} onClick={() => void controller.stepForward()}>
            {t('vote.appendModel')}
          </button>
        </div>
      </>
    );
  }
}
