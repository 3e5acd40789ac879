import { useEffect, useState } from 'react';
import { useAppShallow, type AppState } from '../../store/store.ts';
import { controller } from '../../store/controller.ts';
import { useT } from '../useT.ts';
import type { ConstraintKind } from '../../engine/constraint/constraint.ts';

const sel = (s: AppState) => ({ constraint: s.constraint, strategy: s.strategy });

/**
 * The constraint stage's setting (issue #21): none / a list of choices (one per line) / a regex /
 * a JSON schema. The text is applied when the field loses focus; the worker compiles it and reports
 * what it cannot compile as an error.
 */
export function ConstraintField() {
  const { t } = useT();
  const s = useAppShallow(sel);
  const kind: ConstraintKind = s.constraint?.kind ?? 'none';
  const [text, setText] = useState(s.constraint?.text ?? '');
  useEffect(() => setText(s.constraint?.text ?? ''), [s.constraint?.text]);
  if (s.strategy === 'beam') return null;
  const apply = (k: ConstraintKind, v: string) => {
    controller
      .updateSettings({ constraint: { kind: k, text: v } })
      .catch((e: unknown) => controller.reportError({ code: 'invalid-setting', message: e instanceof Error ? e.message : String(e) }));
  };
  return (
    <div className="field">
      <label htmlFor="f-constraint">{t('settings.constraint')}</label>
      <select id="f-constraint" data-testid="constraint-kind" value={kind} onChange={(e) => apply(e.target.value as ConstraintKind, text)}>
        <option value="none">{t('constraint.none')}</option>
        <option value="choice">{t('constraint.choice')}</option>
        <option value="regex">{t('constraint.regex')}</option>
        <option value="json">{t('constraint.json')}</option>
      </select>
      {kind !== 'none' && (
        <textarea
          data-testid="constraint-input"
          aria-label={t(`constraint.input.${kind}`)}
          placeholder={t(`constraint.input.${kind}`)}
          rows={kind === 'json' ? 6 : 3}
          spellCheck={false}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onBlur={() => {
            if (text !== s.constraint?.text) apply(kind, text);
          }}
        />
      )}
      <p className="help">{t('settings.constraint.help')}</p>
    </div>
  );
}
