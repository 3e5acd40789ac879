/**
 * Persistent storage for downloaded models (`navigator.storage.persist()`, Storage Standard): without it the
 * browser may evict Cache Storage (the downloaded weights) when the disk runs low.
 */
export type PersistState = 'granted' | 'denied' | 'unavailable';

interface StorageManagerLike {
  persisted?(): Promise<boolean>;
  persist?(): Promise<boolean>;
}

/**
 * Asks once (a no-op when already granted).
 * @param storage `navigator.storage` (undefined on insecure origins and old browsers)
 * @returns what the browser answered; 'unavailable' when it has no Storage API or the call fails
 */
export async function requestPersistence(storage: StorageManagerLike | undefined): Promise<PersistState> {
  if (!storage?.persist) return 'unavailable';
  try {
    if (storage.persisted && (await storage.persisted())) return 'granted';
    return (await storage.persist()) ? 'granted' : 'denied';
  } catch {
    return 'unavailable';
  }
}
