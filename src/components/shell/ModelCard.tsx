import { useApp } from '../../store/store.ts';
import { controller } from '../../store/controller.ts';
import { useT } from '../useT.ts';
import { EmbeddedCard } from '../models/EmbeddedCard.tsx';
import { PrivacyLine } from './PrivacyLine.tsx';

/** The loaded model's card (rendered as plain text: it is untrusted data). */
export function ModelCard() {
  const { t } = useT();
  const show = useApp((s) => s.showCard);
  const info = useApp((s) => s.info);
  if (!show || !info) return null;
  return (
    <div
      className="modal"
      role="dialog"
      aria-modal="true"
      aria-label={t('card.title', { id: info.id })}
      onKeyDown={(e) => {
        if (e.key === 'Escape') controller.setShowCard(false);
        if (e.key === 'Tab') {
          // focus stays inside the dialog: cycle through its controls (Close, the developer details)
          const items = Array.from(e.currentTarget.querySelectorAll<HTMLElement>('button, summary'));
          const i = items.indexOf(document.activeElement as HTMLElement);
          e.preventDefault();
          items[(i + (e.shiftKey ? items.length - 1 : 1)) % items.length]?.focus();
        }
      }}
    >
      <div className="modal-body">
        <h2>{t('card.title', { id: info.id })}</h2>
        <PrivacyLine className="privacy" />
        {info.sourceKind === 'embedded' ? (
          <>
            <EmbeddedCard />
            {info.modelCard && (
              <details>
                <summary>{t('card.developer')}</summary>
                <pre className="card-text" lang="en">
                  {info.modelCard}
                </pre>
              </details>
            )}
          </>
        ) : (
          <pre className="card-text">{info.modelCard ?? t('card.none')}</pre>
        )}
        <button type="button" autoFocus onClick={() => controller.setShowCard(false)}>
          {t('card.close')}
        </button>
      </div>
    </div>
  );
}
