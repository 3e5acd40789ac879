import { useEffect, useState } from 'react';
import { useT } from '../useT.ts';
import { requestPersistence, type PersistState } from '../../models/persist.ts';

/**
 * Asks the browser to keep downloaded models (`navigator.storage.persist()`) once there is a download,
 * and shows its answer (test id `storage-persist`, `data-state` granted / denied / unavailable).
 */
export function PersistStatus() {
  const { t } = useT();
  const [state, setPersist] = useState<PersistState | null>(null);
  useEffect(() => {
    let live = true;
    void requestPersistence(typeof navigator !== 'undefined' ? navigator.storage : undefined).then((s) => live && setPersist(s));
    return () => {
      live = false;
    };
  }, []);
  if (!state) return null;
  return (
    <p className={state === 'granted' ? 'muted' : 'warn'} data-testid="storage-persist" data-state={state}>
      {t(`models.persist.${state}`)}
    </p>
  );
}
