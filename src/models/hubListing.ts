/**
 * A Hub repository's file list (paths and sizes) from the Hub or a Hub-compatible mirror, for
 * `analyzeLayout`. First the Hub's model API (`GET {host}api/models/{id}/revision/{rev}?blobs=true`,
 * `siblings[].rfilename` / `.size`, documented at huggingface.co/docs/hub/api); when a host does not serve
 * the API, the conventional ONNX names are probed with one-byte range requests, as transformers.js 4.3.1's
 * `ModelRegistry.get_available_dtypes` does (sizes from `Content-Range`).
 * The answer is untrusted: only string paths and finite non-negative sizes are kept.
 */
import { DTYPE_SUFFIX, type ListedFile } from './layout.ts';

export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;

/** Where the list came from: the model API, or probing file names one by one. */
export interface HubListing {
  files: ListedFile[];
  via: 'api' | 'probe';
}

/** `{host}{id}/resolve/{revision}/{file}`: transformers.js's default `remotePathTemplate`. */
export function resolveUrl(host: string, modelId: string, revision: string, file: string): string {
  return `${withSlash(host)}${modelId}/resolve/${encodeURIComponent(revision)}/${file}`;
}

/** A host URL ending with one slash. */
export function withSlash(host: string): string {
  return host.endsWith('/') ? host : `${host}/`;
}

/** Reads the model API's JSON, keeping well-formed entries only. */
export function parseApiSiblings(json: unknown): ListedFile[] | null {
  if (!json || typeof json !== 'object') return null;
  const siblings = (json as { siblings?: unknown }).siblings;
  if (!Array.isArray(siblings)) return null;
  const out: ListedFile[] = [];
  for (const s of siblings) {
    if (!s || typeof s !== 'object') continue;
    const { rfilename, size, lfs } = s as { rfilename?: unknown; size?: unknown; lfs?: { size?: unknown } };
    if (typeof rfilename !== 'string' || rfilename.length > 500 || rfilename.includes('..')) continue;
    const n = typeof size === 'number' ? size : typeof lfs?.size === 'number' ? lfs.size : undefined;
    out.push({ path: rfilename, size: n !== undefined && Number.isFinite(n) && n >= 0 ? n : undefined });
  }
  return out;
}

/** Total size from a `Content-Range: bytes 0-0/12345` header, or the Content-Length of a full answer. */
function probedSize(r: Response): number | undefined {
  const m = /\/(\d+)\s*$/.exec(r.headers.get('content-range') ?? '');
  const n = m ? Number(m[1]) : r.status === 200 ? Number(r.headers.get('content-length') ?? NaN) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

async function probe(fetchFn: FetchLike, url: string, signal?: AbortSignal): Promise<ListedFile['size'] | null> {
  const r = await fetchFn(url, { headers: { Range: 'bytes=0-0' }, signal });
  if (r.status === 404 || r.status === 401 || r.status === 403) {
    await r.body?.cancel();
    return null;
  }
  if (!r.ok) throw new Error(`HTTP ${r.status} for ${url}`);
  await r.body?.cancel();
  return probedSize(r) ?? undefined;
}

/**
 * Probes the names a causal LM can have: `onnx/model{suffix}.onnx` for every dtype, else the merged and
 * split decoder names; then the external data chunks of what exists and the config/tokenizer files.
 * About 15–30 requests of one byte each.
 */
async function probeFiles(fetchFn: FetchLike, base: (f: string) => string, signal?: AbortSignal): Promise<ListedFile[]> {
  const out: ListedFile[] = [];
  const tryAll = async (names: string[]) => {
    const sizes = await Promise.all(names.map((n) => probe(fetchFn, base(n), signal)));
    const found = names.flatMap((n, i) => (sizes[i] === null ? [] : [{ path: n, size: sizes[i] ?? undefined }]));
    out.push(...found);
    return found;
  };
  const suffixes = Object.values(DTYPE_SUFFIX);
  let onnx = await tryAll(suffixes.map((s) => `onnx/model${s}.onnx`));
  if (!onnx.length) onnx = await tryAll([...suffixes.map((s) => `onnx/decoder_model_merged${s}.onnx`), 'onnx/decoder_model.onnx', 'onnx/decoder_with_past_model.onnx']);
  await Promise.all(
    onnx.map(async (f) => {
      for (let i = 0; i < 16; i++) {
        const found = await tryAll([`${f.path}_data${i === 0 ? '' : `_${i}`}`]);
        if (!found.length) break;
      }
    }),
  );
  await tryAll(['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json']);
  return out;
}

/**
 * Lists a repository.
 * @param host e.g. `https://huggingface.co/` or a mirror (`https://hf-mirror.com/`)
 * @throws Error when the host cannot be reached (the fetch's own TypeError, e.g. a CSP block or no network)
 *   or answers neither the API nor the probes.
 */
export async function fetchHubListing(host: string, modelId: string, revision = 'main', fetchFn: FetchLike = fetch, signal?: AbortSignal): Promise<HubListing> {
  const h = withSlash(host);
  const api = `${h}api/models/${modelId}${revision === 'main' ? '' : `/revision/${encodeURIComponent(revision)}`}?blobs=true`;
  const r = await fetchFn(api, { signal });
  if (r.ok) {
    const files = parseApiSiblings(await r.json().catch(() => null));
    if (files) return { files, via: 'api' };
  } else await r.body?.cancel();
  return { files: await probeFiles(fetchFn, (f) => resolveUrl(h, modelId, revision, f), signal), via: 'probe' };
}
