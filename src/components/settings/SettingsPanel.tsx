import { useEffect, useState, type ReactNode } from 'react';
import { useAppShallow, type AppState, type SettingsSlice } from '../../store/store.ts';
import { controller } from '../../store/controller.ts';
import { useT } from '../useT.ts';
import { ConstraintField } from './ConstraintField.tsx';
import type { MessageKey } from '../../i18n/en.ts';
import { formatNumber } from '../format.ts';
import type { EarlyStopping, ProcessorOrderName, Strategy } from '../../engine/settings.ts';

interface NumberFieldProps {
  testId: string;
  labelKey: MessageKey;
  helpKey: MessageKey;
  range: string;
  value: number;
  step: number;
  min?: number;
  max?: number;
  integer?: boolean;
  toPatch: (v: number) => Partial<SettingsSlice>;
  note?: ReactNode;
  /** A slider beside the box (its range may be narrower than the box's: the box takes any valid value). */
  slider?: { min: number; max: number; step: number };
  /** Greyed (not offered) with this reason shown under it, e.g. the repetition penalty on a server without raw logits. */
  disabledReason?: string | null;
}

/**
 * A numeric setting: rejected at the control with its valid range; the engine validates again.
 * A rejected value stays in the box with its message after the field is left, until it is
 * corrected (typing, the slider) or dismissed (back to the value in force).
 */
function NumberField(p: NumberFieldProps) {
  const { t, locale } = useT();
  const [text, setText] = useState(String(p.value));
  const [rejected, setRejected] = useState<string | null>(null);
  const [focused, setFocused] = useState(false);
  // the store's (possibly clamped) value replaces the text when the user is not typing and nothing is rejected
  useEffect(() => {
    if (!focused && rejected === null) setText(String(p.value));
  }, [p.value, focused, rejected]);
  const commit = async (raw: string) => {
    setText(raw);
    const v = raw.trim() === '' ? NaN : Number(raw);
    if (!Number.isFinite(v) || (p.integer && !Number.isInteger(v))) {
      setRejected(raw);
      return;
    }
    try {
      await controller.updateSettings(p.toPatch(v));
      setRejected(null);
    } catch {
      setRejected(raw);
    }
  };
  const dismiss = () => {
    setRejected(null);
    setText(String(p.value));
  };
  const id = `f-${p.testId}`;
  const sliderValue = p.slider ? Math.min(p.slider.max, Math.max(p.slider.min, p.value)) : 0;
  return (
    <div className="field">
      <label htmlFor={id}>{t(p.labelKey)}</label>
      <div className="field-inputs">
        {p.slider && (
          <input
            type="range"
            className="slider"
            data-testid={`${p.testId}-slider`}
            aria-label={t('settings.slider', { name: t(p.labelKey) })}
            min={p.slider.min}
            max={p.slider.max}
            step={p.slider.step}
            value={sliderValue}
            onChange={(e) => void commit(e.target.value)}
          />
        )}
        <input
          id={id}
          data-testid={p.testId}
          type="number"
          inputMode="decimal"
          value={text}
          step={p.step}
          min={p.min}
          max={p.max}
          aria-invalid={rejected !== null}
          aria-describedby={`${id}-help`}
          disabled={!!p.disabledReason}
          onChange={(e) => void commit(e.target.value)}
          onFocus={() => setFocused(true)}
          onBlur={() => setFocused(false)}
        />
      </div>
      <p id={`${id}-help`} className="help">
        {t(p.helpKey)}
      </p>
      {p.note}
      {p.disabledReason && (
        <p className="help field-disabled" data-testid={`${p.testId}-disabled`}>
          {p.disabledReason}
        </p>
      )}
      {rejected !== null && (
        <p className="field-error" role="alert" data-testid="error-message">
          <span>{t('settings.rejected', { value: rejected, range: p.range, current: formatNumber(p.value, locale, 4) })}</span>{' '}
          <button type="button" className="dismiss" onClick={dismiss}>
            {t('error.dismiss')}
          </button>
        </p>
      )}
    </div>
  );
}

/** Only what the panel shows: it does not re-render on every step. */
const sel = (s: AppState) => ({
  strategy: s.strategy,
  sampling: s.sampling,
  orderName: s.orderName,
  beam: s.beam,
  seed: s.seed,
  maxNewTokens: s.maxNewTokens,
  topN: s.topN,
  info: s.info,
  readOnly: s.readOnly,
  promptLength: s.tree.promptIds.length,
});

/** A select's change: an invalid combination is shown as an error, never thrown. */
function applySettings(patch: Parameters<typeof controller.updateSettings>[0]): void {
  void controller.applySettings(patch);
}

/** Strategy and every decoding setting, each with a short explanation and its formula. */
export function SettingsPanel() {
  const { t } = useT();
  const s = useAppShallow(sel);
  const room = s.info ? s.info.contextLength - s.promptLength : Infinity;
  // the repetition penalty divides positive raw logits and multiplies negative ones: not reproducible on log-probabilities (issue #16)
  const penaltyOff = s.info?.engine && !s.info.engine.rawLogits ? t('settings.repetitionPenalty.noLogits', { dialect: s.info.engine.dialect }) : null;
  return (
    <section className="panel settings" aria-labelledby="settings-title">
      <h2 id="settings-title">{t('settings.title')}</h2>
      <fieldset className="plain" disabled={s.readOnly !== null}>
      <div className="field">
        <label htmlFor="f-strategy">{t('settings.strategy')}</label>
        <select
          id="f-strategy"
          data-testid="strategy"
          value={s.strategy}
          onChange={(e) => applySettings({ strategy: e.target.value as Strategy })}
        >
          <option value="greedy">{t('strategy.greedy')}</option>
          <option value="sample">{t('strategy.sample')}</option>
          <option value="beam">{t('strategy.beam')}</option>
        </select>
      </div>
      {s.strategy === 'sample' && (
        <>
          <NumberField testId="setting-temperature" labelKey="settings.temperature" helpKey="settings.temperature.help" range="0 – 5" value={s.sampling.temperature} step={0.1} min={0} max={5}
            slider={{ min: 0, max: 5, step: 0.05 }}
            note={s.sampling.temperature > 2 ? <p className="help warn" data-testid="temperature-note">{t('settings.temperature.high')}</p> : null}
            toPatch={(v) => {
              if (v > 5) throw new RangeError('temperature');
              return { sampling: { ...s.sampling, temperature: v } };
            }} />
          <NumberField testId="setting-top-k" labelKey="settings.topK" helpKey="settings.topK.help" range={`0 – ${s.info?.vocabSize ?? '∞'}`} value={s.sampling.topK} step={1} min={0} integer
            slider={{ min: 0, max: 50, step: 1 }}
            toPatch={(v) => {
              if (s.info && v > s.info.vocabSize) throw new RangeError('topK');
              return { sampling: { ...s.sampling, topK: v } };
            }} />
          <NumberField testId="setting-top-p" labelKey="settings.topP" helpKey="settings.topP.help" range="(0, 1]" value={s.sampling.topP} step={0.05} min={0} max={1}
            slider={{ min: 0.05, max: 1, step: 0.05 }}
            toPatch={(v) => ({ sampling: { ...s.sampling, topP: v } })} />
          <NumberField testId="setting-min-p" labelKey="settings.minP" helpKey="settings.minP.help" range="0 – 1" value={s.sampling.minP} step={0.01} min={0} max={1}
            slider={{ min: 0, max: 0.5, step: 0.01 }}
            toPatch={(v) => ({ sampling: { ...s.sampling, minP: v } })} />
          <div className="field dev-detail">
            <label htmlFor="f-order">{t('settings.order')}</label>
            <select id="f-order" data-testid="setting-processor-order" value={s.orderName}
              onChange={(e) => applySettings({ orderName: e.target.value as ProcessorOrderName })}>
              <option value="hf">{t('order.hf')}</option>
              <option value="temperature-last">{t('order.temperature-last')}</option>
            </select>
            <p className="help">{t('settings.order.help')}</p>
          </div>
          <NumberField testId="setting-seed" labelKey="settings.seed" helpKey="settings.seed.help" range="0 – 4294967295" value={s.seed} step={1} min={0} integer
            toPatch={(v) => ({ seed: v })} />
        </>
      )}
      {s.strategy !== 'beam' && (
        <NumberField testId="setting-repetition-penalty" labelKey="settings.repetitionPenalty" helpKey="settings.repetitionPenalty.help" range="> 0 (1 = off)" value={s.sampling.repetitionPenalty} step={0.05} min={0.05} disabledReason={penaltyOff}
          toPatch={(v) => ({ sampling: { ...s.sampling, repetitionPenalty: v } })} />
      )}
      {s.strategy === 'beam' && (
        <>
          <NumberField testId="setting-beam-width" labelKey="settings.beamWidth" helpKey="settings.beamWidth.help" range="1 – 8" value={s.beam.beamWidth} step={1} min={1} max={8} integer
            toPatch={(v) => ({ beam: { ...s.beam, beamWidth: v } })} />
          <NumberField testId="setting-length-penalty" labelKey="settings.lengthPenalty" helpKey="settings.lengthPenalty.help" range="−5 – 5" value={s.beam.lengthPenalty} step={0.1} min={-5} max={5}
            toPatch={(v) => {
              if (Math.abs(v) > 5) throw new RangeError('lengthPenalty');
              return { beam: { ...s.beam, lengthPenalty: v } };
            }} />
          <div className="field">
            <label htmlFor="f-early">{t('settings.earlyStopping')}</label>
            <select id="f-early" data-testid="setting-early-stopping" value={s.beam.earlyStopping}
              onChange={(e) => applySettings({ beam: { ...s.beam, earlyStopping: e.target.value as EarlyStopping } })}>
              <option value="true">{t('settings.earlyStopping.true')}</option>
              <option value="false">{t('settings.earlyStopping.false')}</option>
              <option value="never">{t('settings.earlyStopping.never')}</option>
            </select>
            <p className="help">{t('settings.earlyStopping.help')}</p>
          </div>
          <NumberField testId="setting-repetition-penalty" labelKey="settings.repetitionPenalty" helpKey="settings.repetitionPenalty.help" range="> 0 (1 = off)" value={s.beam.repetitionPenalty} step={0.05} min={0.05} disabledReason={penaltyOff}
            toPatch={(v) => ({ beam: { ...s.beam, repetitionPenalty: v } })} />
        </>
      )}
      <ConstraintField />
      <NumberField testId="setting-max-new-tokens" labelKey="settings.maxNewTokens" helpKey="settings.maxNewTokens.help" range={`1 – ${Number.isFinite(room) ? room : '∞'}`} value={s.maxNewTokens} step={1} min={1} integer
        toPatch={(v) => ({ maxNewTokens: v })}
        note={Number.isFinite(room) && s.maxNewTokens === room ? <p className="help warn">{t('settings.clamped', { n: room })}</p> : null} />
      <NumberField testId="setting-top-n" labelKey="settings.topN" helpKey="settings.topN.help" range="1 – 200" value={s.topN} step={1} min={1} max={200} integer
        toPatch={(v) => ({ topN: v })} />
      </fieldset>
    </section>
  );
}
