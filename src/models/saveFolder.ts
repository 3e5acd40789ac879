/**
 * "Save as folder": writes a downloaded model from Cache Storage into a folder the user picks (File System
 * Access API: `showDirectoryPicker({ mode: 'readwrite' })`, Chromium), file by file and streamed (each
 * response body is piped into the file's writable stream, so a 1 GB weight file is never held in memory).
 * The folder (`{folder}/{model name}/config.json`, `onnx/…`) is what the folder loader takes back, e.g. on
 * every PC of a classroom without internet.
 */
import { TRANSFORMERS_CACHE, parseHubFileUrl, type CachedModel } from './browserCache.ts';

/** The parts of FileSystemDirectoryHandle / FileSystemFileHandle used here. */
export interface WritableDirectoryLike {
  readonly name: string;
  getDirectoryHandle(name: string, opts: { create: boolean }): Promise<WritableDirectoryLike>;
  getFileHandle(name: string, opts: { create: boolean }): Promise<{ createWritable(): Promise<WritableStream<Uint8Array>> }>;
}

/** The read-write directory picker, or null where the File System Access API is missing (Firefox, Safari). */
export function writableDirectoryPicker(): (() => Promise<WritableDirectoryLike>) | null {
  const w = globalThis as unknown as { showDirectoryPicker?: (o?: object) => Promise<WritableDirectoryLike> };
  return typeof w.showDirectoryPicker === 'function' ? () => w.showDirectoryPicker!({ mode: 'readwrite' }) : null;
}

/** A file path's segments when every one is a plain name (no `..`, no empty part), else null. */
export function safeSegments(path: string): string[] | null {
  const parts = path.split('/');
  return parts.every((p) => p && p !== '.' && p !== '..' && !p.includes('\\')) ? parts : null;
}

/**
 * Writes every cached file of a model under `root/{model name}/`.
 * @param onFile called before each file (path inside the repository, index, count)
 * @returns the folder's name and the number of files written
 * @throws whatever Cache Storage or the file system throws (permission, quota)
 */
export async function saveCachedModel(
  storage: CacheStorage,
  model: Pick<CachedModel, 'modelId' | 'host'>,
  root: WritableDirectoryLike,
  onFile?: (path: string, index: number, count: number) => void,
  cacheName = TRANSFORMERS_CACHE,
): Promise<{ folder: string; files: number }> {
  const cache = await storage.open(cacheName);
  const entries: { req: Request; file: string[] }[] = [];
  for (const req of await cache.keys()) {
    const p = parseHubFileUrl(req.url);
    const segs = p && p.modelId === model.modelId && p.host === model.host ? safeSegments(p.file) : null;
    if (segs) entries.push({ req, file: segs });
  }
  const folder = model.modelId.split('/').pop()!;
  const base = await root.getDirectoryHandle(folder, { create: true });
  let n = 0;
  for (const { req, file } of entries) {
    onFile?.(file.join('/'), n, entries.length);
    let dir = base;
    for (const d of file.slice(0, -1)) dir = await dir.getDirectoryHandle(d, { create: true });
    const res = await cache.match(req);
    if (!res?.body) continue;
    const writable = await (await dir.getFileHandle(file[file.length - 1], { create: true })).createWritable();
    await res.body.pipeTo(writable); // closes the file when the body ends
    n++;
  }
  return { folder, files: n };
}
