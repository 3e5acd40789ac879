import { useEffect, useRef } from 'react';
import { useApp } from '../../store/store.ts';
import { lessonRunner, useLesson } from '../../store/lessonRunner.ts';
import { useAttention } from '../../store/attention.ts';
import type { LessonClaim } from '../../lessons/types.ts';
import type { ClaimResult } from '../../lessons/claims.ts';
import type { Language } from '../../store/store.ts';
import { useT, type TKey } from '../useT.ts';
import { formatNumber, formatPercent } from '../format.ts';
import { isTyping } from '../keys.ts';


/** The label of a claim with its measured value (and the bound it is checked against). */
function claimLabel(claim: LessonClaim, r: ClaimResult, t: (k: TKey, o?: Record<string, unknown>) => string, locale: string, stop: string | null): string {
  const v = r.value;
  const pct = (x: number | null) => (x === null ? '—' : formatPercent(x, locale, 1));
  const bounds = (min?: number, max?: number, f: (x: number) => string = (x) => String(x)) =>
    min !== undefined && max !== undefined ? ` (${f(min)}–${f(max)})` : min !== undefined ? ` (≥ ${f(min)})` : max !== undefined ? ` (≤ ${f(max)})` : '';
  const num = (x: number | null) => (x === null ? '—' : Number.isInteger(x) ? String(x) : formatNumber(x, locale, 2));
  switch (claim.kind) {
    case 'top-prob':
      return t('claim.topProb', { value: pct(v) }) + bounds(claim.min, claim.max, (x) => formatPercent(x, locale, 0));
    case 'eos-prob':
      return t('claim.eosProb', { value: pct(v) }) + bounds(claim.min, claim.max, (x) => formatPercent(x, locale, 0));
    case 'sums-to-one':
      return t('claim.sumsToOne', { value: v === null ? '—' : formatPercent(v, locale, 4) });
    case 'kept-count':
      return t('claim.keptCount', { value: v === null || !Number.isFinite(v) ? '—' : String(v) }) + ` (≤ ${claim.max})`;
    case 'generated-count':
      return t('claim.generatedCount', { value: num(v) });
    case 'stop-reason':
      return stop ? t(`gen.stop.${stop}` as TKey) : t('claim.notStopped');
    case 'chosen-rank':
      return t('claim.chosenRank', { value: num(v) }) + bounds(claim.min, claim.max);
    case 'same-draw-different-token':
      return t('claim.sameDraw', { value: v === null ? '—' : formatNumber(v, locale, 3) });
    case 'repeats':
      return t('claim.repeats', { length: claim.length });
    case 'forward-passes':
      return t('claim.forwardPasses', { value: num(v) }) + bounds(claim.min, claim.max);
    case 'prompt-tokens':
      return t('claim.promptTokens', { value: num(v) }) + ` (≥ ${claim.min})`;
    case 'partial-token':
      return t('claim.partialToken');
    case 'leading-space-pair':
      return t('claim.leadingSpace');
    case 'beam-equals-greedy':
      return t(claim.value ? 'claim.beamEqualsGreedy' : 'claim.beamDiffers');
    case 'beam-beats-greedy':
      return t('claim.beamBeats', { value: v === null ? '—' : formatNumber(v, locale, 2) });
    case 'beams-kept':
      return t('claim.beamsKept', { value: num(v) });
    case 'beam-pruned':
      return t('claim.beamPruned', { value: num(v) });
    case 'beam-best-eos':
      return t(claim.value ? 'claim.beamEos' : 'claim.beamNoEos');
    case 'teacher-tokens':
      return t('claim.teacherTokens', { value: num(v) });
    case 'spec-forwards-per-token':
      return t('claim.specForwards', { value: num(v) }) + ` (≤ ${formatNumber(claim.max, locale, 2)})`;
    case 'spec-accepted':
      return t('claim.specAccepted', { value: num(v) }) + ` (≥ ${claim.min})`;
    case 'same-as-speculative':
      return t('claim.sameAsSpec', { value: num(v) });
    case 'answer-in':
      return t(claim.value ? 'claim.answerIn' : 'claim.answerNotIn', { options: claim.options.map((o) => `“${o.trim()}”`).join(' / ') });
    case 'attn-sums-to-one':
      return t('claim.attnSums', { value: v === null ? '—' : formatNumber(v, locale, 6) });
    case 'attn-previous-token':
      return t('claim.attnPrevious', { layer: claim.layer + 1, head: claim.head + 1, value: pct(v) }) + ` (≥ ${formatPercent(claim.min, locale, 0)})`;
    case 'attn-after-earlier':
      return t('claim.attnAfterEarlier', { value: pct(v) }) + ` (≤ ${formatPercent(claim.max, locale, 0)})`;
    case 'repeat-not-predicted':
      return t('claim.repeatNotPredicted', { value: num(v) });
    case 'lens-embedding-is-token':
      return t('claim.lensEmbedding', { value: pct(v) });
    case 'lens-settles':
      return t('claim.lensSettles', { value: num(v) });
    case 'branch-less-confident':
      // the mean log-probability difference (nats) shown as a ratio of probabilities: exp(Δ) times as probable
      return t('claim.lessConfident', { value: v === null ? '—' : formatNumber(Math.exp(v), locale, 2) });
  }
}

/**
 * Guided lessons: the list, then one step at a time with its text, the live-checked claims and
 * Next / Back (also Page Down / Page Up, which presenter clickers send).
 */
export function LessonPanel() {
  const { t, locale } = useT();
  const open = useLesson((s) => s.open);
  const lessonId = useLesson((s) => s.lessonId);
  const step = useLesson((s) => s.step);
  const running = useLesson((s) => s.running);
  const problem = useLesson((s) => s.problem);
  const language = useApp((s) => s.language) as Language;
  // while a lesson runs, claims are re-read whenever the app state changes (they describe what is on screen now)
  const state = useApp((s) => (lessonId ? s : null));
  // and when the attention view's readouts change (its own store, issue #20)
  useAttention((a) => (lessonId ? a.readouts : null));
  const lesson = lessonId ? lessonRunner.lessons.find((l) => l.id === lessonId) : undefined;

  useEffect(() => {
    if (!lessonId) return;
    const onKey = (e: KeyboardEvent) => {
      if (isTyping(e.target) || e.altKey || e.ctrlKey || e.metaKey) return;
      if (e.key === 'PageDown') {
        e.preventDefault();
        void lessonRunner.next();
      } else if (e.key === 'PageUp') {
        e.preventDefault();
        void lessonRunner.back();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [lessonId]);

  // the highlighted region scrolls below this sticky panel: its height is a CSS variable (styles.css)
  const panelRef = useRef<HTMLElement>(null);
  useEffect(() => {
    const el = panelRef.current;
    const root = document.documentElement;
    if (!el) {
      root.style.removeProperty('--lesson-h');
      return;
    }
    const set = () => root.style.setProperty('--lesson-h', `${Math.ceil(el.getBoundingClientRect().height)}px`);
    set();
    const ro = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(set);
    ro?.observe(el);
    return () => ro?.disconnect();
  });

  if (!open) return null;

  if (!lesson) {
    return (
      <section ref={panelRef} className="panel lesson-panel" aria-labelledby="lesson-list-title" data-testid="lesson-panel">
        <div className="lesson-head">
          <h2 id="lesson-list-title">{t('lesson.listTitle')}</h2>
          <button type="button" className="link" onClick={() => void lessonRunner.toggle()}>
            {t('lesson.close')}
          </button>
        </div>
        <p className="muted">{t('lesson.listHint')}</p>
        <ol className="lesson-list">
          {lessonRunner.lessons.map((l, i) => (
            <li key={l.id}>
              <button type="button" data-testid="lesson-item" data-lesson-id={l.id} onClick={() => void lessonRunner.start(l.id)}>
                <span className="lesson-num">{i + 1}.</span>
                <span className="lesson-name">{l.title[language]}</span> <small className="muted">{t('lesson.steps', { count: l.steps.length })}</small>
              </button>
            </li>
          ))}
        </ol>
      </section>
    );
  }

  const current = lesson.steps[step];
  const results = running || !state ? [] : lessonRunner.claims(state);
  const stopNode = state?.tree.nodes[state.cursor];
  const last = step === lesson.steps.length - 1;
  return (
    <section ref={panelRef} className="panel lesson-panel" aria-labelledby="lesson-title" data-testid="lesson-panel" data-lesson-id={lesson.id}>
      <div className="lesson-head">
        <h2 id="lesson-title">{lesson.title[language]}</h2>
        <span className="muted">{t('lesson.stepOf', { n: step + 1, total: lesson.steps.length })}</span>
        <button type="button" className="link" onClick={() => lessonRunner.leave()}>
          {t('lesson.all')}
        </button>
      </div>
      <p className="lesson-text" data-testid="lesson-step" data-step={step} aria-live="polite">
        {current.text[language]}
      </p>
      {running ? (
        <p className="muted" data-testid="lesson-running">
          {t('lesson.running')}
        </p>
      ) : (
        results.length > 0 && (
          <div className="lesson-claims">
            <span className="muted">{t('lesson.check')}:</span>
            <ul>
              {results.map(({ claim, result }, i) => (
                <li key={i} data-testid="lesson-claim" data-kind={claim.kind} data-holds={result.holds} data-value={result.value ?? ''} className={result.holds ? 'ok' : 'bad'}>
                  <span aria-label={t(result.holds ? 'lesson.holds' : 'lesson.fails')}>{result.holds ? '✓' : '✗'}</span>{' '}
                  {claimLabel(claim, result, t, locale, stopNode?.stop ?? null)}
                </li>
              ))}
            </ul>
          </div>
        )
      )}
      {problem && (
        <p className="warn" role="alert" data-testid="error-message">
          {t('lesson.problem', { message: problem })}
        </p>
      )}
      <div className="lesson-nav">
        <button type="button" data-testid="lesson-back" onClick={() => void lessonRunner.back()} disabled={running || step === 0} aria-keyshortcuts="PageUp">
          ◀ {t('lesson.back')}
        </button>
        <button type="button" data-testid="lesson-next" onClick={() => void lessonRunner.next()} disabled={running || last} aria-keyshortcuts="PageDown">
          {t('lesson.next')} ▶
        </button>
        {last && !running && <span className="muted">{t('lesson.end')}</span>}
      </div>
    </section>
  );
}
