import { useApp } from '../../store/store.ts';
import { applyUpdate } from '../../pwa/register.ts';
import { useT } from '../useT.ts';

/** Shown when a new version of the app is installed and waits: one button reloads into it. */
export function UpdateNotice() {
  const { t } = useT();
  const ready = useApp((s) => s.updateReady);
  if (!ready) return null;
  return (
    <div className="errors">
      <div className="notice" role="status" data-testid="update-ready">
        <span>{t('update.ready')}</span>{' '}
        <button type="button" data-testid="update-reload" onClick={() => applyUpdate()}>
          {t('update.reload')}
        </button>
      </div>
    </div>
  );
}
