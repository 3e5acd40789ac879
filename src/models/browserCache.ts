/**
 * The models downloaded from a hub and kept in the browser's Cache Storage by transformers.js.
 *
 * transformers.js (4.x, `env.useBrowserCache`) stores every hub file it downloads in the cache named
 * `env.cacheKey` (default `transformers-cache`), keyed by the file's remote URL
 * `{remoteHost}{model id}/resolve/{revision}/{file}`. These helpers read that cache on the main
 * thread (the worker shares it: same origin), group the entries by model id and delete them.
 */

import { analyzeLayout } from './layout.ts';

/** The Cache Storage cache transformers.js writes to (its default `env.cacheKey`). */
export const TRANSFORMERS_CACHE = 'transformers-cache';

/** One cached hub model. */
export interface CachedModel {
  /** Hub model id, `owner/name`. */
  modelId: string;
  /** The hub the files came from, e.g. `https://huggingface.co/` (ends with a slash). */
  host: string;
  /** Cached file paths inside the repository, sorted (`config.json`, `onnx/model_q4f16.onnx`, …). */
  files: string[];
  /** Sum of the cached files' sizes, in bytes. */
  bytes: number;
}

/**
 * Splits a cached file URL into hub host, model id and file path.
 * @returns null for a URL that is not in the Hub layout `{host}{owner}/{name}/resolve/{revision}/{file}`.
 */
export function parseHubFileUrl(url: string): { host: string; modelId: string; file: string } | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  const m = /^(.*?\/)([^/]+\/[^/]+)\/resolve\/[^/]+\/(.+)$/.exec(decodeURIComponent(u.pathname));
  if (!m) return null;
  return { host: `${u.origin}${m[1]}`, modelId: m[2], file: m[3] };
}

/**
 * Groups cached files by (host, model id), summing sizes; sorted by model id.
 * @param entries cached URLs with their size in bytes (non-Hub URLs are skipped)
 */
export function groupCachedFiles(entries: readonly { url: string; bytes: number }[]): CachedModel[] {
  const byKey = new Map<string, CachedModel>();
  for (const { url, bytes } of entries) {
    const p = parseHubFileUrl(url);
    if (!p) continue;
    const key = `${p.host}\u0000${p.modelId}`;
    const m = byKey.get(key) ?? { modelId: p.modelId, host: p.host, files: [], bytes: 0 };
    m.files.push(p.file);
    m.bytes += bytes;
    byKey.set(key, m);
  }
  const out = [...byKey.values()];
  for (const m of out) m.files.sort();
  return out.sort((a, b) => a.modelId.localeCompare(b.modelId) || a.host.localeCompare(b.host));
}

/** Size of a cached response in bytes: its Content-Length, else the body's size (read once). */
async function responseBytes(r: Response): Promise<number> {
  const n = Number(r.headers.get('content-length'));
  if (Number.isFinite(n) && n > 0) return n;
  return (await r.blob()).size;
}

/**
 * Lists the models in the transformers.js cache.
 * @param storage the browser's `caches` (CacheStorage); an absent cache gives an empty list.
 * @throws whatever Cache Storage throws (e.g. SecurityError when storage is disabled).
 */
export async function listCachedModels(storage: CacheStorage, cacheName = TRANSFORMERS_CACHE): Promise<CachedModel[]> {
  if (!(await storage.has(cacheName))) return [];
  const cache = await storage.open(cacheName);
  const entries: { url: string; bytes: number }[] = [];
  for (const req of await cache.keys()) {
    const res = await cache.match(req);
    if (res) entries.push({ url: req.url, bytes: await responseBytes(res) });
  }
  return groupCachedFiles(entries);
}

/**
 * Deletes every cached file of one model from one host.
 * @returns the number of cache entries removed.
 */
export async function deleteCachedModel(storage: CacheStorage, model: { modelId: string; host: string }, cacheName = TRANSFORMERS_CACHE): Promise<number> {
  if (!(await storage.has(cacheName))) return 0;
  const cache = await storage.open(cacheName);
  let n = 0;
  for (const req of await cache.keys()) {
    const p = parseHubFileUrl(req.url);
    if (p && p.modelId === model.modelId && p.host === model.host && (await cache.delete(req))) n++;
  }
  return n;
}

/**
 * The dtypes whose ONNX weights are among a model's cached files, read with `analyzeLayout` (every
 * transformers.js suffix; `onnx/model*.onnx`, else Optimum's `decoder_model_merged*.onnx`), in DTYPE_ORDER.
 */
export function cachedDtypes(files: readonly string[]): string[] {
  return analyzeLayout(files.map((path) => ({ path }))).dtypes.map((d) => d.dtype);
}
