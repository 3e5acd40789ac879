import { useEffect, useMemo, useState } from 'react';
import { useApp, type StoredRecord } from '../../store/store.ts';
import { controller } from '../../store/controller.ts';
import { stageBarLimit, viewCursor, viewDisplayNode } from '../../store/view.ts';
import { useLesson } from '../../store/lessonRunner.ts';
import { PHONE_QUERY, useMedia } from '../useMedia.ts';
import { finalStageIndex, stageProb } from '../../engine/distribution.ts';
import { barScales, logprobScale } from '../../charts/scales.ts';
import { useT } from '../useT.ts';
import { formatNumber, formatPercent, singleTokenLabel } from '../format.ts';
import type { MessageKey } from '../../i18n/en.ts';
import { TokenQuery } from './TokenQuery.tsx';
import { useChartHidden } from '../../store/classroom.ts';
import { ExportButtons } from '../export/ExportButtons.tsx';
import { appendTokens } from '../../store/appendTokens.ts';

const BAR_WIDTH = 260;

/**
 * The current step's distribution: bars of the top-N tokens with the model
 * probability and the probability after the selected stage (final by default),
 * filtered tokens greyed with the reason, the rest mass, the pinned EOS row and
 * the dice roll u on the cumulative bar. Click a bar to choose that token.
 */
export function DistributionChart() {
  const { t, locale } = useT();
  const info = useApp((s) => s.info);
  // what a bar click does: replace the cursor's token (the chart shows the step that chose it) or
  // append after the cursor (the chart shows the distribution after the cursor); a beam search being
  // revealed shows its start (view.ts), else the cursor
  const [target, setTarget] = useState<'replace' | 'append'>('replace');
  const appendView = useApp((s) => target === 'append' && s.cursor !== 0);
  const shownOf = (s: Parameters<typeof viewDisplayNode>[0]) => (appendView ? s.cursor : viewDisplayNode(s));
  const node = useApp((s) => shownOf(s));
  const stored = useApp((s) => s.records[shownOf(s)]);
  const cursorEdge = useApp((s) => {
    const c = viewCursor(s);
    return c === 0 || appendView ? null : s.tree.nodes[c].edge;
  });
  const cursor = useApp((s) => s.cursor);
  useEffect(() => {
    if (appendView) void controller.ensureRecord(cursor);
  }, [appendView, cursor]);
  const choose = (id: number) => void (appendView ? appendTokens([id]) : controller.chooseToken(id));
  const depth = useApp((s) => s.tree.nodes[viewCursor(s)]?.depth ?? 0);
  const sampling = useApp((s) => s.strategy === 'sample');
  const beam = useApp((s) => s.strategy === 'beam');
  const presenter = useApp((s) => s.presenter);
  const phone = useMedia(PHONE_QUERY);
  const lessonOpen = useLesson((s) => s.open);
  const stageSel = useApp((s) => s.stage);
  const showLogprob = useApp((s) => s.showLogprob);
  const topN = useApp((s) => s.topN);
  const greedy = useApp((s) => s.strategy === 'greedy' || (s.strategy === 'sample' && s.sampling.temperature === 0));
  // only 'waiting' matters here (busy with nothing to show): selecting `busy` itself re-rendered the
  // whole chart between a step's request and its result, delaying the result message (bench P1)
  const waiting = useApp((s) => s.busy && !s.records[viewDisplayNode(s)]);
  const [focusRow, setFocusRow] = useState<number | null>(null);
  const hiddenForGuess = useChartHidden();
  const rec = stored?.record;
  const chosenTok = cursorEdge?.tokenId ?? null;

  const view = useMemo(() => {
    if (!rec || !info) return null;
    const S = finalStageIndex(rec);
    const stage = stageSel === null || stageSel > S ? S : stageSel;
    const n = rec.tokenIds.length;
    const eos = info.eosTokenId;
    const eot = info.endOfTurnTokenId;
    // the stage (presenter, phone) shows fewer bars so the dice strip stays on screen
    const limit = stageBarLimit(presenter, phone, lessonOpen, topN);
    // rows past the top N are extras the worker added (the chosen or a queried token, EOS): shown
    // except EOS / end of turn, which have their pinned rows; the chosen token is always shown
    const rows = Array.from({ length: n }, (_, j) => j).filter(
      (j) => j < limit || rec.tokenIds[j] === chosenTok || (j >= topN && rec.tokenIds[j] !== eos && rec.tokenIds[j] !== eot),
    );
    const probs = rows.map((j) => stageProb(rec, 0, j));
    // greedy keeps one token at 100 %: scale by the model probabilities so they stay readable
    const degenerate = rows.some((j) => stageProb(rec, stage, j) > 0.999999);
    const max = degenerate ? Math.max(...probs) : Math.max(...probs, ...rows.map((j) => stageProb(rec, stage, j)));
    const minLog = Math.min(...probs.filter((p) => p > 0).map(Math.log), -1);
    // EOS and an instruct model's end-of-turn token get a pinned row (the worker always records
    // them); beam search's chart shows each once: no pinned row when it is among the bars
    const pinned = (id: number | null) => {
      const j = id === null ? -1 : Array.from(rec.tokenIds).indexOf(id);
      return j >= 0 && !(beam && rows.includes(j)) ? j : -1;
    };
    const eosIndex = pinned(eos);
    const eotIndex = pinned(eot);
    return { S, stage, rows, max, minLog, eosIndex, eotIndex, degenerate };
  }, [rec, info, stageSel, topN, presenter, phone, lessonOpen, chosenTok, beam]);

  if (!info) return <section className="panel dist" aria-label={t('dist.title')} />;
  const title = appendView ? t('dist.afterCursor', { n: depth + 1 }) : node === 0 && !cursorEdge ? t('dist.root') : t('dist.stepOf', { step: depth, n: depth });
  const chosenId = cursorEdge?.tokenId ?? null;
  const stageName = (i: number) =>
    rec ? t(greedy && rec.stages[i] === 'temperature' ? 'stage.greedy' : (`stage.${rec.stages[i]}` as MessageKey)) : '';
  // the stage chips' plain labels and their one-line explanation on hover
  const chipKey = (i: number) => (rec ? (greedy && rec.stages[i] === 'temperature' ? 'greedy' : rec.stages[i]) : 'raw');
  const chipName = (i: number) => t(`chip.${chipKey(i)}` as MessageKey);
  // the dice strip only when something is or was sampled here
  const showDice = !!cursorEdge?.u || (sampling && !greedy);

  return (
    <section className="panel dist" aria-labelledby="dist-title">
      {rec && <ExportButtons kind="chart" />}
      <h2 id="dist-title">{t('dist.title')}</h2>
      <p className="muted dist-title-line">{title}</p>
      <div className="dist-target" role="radiogroup" aria-label={t('dist.targetLabel')}>
        <span className="muted">{t('dist.targetLabel')}</span>{' '}
        {(['replace', 'append'] as const).map((k) => (
          <button key={k} type="button" role="radio" aria-checked={target === k} data-testid={`dist-target-${k}`} className={target === k ? 'selected' : ''} onClick={() => setTarget(k)}>
            {t(k === 'replace' ? 'dist.targetReplace' : 'dist.targetAppend')}
          </button>
        ))}
      </div>
      {hiddenForGuess ? (
        <p className="muted" data-testid="quiz-hidden">
          {t('quiz.hidden')}
        </p>
      ) : !rec || !view ? (
        <p className="muted">{waiting ? t('dist.waiting') : ''}</p>
      ) : (
        <>
          <div className="stage-select" role="radiogroup" aria-label={t('dist.stage')}>
            {rec.stages.map((name, i) => (
              <button
                key={name}
                type="button"
                role="radio"
                aria-checked={view.stage === i}
                className={view.stage === i ? 'selected' : ''}
                title={i === view.S ? `${t(`chipHelp.${chipKey(i)}` as MessageKey)} ${t('chipHelp.final')}` : t(`chipHelp.${chipKey(i)}` as MessageKey)}
                onClick={() => controller.setStage(i === view.S ? null : i)}
              >
                {rec.top && i > 0 && <span className="approx-mark" data-testid="stage-approx" title={t('dist.approxStage')}>≈ </span>}
                {chipName(i)}
                {i === view.S && <small className="chip-final"> → {t('chip.final')}</small>}
              </button>
            ))}
            <label className="logprob-toggle">
              <input type="checkbox" checked={showLogprob} onChange={(e) => controller.setShowLogprob(e.target.checked)} /> {t('dist.logprob')}
            </label>
          </div>
          <p className="muted key">
            <span className="key-model" /> {t('dist.modelProb')} · <span className="key-final" />{' '}
            {view.stage === view.S ? t('dist.finalProb') : `${t('dist.stageProb')} (${stageName(view.stage)})`}
          </p>
          <Bars
            rec={rec}
            view={view}
            chosenId={chosenId}
            showLogprob={showLogprob}
            focusRow={focusRow}
            setFocusRow={setFocusRow}
            stageName={stageName}
            choose={choose}
          />
          {showDice &&
            (view.degenerate && !cursorEdge?.u ? (
              <p className="muted">{t('dist.greedyNote')}</p>
            ) : (
              <Cumulative rec={rec} stage={view.S} chosenId={chosenId} u={cursorEdge?.u ?? null} method={cursorEdge?.method ?? null} />
            ))}
          {!showDice && greedy && <p className="muted">{t('dist.greedyNote')}</p>}
          <div
            className="dist-row rest"
            data-testid="dist-rest"
            data-prob={rec.restMass[0]}
            data-final-prob={rec.restMass[view.S]}
          >
            <span className="tok muted">
              {rec.top ? t('dist.restReported', { count: Math.max(0, rec.top.reported - rec.tokenIds.length) }) : t('dist.rest', { count: rec.vocabSize - rec.tokenIds.length })}
            </span>
            <span className="nums">
              {t('dist.model')} {formatPercent(rec.restMass[0], locale)} · {t('dist.final')} {formatPercent(rec.restMass[view.S], locale)}
            </span>
          </div>
          {rec.unreportedMass !== undefined && rec.top && (
            <>
              {/* a top-N server (issue #16): the mass it did not report, never read as probability 0 */}
              <div className="dist-row rest unreported" data-testid="dist-unreported" data-prob={rec.unreportedMass}>
                <span className="tok muted">{t('dist.unreported')}</span>
                <span className="nums">
                  {t('dist.model')} {formatPercent(rec.unreportedMass, locale)}
                </span>
              </div>
              <p className="muted" data-testid="dist-approx">
                {t('dist.approxNote', { n: rec.top.reported })}
              </p>
            </>
          )}
          {view.eosIndex >= 0 && (
            <PinnedRow rec={rec} index={view.eosIndex} stage={view.S} testId="dist-eos" className="dist-row eos" label={t('dist.eos')} locale={locale} choose={choose} />
          )}
          {view.eotIndex >= 0 && (
            <PinnedRow
              rec={rec}
              index={view.eotIndex}
              stage={view.S}
              testId="dist-eot"
              className="dist-row eos eot"
              label={t('dist.eot')}
              piece={info.vocabPieces[rec.tokenIds[view.eotIndex]]}
              locale={locale}
              choose={choose}
            />
          )}
          <p className="muted">
            {t('dist.entropy', { raw: formatNumber(rec.entropyRawBits, locale, 2), final: formatNumber(rec.entropyFinalBits, locale, 2) })}
          </p>
          {!appendView && <p className="muted click-hint">{t('dist.clickHint')}</p>}
          <TokenQuery />
        </>
      )}
    </section>
  );
}

interface BarsProps {
  rec: StoredRecord['record'];
  view: { S: number; stage: number; rows: number[]; max: number; minLog: number; degenerate: boolean };
  chosenId: number | null;
  showLogprob: boolean;
  focusRow: number | null;
  setFocusRow: (j: number | null) => void;
  stageName: (i: number) => string;
  /** What a click on a bar does (replace at the shown step, or append after the cursor). */
  choose: (tokenId: number) => void;
}

/**
 * A row pinned under the bars for a stop token (EOS, or the chat template's end-of-turn token):
 * its model and final probability; clicking chooses it.
 */
function PinnedRow(props: {
  rec: BarsProps['rec'];
  /** Index of the token in the record. */
  index: number;
  stage: number;
  testId: 'dist-eos' | 'dist-eot';
  className: string;
  label: string;
  /** The token's own spelling, shown after the label (untrusted: rendered as text). */
  piece?: string;
  locale: string;
  choose: (tokenId: number) => void;
}) {
  const { t } = useT();
  const { rec, index, stage, locale } = props;
  const p = stageProb(rec, 0, index);
  const q = stageProb(rec, stage, index);
  return (
    <button
      type="button"
      onClick={() => props.choose(rec.tokenIds[index])}
      className={props.className}
      data-testid={props.testId}
      data-token-id={rec.tokenIds[index]}
      data-prob={p}
      data-final-prob={q}
    >
      <span className="tok special">
        ■ {props.label}
        {props.piece !== undefined && (
          <>
            {' '}
            <bdi className="eot-piece">{props.piece}</bdi>
          </>
        )}
      </span>
      <span className="nums">
        {t('dist.model')} {formatPercent(p, locale, 2)} · {t('dist.final')} {formatPercent(q, locale, 2)}
      </span>
    </button>
  );
}

function Bars({ rec, view, chosenId, showLogprob, stageName, choose }: BarsProps) {
  const { t, locale } = useT();
  const info = useApp((s) => s.info)!;
  const { x } = barScales(view.rows.length, BAR_WIDTH, view.rows.length * 24, view.max);
  const lx = logprobScale(view.minLog, BAR_WIDTH);
  return (
    <div className="bars" role="list" aria-label={t('dist.title')}>
      {view.rows.map((j) => {
        const id = rec.tokenIds[j];
        const p = stageProb(rec, 0, j);
        const q = stageProb(rec, view.stage, j);
        const fin = stageProb(rec, view.S, j);
        const keptFinal = rec.kept[view.S * rec.tokenIds.length + j] === 1;
        const removedAt = rec.removedAt[j];
        const lab = singleTokenLabel(info, id);
        const chosen = id === chosenId;
        const logp = Math.log(p);
        const wModel = showLogprob ? lx(logp) : x(p);
        const wStage = Math.min(BAR_WIDTH, showLogprob ? (q > 0 ? lx(Math.log(q)) : 0) : x(q));
        const greedyCut = removedAt >= 0 && view.degenerate && rec.stages[removedAt] === 'temperature';
        const removedText = removedAt >= 0 && !greedyCut ? t('dist.removedBy', { stage: stageName(removedAt) }) : '';
        const numbers = showLogprob
          ? `ln p ${formatNumber(logp, locale, 2)} · ${q > 0 ? formatNumber(Math.log(q), locale, 2) : '−∞'}`
          : `${t('dist.model')} ${formatPercent(p, locale)} · ${view.stage === view.S ? t('dist.final') : t('dist.afterStage', { stage: stageName(view.stage) })} ${formatPercent(q, locale)}`;
        const label = `${t('tok.details', { text: lab.label, id, bytes: lab.hex })}: ${numbers}${chosen ? ` · ${t('dist.chosen')}` : ''}${removedText ? ` · ${removedText}` : ''}`;
        return (
          <div
            key={id}
            role="listitem"
            className={`dist-row${chosen ? ' chosen' : ''}${keptFinal ? '' : ' removed'}`}
          >
            <button
              type="button"
              className="bar-button"
              data-testid="dist-bar"
              data-token-id={id}
              data-prob={p}
              data-logprob={logp}
              data-final-prob={fin}
              data-kept={String(keptFinal)}
              data-chosen={String(chosen)}
              aria-label={label}
              title={label}
              onClick={() => choose(id)}
            >
              <span className={`tok${lab.special ? ' special' : ''}${lab.partial ? ' partial' : ''}${lab.invalid ? ' invalid' : ''}`} data-partial={String(lab.partial)} data-invalid={String(lab.invalid)}>
                {!keptFinal && !greedyCut && (
                  <span className="removed-mark" aria-hidden="true">
                    ✗
                  </span>
                )}
                {lab.label}
              </span>
              <svg viewBox={`0 0 ${BAR_WIDTH} 18`} preserveAspectRatio="none" height={18} aria-hidden="true" className="bar-svg">
                <rect className="bar-model" x={0} y={1} height={16} style={{ width: Math.max(0, wModel) }} />
                <rect className="bar-final" x={0} y={5} height={8} style={{ width: Math.max(0, wStage) }} />
              </svg>
              <span className="nums">
                {numbers}
                {removedText && <em className="removed-reason">{` · ${removedText}`}</em>}
              </span>
            </button>
          </div>
        );
      })}
    </div>
  );
}

/**
 * The final distribution laid out in sampling order (descending, lower id first): each shown token
 * at its true cumulative position (the tokens not shown fill the gaps), with the dice roll u marked.
 */
function Cumulative({ rec, stage, chosenId, u, method }: { rec: BarsProps['rec']; stage: number; chosenId: number | null; u: number | null; method: string | null }) {
  const { t, locale } = useT();
  const info = useApp((s) => s.info)!;
  const W = 520;
  const n = rec.tokenIds.length;
  const segs = Array.from({ length: n }, (_, j) => j)
    .filter((j) => stageProb(rec, stage, j) > 0)
    .map((j) => ({ j, x: rec.cumBefore[j] * W, w: stageProb(rec, stage, j) * W }));
  return (
    <figure className="cumulative" data-testid="dist-cumulative" aria-label={t('dist.cumulative')}>
      <figcaption className="muted">{t('dist.cumulative')}</figcaption>
      <svg viewBox={`0 0 ${W} 34`} width="100%" height={34} preserveAspectRatio="none" role="img" aria-label={u !== null ? t('dist.dice', { u: formatNumber(u, locale, 4) }) : t('dist.cumulative')}>
        <rect x={0} y={4} width={W} height={20} className="seg rest">
          <title>{t('dist.rest', { count: rec.vocabSize - rec.tokenIds.length })}</title>
        </rect>
        {segs.map((s, i) => (
          <rect key={s.j} x={s.x} y={4} width={Math.max(0.5, s.w)} height={20} className={rec.tokenIds[s.j] === chosenId ? 'seg chosen' : i % 2 ? 'seg odd' : 'seg even'}>
            <title>{singleTokenLabel(info, rec.tokenIds[s.j]).label}</title>
          </rect>
        ))}
        {u !== null && (
          <g data-testid="dist-draw" data-u={u} transform={`translate(${u * W},0)`}>
            <line y1={0} y2={30} className="dice-line" />
            <text y={33} x={2} className="dice-label">
              u
            </text>
          </g>
        )}
      </svg>
      <p className="muted">
        {u !== null ? t('dist.dice', { u: formatNumber(u, locale, 4) }) : method ? t('dist.noDice', { method: t(`method.${method}` as MessageKey) }) : ''}
      </p>
    </figure>
  );
}
