import { useEffect } from 'react';
import { useApp } from '../../store/store.ts';
import { controller } from '../../store/controller.ts';
import { useT } from '../useT.ts';
import { cachedDtypes } from '../../models/browserCache.ts';
import { formatBytes } from './formatBytes.ts';
import { PersistStatus } from './PersistStatus.tsx';
import { SaveFolderButton } from './SaveFolderButton.tsx';

/**
 * The hub models kept in this browser's Cache Storage (by transformers.js): each with its size,
 * a Load button (works offline from the cache) and a Delete button.
 */
export function CachedModels() {
  const { t, locale } = useT();
  const models = useApp((s) => s.cachedModels);
  const error = useApp((s) => s.cacheError);
  const status = useApp((s) => s.status);
  const devicePref = useApp((s) => s.devicePref);

  useEffect(() => {
    void controller.refreshCachedModels();
  }, []);

  const total = (models ?? []).reduce((s, m) => s + m.bytes, 0);
  return (
    <details className="cached-models" data-testid="cached-models" data-count={models?.length ?? 0} onToggle={(e) => e.currentTarget.open && void controller.refreshCachedModels()}>
      <summary>{t('models.cached.title', { count: models?.length ?? 0 })}</summary>
      {error && <p className="warn">{error === 'unavailable' ? t('models.cached.unavailable') : t('models.cached.error', { message: error })}</p>}
      {models && models.length === 0 && !error && <p>{t('models.cached.empty')}</p>}
      {models && models.length > 0 && (
        <>
          <ul>
            {models.map((m) => {
              const dtype = cachedDtypes(m.files)[0];
              // a cancelled or interrupted download leaves some files: it cannot load until downloaded again
              const complete = dtype !== undefined && m.files.includes('config.json') && m.files.includes('tokenizer.json');
              return (
                <li key={`${m.host} ${m.modelId}`} data-testid="cached-model" data-model-id={m.modelId} data-bytes={m.bytes} data-files={m.files.length}>
                  <span className="cached-id" title={m.host}>
                    {m.modelId}
                  </span>{' '}
                  <span className="cached-size">{t('models.cached.summary', { size: formatBytes(m.bytes, locale), count: m.files.length })}</span>{' '}
                  {!complete && (
                    <span className="warn" data-testid="cached-model-incomplete">
                      {t('models.cached.incomplete')}
                    </span>
                  )}{' '}
                  <button
                    type="button"
                    data-testid="cached-model-load"
                    disabled={status === 'loading' || !complete}
                    onClick={() => void controller.loadModel({ kind: 'hub', modelId: m.modelId, host: m.host, ...(dtype ? { dtype } : {}) }, devicePref)}
                  >
                    {t('model.load')}
                  </button>{' '}
                  <button
                    type="button"
                    data-testid="cached-model-delete"
                    aria-label={t('models.cached.deleteLabel', { model: m.modelId })}
                    onClick={() => void controller.deleteCachedModel(m)}
                  >
                    {t('models.cached.delete')}
                  </button>{' '}
                  {complete && <SaveFolderButton model={m} />}
                </li>
              );
            })}
          </ul>
          <p>{t('models.cached.total', { size: formatBytes(total, locale) })}</p>
          <PersistStatus />
        </>
      )}
    </details>
  );
}
