import { useApp } from '../../store/store.ts';
import { controller } from '../../store/controller.ts';
import { useView, viewActions } from '../../store/view.ts';
import { useT } from '../useT.ts';

/** "New session", asked first: the tree explored so far is cleared only after a confirmation. */
export function NewSessionButton() {
  const { t } = useT();
  const ready = useApp((s) => s.status === 'ready');
  const asking = useView((s) => s.confirmNewSession);
  return (
    <span className="new-session">
      <button type="button" data-testid="new-session" aria-expanded={asking} onClick={() => viewActions.askNewSession(!asking)} disabled={!ready}>
        {t('session.new')}
      </button>
      {asking && (
        <span className="confirm" role="alertdialog" aria-labelledby="new-session-q">
          <span id="new-session-q">{t('session.newConfirm')}</span>
          <button
            type="button"
            data-testid="new-session-confirm"
            onClick={() => {
              viewActions.askNewSession(false);
              void controller.newSession();
            }}
          >
            {t('session.newYes')}
          </button>
          <button type="button" onClick={() => viewActions.askNewSession(false)}>
            {t('session.newCancel')}
          </button>
        </span>
      )}
    </span>
  );
}
