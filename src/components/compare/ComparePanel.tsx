import { useEffect, useMemo, useState } from 'react';
import { useApp, useAppShallow, type AppState, type ComparePaneSettings } from '../../store/store.ts';
import { compareController, compareDivergenceStep, paneAHasSpeculative, paneATokens, paneBTokens, type ComparePreset, type PaneTokens } from '../../store/compare.ts';
import { processorOrder, type Strategy } from '../../engine/settings.ts';
import { finalStageIndex, stageProb, type DistributionRecord } from '../../engine/distribution.ts';
import { barScales } from '../../charts/scales.ts';
import { useT } from '../useT.ts';
import { formatNumber, formatPercent, sequenceDisplay, singleTokenLabel } from '../format.ts';
import { TokenChip } from '../tokens/TokenChip.tsx';
import type { MessageKey } from '../../i18n/en.ts';
import type { ModelInfo } from '../../domain/types.ts';
import { settingsSummary } from '../settings/summary.ts';

const PRESETS: ComparePreset[] = ['temperature', 'top-p-min-p', 'greedy-beam'];


/**
 * Compare mode: pane A (the main session) and pane B (its own settings) side by side on the same
 * prompt, model and seed; Step both moves each one token; the first token where they differ is
 * marked in both rows and both distributions at that step are drawn side by side.
 */
export function ComparePanel() {
  const { t } = useT();
  const busy = useApp((s) => s.busy || s.compare.busy);
  const ready = useApp((s) => s.status === 'ready' && !s.promptError && s.tree.promptIds.length > 0 && s.readOnly === null);
  const preset = useApp((s) => s.compare.preset);
  const error = useApp((s) => s.compare.error);
  const atRoot = useApp((s) => paneATokens(s).tokens.length === 0 && paneBTokens(s).tokens.length === 0);
  const divergence = useApp((s) => compareDivergenceStep(s));

  // ← and → move both panes while compare mode is on (src/store/keymap.ts)
  return (
    <section className="panel compare" aria-labelledby="compare-title" data-testid="compare-panel" aria-busy={busy}>
      <h2 id="compare-title">{t('compare.title')}</h2>
      <p className="muted">{t('compare.intro')}</p>
      <div className="controls compare-controls" role="toolbar" aria-label={t('compare.keys')}>
        <label>
          {t('compare.preset')}{' '}
          <select
            data-testid="compare-preset"
            value={preset}
            disabled={!ready || busy}
            onChange={(e) => void compareController.applyPreset(e.target.value as ComparePreset).catch(() => undefined)}
          >
            {PRESETS.map((p) => (
              <option key={p} value={p}>
                {t(`compare.preset.${p}` as MessageKey)}
              </option>
            ))}
            <option value="custom" disabled>
              {t('compare.preset.custom')}
            </option>
          </select>
        </label>
        <button type="button" data-testid="compare-back" onClick={() => void compareController.backBoth()} disabled={!ready || busy || atRoot} aria-keyshortcuts="ArrowLeft">
          ◀ {t('compare.back')}
        </button>
        <button type="button" data-testid="compare-step" className="primary" onClick={() => void compareController.stepBoth()} disabled={!ready || busy} aria-keyshortcuts="ArrowRight">
          {t('compare.step')} ▶
        </button>
        <span className="muted keys">{t('compare.keys')}</span>
      </div>
      <p className="muted help">{t('compare.presetHint')}</p>
      {error && (
        <p className="field-error" role="alert" data-testid="error-message">
          {t(`error.${error.code}` as MessageKey, { message: error.message })}
        </p>
      )}
      <div className="compare-panes">
        <Pane which="a" divergence={divergence} />
        <Pane which="b" divergence={divergence} />
      </div>
      <DivergenceView step={divergence} />
    </section>
  );
}

/** Pane A's settings as the main session holds them. */
const mainPane = (s: AppState): ComparePaneSettings => ({ strategy: s.strategy, sampling: s.sampling, orderName: s.orderName, beam: s.beam });

/** A pane's tokens, recomputed only when what they derive from changes. */
function usePaneTokens(which: 'a' | 'b'): PaneTokens {
  const tree = useApp((s) => s.tree);
  const cursor = useApp((s) => s.cursor);
  const strategy = useApp((s) => s.strategy);
  const beamRun = useApp((s) => s.beamRun);
  const compare = useApp((s) => s.compare);
  return useMemo(
    () => (which === 'a' ? paneATokens({ tree, cursor, strategy, beamRun }) : paneBTokens({ compare })),
    [which, tree, cursor, strategy, beamRun, compare],
  );
}

/** One pane: its settings and its token row, the divergence chip marked. */
function Pane({ which, divergence }: { which: 'a' | 'b'; divergence: number | null }) {
  const { t, locale } = useT();
  const info = useApp((s) => s.info);
  const promptIds = useApp((s) => s.tree.promptIds);
  const settings = useAppShallow((s) => (which === 'a' ? mainPane(s) : s.compare.b));
  const toks = usePaneTokens(which);
  const beamStep = useApp((s) => (which === 'a' ? (s.strategy === 'beam' ? (s.beamRun?.viewStep ?? -1) : -1) : (s.compare.beam?.viewStep ?? -1)));
  const stop = useApp((s) => (which === 'b' ? s.compare.stop : null));
  const name = which === 'a' ? t('compare.paneA') : t('compare.paneB');
  return (
    <div className={`compare-pane pane-${which}`} data-testid="compare-pane" data-pane={which} aria-label={name}>
      <h3>{name}</h3>
      <p className="pane-settings">{settingsSummary(settings, t)}</p>
      {which === 'b' && <PaneBSettings />}
      {settings.strategy === 'beam' && toks.tokens.length > 0 && (
        <p className="muted">{toks.final ? t('compare.beamFinal') : t('compare.beamBest', { step: beamStep + 1 })}</p>
      )}
      {info && <TokenRow info={info} promptIds={promptIds} toks={toks} which={which} divergence={divergence} locale={locale} />}
      {toks.tokens.length === 0 && <p className="muted">{t('compare.empty')}</p>}
      {stop && (
        <p className="stop-reason" data-testid="compare-stop" data-reason={stop}>
          {t(`gen.stop.${stop}` as MessageKey)}
        </p>
      )}
    </div>
  );
}

function TokenRow({ info, promptIds, toks, which, divergence, locale }: { info: ModelInfo; promptIds: number[]; toks: PaneTokens; which: 'a' | 'b'; divergence: number | null; locale: string }) {
  const { t } = useT();
  const shown = useMemo(() => sequenceDisplay(info, toks.tokens, promptIds), [info, toks.tokens, promptIds]);
  return (
    <div className="chip-row" role="list" data-testid="compare-row" data-pane={which}>
      {toks.tokens.map((id, i) => {
        const d = shown[i];
        const diverged = i === divergence;
        const label = t('compare.tokenLabel', { n: i + 1, text: d.text, id, p: formatPercent(toks.probs[i], locale) }) + (diverged ? ` · ${t('compare.partsHere')}` : '');
        return (
          <span key={i} className={diverged ? 'compare-item diverged' : i > (divergence ?? Infinity) ? 'compare-item after' : 'compare-item'} data-pane={which} data-step={i}>
            {diverged && (
              <span className="divergence-flag" data-testid="compare-divergence-chip" data-pane={which} data-step={i} aria-hidden="true">
                ≠
              </span>
            )}
            <TokenChip
              testId="compare-token"
              tokenId={id}
              text={d.text}
              raw={info.vocabPieces[id]}
              hex={d.hex}
              special={info.special[id] === 1}
              partial={d.partial}
              invalid={d.invalid}
              brackets={d.brackets}
              prob={toks.probs[i]}
              label={label}
              onFocusDetails={() => undefined}
            />
          </span>
        );
      })}
    </div>
  );
}

/** Pane B's own settings: strategy and the numbers that strategy uses. Changing one restarts pane B. */
function PaneBSettings() {
  const { t } = useT();
  const b = useApp((s) => s.compare.b);
  const disabled = useApp((s) => s.compare.busy || s.readOnly !== null);
  const num = (key: 'temperature' | 'topK' | 'topP' | 'minP' | 'repetitionPenalty', labelKey: MessageKey, range: string, step: number) => (
    <BField
      key={key}
      testId={`compare-b-${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`}
      label={t(labelKey)}
      range={range}
      value={b.sampling[key]}
      step={step}
      disabled={disabled}
      commit={(v) => compareController.updateB({ sampling: { ...b.sampling, [key]: v } })}
    />
  );
  return (
    <details className="pane-b-settings" open>
      <summary>{t('compare.settingsB')}</summary>
      <div className="b-fields">
        <label className="b-field">
          <span>{t('settings.strategy')}</span>
          <select
            data-testid="compare-b-strategy"
            value={b.strategy}
            disabled={disabled}
            onChange={(e) => void compareController.updateB({ strategy: e.target.value as Strategy }).catch(() => undefined)}
          >
            <option value="greedy">{t('strategy.greedy')}</option>
            <option value="sample">{t('strategy.sample')}</option>
            <option value="beam">{t('strategy.beam')}</option>
          </select>
        </label>
        {b.strategy === 'sample' && (
          <>
            {num('temperature', 'settings.temperature', '0 – 2', 0.1)}
            {num('topK', 'settings.topK', '0, 1, 2, …', 1)}
            {num('topP', 'settings.topP', '(0, 1]', 0.05)}
            {num('minP', 'settings.minP', '0 – 1', 0.01)}
          </>
        )}
        {b.strategy !== 'beam' && num('repetitionPenalty', 'settings.repetitionPenalty', '> 0', 0.05)}
        {b.strategy === 'beam' && (
          <BField
            testId="compare-b-beam-width"
            label={t('settings.beamWidth')}
            range="1 – 8"
            value={b.beam.beamWidth}
            step={1}
            disabled={disabled}
            commit={(v) => compareController.updateB({ beam: { ...b.beam, beamWidth: v } })}
          />
        )}
        {b.strategy === 'sample' && (
          <label className="b-field">
            <span>{t('settings.order')}</span>
            <select
              data-testid="compare-b-processor-order"
              value={b.orderName}
              disabled={disabled}
              onChange={(e) => {
                const orderName = e.target.value as ComparePaneSettings['orderName'];
                void compareController.updateB({ orderName, sampling: { ...b.sampling, order: processorOrder(orderName) } }).catch(() => undefined);
              }}
            >
              <option value="hf">{t('order.hf')}</option>
              <option value="temperature-last">{t('order.temperature-last')}</option>
            </select>
          </label>
        )}
      </div>
    </details>
  );
}

/** A number for pane B, applied on Enter or when leaving the field; an invalid value shows its range and is not applied. */
function BField(p: { testId: string; label: string; range: string; value: number; step: number; disabled: boolean; commit: (v: number) => Promise<void> }) {
  const { t } = useT();
  const [text, setText] = useState(String(p.value));
  const [error, setError] = useState(false);
  const [focused, setFocused] = useState(false);
  // a value set elsewhere (a preset) replaces the text only when the user is not typing
  useEffect(() => {
    if (!focused) setText(String(p.value));
  }, [p.value, focused]);
  /** @returns whether the text is now the value in force */
  const apply = async (): Promise<boolean> => {
    const v = text.trim() === '' ? NaN : Number(text);
    try {
      if (!Number.isFinite(v)) throw new RangeError(text);
      if (v !== p.value) await p.commit(v);
      setError(false);
      return true;
    } catch {
      setError(true);
      return false;
    }
  };
  const id = `f-${p.testId}`;
  return (
    <div className="b-field">
      <label htmlFor={id}>{p.label}</label>
      <input
        id={id}
        data-testid={p.testId}
        type="number"
        inputMode="decimal"
        step={p.step}
        value={text}
        disabled={p.disabled}
        aria-invalid={error}
        onChange={(e) => setText(e.target.value)}
        onFocus={() => setFocused(true)}
        onBlur={() => {
          setFocused(false);
          // leaving a field shows the value in force; its error goes with the rejected text
          void apply().then((ok) => ok || setError(false));
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter') void apply();
        }}
      />
      {error && (
        <span className="field-error" role="alert">
          {t('settings.invalid', { range: p.range })}
        </span>
      )}
    </div>
  );
}

/** Both distributions at the first divergence, side by side. */
function DivergenceView({ step }: { step: number | null }) {
  const { t, locale } = useT();
  const div = useApp((s) => s.compare.divergence);
  const anyTokens = useApp((s) => paneATokens(s).tokens.length > 0 && paneBTokens(s).tokens.length > 0);
  const beam = useApp((s) => s.strategy === 'beam' || s.compare.b.strategy === 'beam');
  const speculative = useApp((s) => paneAHasSpeculative(s));
  const specNote = speculative ? (
    <p className="muted" data-testid="compare-spec-note">
      {t('compare.specNote')}
    </p>
  ) : null;
  if (step === null)
    return (
      <>
        {anyTokens && <p className="muted compare-same">{t('compare.noDivergence')}</p>}
        {specNote}
      </>
    );
  const shown = div && div.step === step ? div : null;
  const uA = shown?.a.u ?? null;
  const uB = shown?.b.u ?? null;
  return (
    <div className="compare-divergence" data-testid="compare-divergence" data-step={step}>
      <h3>{t('compare.divergedAt', { n: step + 1 })}</h3>
      <p className="muted">{t('compare.divergence.explain')}</p>
      {beam && <p className="muted">{t('compare.divergence.beam')}</p>}
      {specNote}
      {uA !== null && uA === uB ? (
        <p className="muted">{t('compare.dice', { u: formatNumber(uA, locale, 4) })}</p>
      ) : (
        ([['A', uA], ['B', uB]] as const).map(([pane, u]) =>
          u === null ? null : (
            <p key={pane} className="muted">
              {t('compare.diceOne', { pane, u: formatNumber(u, locale, 4) })}
            </p>
          ),
        )
      )}
      <div className="compare-dists">
        <MiniDistribution which="a" rec={shown?.a.record ?? null} own={shown?.a.tokenId ?? null} other={shown?.b.tokenId ?? null} />
        <MiniDistribution which="b" rec={shown?.b.record ?? null} own={shown?.b.tokenId ?? null} other={shown?.a.tokenId ?? null} />
      </div>
    </div>
  );
}

const MINI_WIDTH = 200;
const MINI_ROWS = 8;

/**
 * A small bar chart of one pane's distribution at the divergence: the most probable tokens plus
 * both panes' tokens; light bar = model probability, dark bar = after this pane's processors.
 */
function MiniDistribution({ which, rec, own, other }: { which: 'a' | 'b'; rec: DistributionRecord | null; own: number | null; other: number | null }) {
  const { t, locale } = useT();
  const info = useApp((s) => s.info);
  const rows = useMemo(() => {
    if (!rec) return [];
    const ids = Array.from(rec.tokenIds);
    const js = ids.map((_, j) => j).slice(0, MINI_ROWS);
    for (const id of [own, other]) {
      const j = id === null ? -1 : ids.indexOf(id);
      if (j >= 0 && !js.includes(j)) js.push(j);
    }
    return js;
  }, [rec, own, other]);
  const name = which === 'a' ? t('compare.paneA') : t('compare.paneB');
  if (!rec || !info) return <figure className="mini-dist" data-testid="compare-dist" data-pane={which}><figcaption>{name}</figcaption><p className="muted">{t('dist.waiting')}</p></figure>;
  const S = finalStageIndex(rec);
  // both panes on one absolute scale (0 to 100 %): the same probability has the same length in both
  const { x } = barScales(rows.length, MINI_WIDTH, rows.length * 20, 1);
  return (
    <figure className="mini-dist" data-testid="compare-dist" data-pane={which}>
      <figcaption>{name}</figcaption>
      <div role="list">
        {rows.map((j) => {
          const id = rec.tokenIds[j];
          const p = stageProb(rec, 0, j);
          const q = stageProb(rec, S, j);
          const lab = singleTokenLabel(info, id);
          const mark = id === own ? t('compare.chosenHere') : id === other ? t('compare.chosenOther') : '';
          const label = `${lab.label} (#${id}): ${t('dist.model')} ${formatPercent(p, locale)} · ${t('dist.final')} ${formatPercent(q, locale)}${mark ? ` · ${mark}` : ''}`;
          return (
            <div
              key={id}
              role="listitem"
              className={`mini-row${id === own ? ' own' : ''}${id === other ? ' other' : ''}${q === 0 ? ' removed' : ''}`}
              data-testid="compare-dist-bar"
              data-token-id={id}
              data-prob={p}
              data-final-prob={q}
              data-chosen={String(id === own)}
              aria-label={label}
              title={label}
            >
              <span className={`tok${lab.special ? ' special' : ''}`}>{lab.label}</span>
              <svg viewBox={`0 0 ${MINI_WIDTH} 16`} preserveAspectRatio="none" height={16} aria-hidden="true" className="bar-svg">
                <rect className="bar-model" x={0} y={1} height={14} style={{ width: Math.max(0, x(p)) }} />
                <rect className="bar-final" x={0} y={4} height={8} style={{ width: Math.max(0, Math.min(MINI_WIDTH, x(q))) }} />
              </svg>
              <span className="nums">
                {formatPercent(p, locale)} → {formatPercent(q, locale)}
                {mark && <em>{` · ${mark}`}</em>}
              </span>
            </div>
          );
        })}
      </div>
    </figure>
  );
}
