import { useState } from 'react';
import { useT } from '../useT.ts';
import { saveCachedModel, writableDirectoryPicker } from '../../models/saveFolder.ts';
import type { CachedModel } from '../../models/browserCache.ts';

/**
 * "Save as folder" for a downloaded model (test id `model-save-folder`): writes its cached files into a
 * folder the user picks, streamed file by file; says so where the browser cannot write folders.
 */
export function SaveFolderButton({ model }: { model: CachedModel }) {
  const { t } = useT();
  const [msg, setMsg] = useState<{ text: string; state: 'saving' | 'done' | 'error' | 'missing' } | null>(null);
  const save = async () => {
    const pick = writableDirectoryPicker();
    if (!pick || typeof caches === 'undefined') {
      setMsg({ text: t('models.saveFolderMissing'), state: 'missing' });
      return;
    }
    try {
      const root = await pick();
      const r = await saveCachedModel(caches, model, root, (file, i, n) => setMsg({ text: t('models.saveFolderProgress', { file, index: i + 1, count: n }), state: 'saving' }));
      setMsg({ text: t('models.saveFolderDone', { count: r.files, folder: r.folder }), state: 'done' });
    } catch (e) {
      if (e instanceof DOMException && e.name === 'AbortError') return setMsg(null); // picker closed
      setMsg({ text: t('models.saveFolderFailed', { message: e instanceof Error ? e.message : String(e) }), state: 'error' });
    }
  };
  return (
    <>
      <button type="button" data-testid="model-save-folder" aria-label={t('models.saveFolderLabel', { model: model.modelId })} onClick={() => void save()}>
        {t('models.saveFolder')}
      </button>
      {msg && (
        <span className={msg.state === 'error' || msg.state === 'missing' ? 'warn' : 'muted'} data-testid="model-save-status" data-state={msg.state} role="status">
          {' '}
          {msg.text}
        </span>
      )}
    </>
  );
}
