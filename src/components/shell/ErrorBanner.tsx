import { useApp, type AppError } from '../../store/store.ts';
import { controller } from '../../store/controller.ts';
import { useT } from '../useT.ts';
import { hostStore } from '../../models/hostStore.ts';
import type { MessageKey } from '../../i18n/en.ts';
import { serverErrorText } from '../models/serverMessage.ts';

/** Every user-facing error, translated by its code. */
export function ErrorBanner() {
  const { t } = useT();
  const error = useApp((s) => s.error);
  const loadError = useApp((s) => s.loadError);
  const promptError = useApp((s) => s.promptError);
  // after a failed load the previous model keeps working: say which one
  const loaded = useApp((s) => (s.status === 'ready' ? (s.info?.id ?? null) : null));
  const serverUrl = useApp((s) => (s.source?.kind === 'server' ? s.source.url : null));
  // a server's error in the user's language (its code's message), not the server module's English detail
  const text = (e: AppError) => t(`error.${e.code}` as MessageKey, { message: e.code === 'server' ? serverErrorText(t, e.message, e === loadError ? null : serverUrl) : e.message });
  const shown: [AppError, () => void][] = [];
  if (loadError) shown.push([loadError, () => controller.dismissError('loadError')]);
  if (promptError) shown.push([promptError, () => {}]);
  if (error) shown.push([error, () => controller.dismissError('error')]);
  if (shown.length === 0) return null;
  return (
    <div className="errors">
      {shown.map(([e, dismiss], i) => (
        <div key={i} className="error" role="alert" data-testid="error-message" data-code={e.code}>
          <span>
            {text(e)}
            {e === loadError && loaded && ` ${t('error.stillLoaded', { model: loaded })}`}
            {e === loadError && e.code === 'model-fetch' && <span data-testid="error-host-hint"> {t('error.hostHint', { host: hostStore.getState().host })}</span>}
          </span>
          {e !== promptError && (
            <button type="button" onClick={dismiss}>
              {t('error.dismiss')}
            </button>
          )}
        </div>
      ))}
    </div>
  );
}
