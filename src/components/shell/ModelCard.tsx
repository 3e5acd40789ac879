import { useApp } from '../../store/store.ts';
import { controller } from '../../store/controller.ts';
import { useT } from '../useT.ts';

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
        if (e.key === 'Tab') e.preventDefault(); // one control inside: focus stays on Close
      }}
    >
      <div className="modal-body">
        <h2>{t('card.title', { id: info.id })}</h2>
        <p className="privacy">{t('app.privacy')}</p>
        <pre className="card-text">{info.modelCard ?? t('card.none')}</pre>
        <button type="button" autoFocus onClick={() => controller.setShowCard(false)}>
          {t('card.close')}
        </button>
      </div>
    </div>
  );
}
