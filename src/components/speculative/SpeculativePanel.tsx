import { useState } from 'react';
import { useApp } from '../../store/store.ts';
import { controller } from '../../store/controller.ts';
import { useT } from '../useT.ts';
import { formatPercent, singleTokenLabel } from '../format.ts';
import type { Drafter } from '../../engine/speculative.ts';
import type { MessageKey } from '../../i18n/en.ts';
import { PanelSection } from '../shell/PanelSection.tsx';

/**
 * Speculative decoding (issue #21): a run from the cursor in rounds — the draft's proposals with q,
 * the target's p from its one verification pass, and which tokens were accepted, rejected,
 * resampled or added as the bonus; tokens gained per target forward. The kept tokens are tree edges
 * (actions/speculative.ts); the rounds shown are those of the last run.
 */
export function SpeculativePanel() {
  const { t, locale } = useT();
  const run = useApp((s) => s.specRun);
  const info = useApp((s) => s.info);
  const busy = useApp((s) => s.busyShown);
  const beam = useApp((s) => s.strategy === 'beam');
  // a model server answers one position per request with log-probabilities: no one-pass check of k drafts
  const server = useApp((s) => s.info?.device === 'server');
  const [drafter, setDrafter] = useState<Drafter>('prompt-lookup');
  const [k, setK] = useState(4);
  const draft = useApp((s) => s.specDraft);
  const draftError = useApp((s) => s.specDraftError);
  const draftLoading = useApp((s) => s.specDraftLoading);
  const [draftWhich, setDraftWhich] = useState<'self' | 'hub'>('self');
  const [draftId, setDraftId] = useState('');
  const loadDraft = () => void controller.loadDraft(draftWhich === 'self' ? 'self' : { kind: 'hub', modelId: draftId.trim() });
  const usable = drafter === 'prompt-lookup' || draft !== null;
  const tokens = run?.rounds.reduce((a, r) => a + r.emitted.length, 0) ?? 0;
  return (
    <PanelSection id="spec" className="speculative" title={t('spec.title')} intro={t('spec.explain')}>
      <div className="tf-tools">
        <label>
          {t('spec.drafter')}{' '}
          <select data-testid="spec-drafter" value={drafter} onChange={(e) => setDrafter(e.target.value as Drafter)}>
            <option value="prompt-lookup">{t('spec.drafter.lookup')}</option>
            <option value="draft-model" disabled={!draft}>
              {t('spec.drafter.model')}
            </option>
          </select>
        </label>
        <label>
          k{' '}
          <input data-testid="spec-k" type="number" min={1} max={8} value={k} onChange={(e) => setK(Math.max(1, Math.min(8, Math.round(Number(e.target.value) || 1))))} />
        </label>
        <button type="button" data-testid="spec-run" disabled={!info || busy || beam || server || !usable} onClick={() => void controller.runSpeculative(drafter, k)}>
          {t('spec.run')}
        </button>
      </div>
      <div className="tf-tools">
        <label>
          {t('spec.draftModel')}{' '}
          <select data-testid="spec-draft-source" value={draftWhich} onChange={(e) => setDraftWhich(e.target.value as 'self' | 'hub')}>
            <option value="self">{t('spec.draft.self')}</option>
            <option value="hub">{t('spec.draft.hub')}</option>
          </select>
        </label>
        {draftWhich === 'hub' && (
          <input data-testid="spec-draft-id" type="text" aria-label={t('spec.draft.hub')} placeholder="org/model" value={draftId} onChange={(e) => setDraftId(e.target.value)} />
        )}
        <button type="button" data-testid="spec-draft-load" disabled={!info || busy || server || draftLoading || (draftWhich === 'hub' && draftId.trim() === '')} onClick={loadDraft}>
          {t('spec.draft.load')}
        </button>
        {draft && (
          <button type="button" data-testid="spec-draft-remove" disabled={busy || draftLoading} onClick={() => void controller.loadDraft(null)}>
            {t('spec.draft.remove')}
          </button>
        )}
      </div>
      <p className="muted" data-testid="spec-draft-status" data-state={draftLoading ? 'loading' : draftError ? 'error' : draft ? 'loaded' : 'none'} aria-live="polite">
        {draftLoading ? t('spec.draft.loading') : draft ? t('spec.draft.loaded', { id: draft.id }) : t('spec.draft.none')}
      </p>
      {draftError && (
        <p className="field-error" role="alert" data-testid="spec-draft-error" data-code={draftError.code}>
          {t(`error.${draftError.code}` as MessageKey, { message: draftError.message })}
        </p>
      )}
      {beam && <p className="muted" data-testid="spec-beam-off">{t('spec.beamOff')}</p>}
      {server && (
        <p className="muted" data-testid="spec-server-off">
          {t('spec.serverOff')}
        </p>
      )}
      {run && (
        <>
          <p data-testid="spec-summary">
            {t('spec.summary', { tokens, forwards: run.targetForwards, perForward: (tokens / Math.max(1, run.targetForwards)).toLocaleString(locale, { maximumFractionDigits: 2 }) })}
          </p>
          <ol className="spec-rounds">
            {run.rounds.map((r, i) => (
              <li key={i} data-testid="spec-round" data-proposed={r.proposed} data-accepted={r.accepted} data-forward-count={r.forwardCount}>
                <span className="muted">{t('spec.round', { n: i + 1, accepted: r.accepted, proposed: r.proposed })}</span>{' '}
                {r.tokens.map((tok, j) => (
                  <span
                    key={j}
                    className={`chip spec-${tok.state}`}
                    data-testid="spec-token"
                    data-state={tok.state}
                    data-token-id={tok.tokenId}
                    data-p={tok.p}
                    data-q={tok.q}
                    title={`${t(`spec.state.${tok.state}`)} · p ${formatPercent(tok.p, locale)} · q ${formatPercent(tok.q, locale)}`}
                    aria-label={`${info ? singleTokenLabel(info, tok.tokenId).label : tok.tokenId}: ${t(`spec.state.${tok.state}`)} · p ${formatPercent(tok.p, locale)} · q ${formatPercent(tok.q, locale)}`}
                  >
                    {info ? singleTokenLabel(info, tok.tokenId).label : tok.tokenId}
                  </span>
                ))}
              </li>
            ))}
          </ol>
        </>
      )}
    </PanelSection>
  );
}
