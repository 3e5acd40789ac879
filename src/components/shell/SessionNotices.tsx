import { useApp } from '../../store/store.ts';
import { controller } from '../../store/controller.ts';
import { useT } from '../useT.ts';

/** Storage failures, a saved session of another model, an unreadable saved session. */
export function SessionNotices() {
  const { t } = useT();
  const storage = useApp((s) => s.storageNotice);
  const pending = useApp((s) => s.readOnly);
  const problem = useApp((s) => s.sessionProblem);
  const source = useApp((s) => s.sessionProblemSource);
  if (!storage && !pending && !problem) return null;
  return (
    <div className="errors">
      {storage && (
        <div className="notice" role="status" data-testid="storage-notice">
          {t('session.storageFailed', { message: storage })}
        </div>
      )}
      {problem && (
        <div className="error" role="alert" data-testid="error-message" data-code="session">
          <span>{t(source === 'share' ? 'share.invalid' : source === 'import' ? 'session.importInvalid' : 'session.invalid', { message: problem })}</span>
          <button type="button" onClick={() => controller.dismissSessionProblem()}>
            {t('error.dismiss')}
          </button>
        </div>
      )}
      {pending && (
        <div className="notice" role="status" data-testid="read-only-session">
          <span>{t('session.readOnly', { model: pending.modelId })}</span>{' '}
          {pending.sourceKind !== 'folder' && (pending.sourceKind !== 'server' || pending.host) && (
            <button type="button" data-testid="session-reconnect" onClick={() => void controller.loadPendingModel()}>
              {pending.host ? t('session.reconnect', { model: pending.modelId, host: pending.host }) : t('session.loadModel', { model: pending.modelId })}
            </button>
          )}{' '}
          <button type="button" onClick={() => void controller.newSession()}>
            {t('session.new')}
          </button>
        </div>
      )}
    </div>
  );
}
