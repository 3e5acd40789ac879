/**
 * The file list of a model source for `planLoad`: a folder's files (always known), a Hub repository's
 * listing (API or probes, see hubListing.ts), nothing for the embedded model (its config names its dtype).
 */
import { fetchHubListing, type FetchLike } from './hubListing.ts';
import type { ListedFile } from './layout.ts';
import { listCachedModels } from './browserCache.ts';
import type { ModelSource } from '../worker/protocol.ts';

/** The host a hub source downloads from (`?hubHost=` or the picker's setting fills `source.host`). */
export const DEFAULT_HUB_HOST = 'https://huggingface.co/';

/**
 * @param folderFiles a folder's files by relative path (from `relativePath`), for `kind: 'folder'`
 * @returns the list, or null when it is unknown (embedded model; a hub host whose listing failed —
 *   offline with the model in Cache Storage, say — so the load falls back to the config hint)
 */
export async function sourceListing(
  source: ModelSource,
  folderFiles: ReadonlyMap<string, { size: number }> | null,
  fetchFn: FetchLike = (u, i) => fetch(u, i),
): Promise<ListedFile[] | null> {
  if (source.kind === 'folder') return folderFiles ? [...folderFiles].map(([path, f]) => ({ path, size: f.size })) : null;
  if (source.kind === 'embedded') return null;
  const host = source.host ?? DEFAULT_HUB_HOST;
  try {
    return (await fetchHubListing(host, source.modelId, source.revision ?? 'main', fetchFn)).files;
  } catch {
    // offline: the files this browser kept (Cache Storage) are the list
    try {
      const kept = typeof caches !== 'undefined' ? (await listCachedModels(caches)).find((m) => m.modelId === source.modelId && m.host === host) : undefined;
      return kept ? kept.files.map((path) => ({ path })) : null;
    } catch {
      return null;
    }
  }
}
