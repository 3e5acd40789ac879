/**
 * The download host: the Hugging Face Hub or a Hub-compatible mirror serving the same URL layout
 * (`{host}{model id}/resolve/{revision}/{file}`, e.g. hf-mirror.com). Chosen in the model picker
 * (test id `hub-host`), remembered in localStorage, overridable by `?hubHost=` (the e2e tests' local hub).
 * The CSP admits every https host and loopback http (src/csp.ts, docs/DEPLOY.md).
 */
import { DEFAULT_HUB_HOST } from './sourceListing.ts';

export { DEFAULT_HUB_HOST };
const STORAGE_KEY = 'tbt.hubHost';

/** Hosts offered in the picker's list (any other https host can be typed). */
export const KNOWN_HOSTS: readonly string[] = [DEFAULT_HUB_HOST, 'https://hf-mirror.com/'];

/**
 * Normalises a typed host: adds `https://` when no scheme is given, keeps origin + path, ends with '/'.
 * @returns null unless it is https, or http on loopback (localhost, 127.0.0.1) — the hosts the CSP admits (Chromium rejects an IPv6 literal such as http://[::1]:* in a CSP source list).
 */
export function normalizeHost(input: string): string | null {
  const t = input.trim();
  if (!t) return null;
  let u: URL;
  try {
    u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(t) ? t : `https://${t}`);
  } catch {
    return null;
  }
  const loopback = ['localhost', '127.0.0.1'].includes(u.hostname);
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && loopback)) return null;
  if (u.username || u.password || u.search || u.hash) return null;
  const path = u.pathname.endsWith('/') ? u.pathname : `${u.pathname}/`;
  return `${u.origin}${path}`;
}

interface StorageLike {
  getItem(k: string): string | null;
  setItem(k: string, v: string): void;
  removeItem(k: string): void;
}

function storage(): StorageLike | null {
  try {
    return typeof localStorage !== 'undefined' ? localStorage : null;
  } catch {
    return null; // storage blocked (privacy settings): the setting lasts for this page only
  }
}

/** The remembered host, the default when none or when the stored value is not a valid host. */
export function savedHost(s: StorageLike | null = storage()): string {
  const v = s?.getItem(STORAGE_KEY);
  return (v && normalizeHost(v)) || DEFAULT_HUB_HOST;
}

/** Remembers a host (the default is stored as "no setting"). @returns the normalised host, or null when invalid (nothing stored). */
export function saveHost(input: string, s: StorageLike | null = storage()): string | null {
  const h = normalizeHost(input);
  if (!h) return null;
  if (h === DEFAULT_HUB_HOST) s?.removeItem(STORAGE_KEY);
  else s?.setItem(STORAGE_KEY, h);
  return h;
}

/** Host of a page URL's `?hubHost=` parameter when valid, else null. */
export function hostFromQuery(search: string): string | null {
  const q = new URLSearchParams(search).get('hubHost');
  return q ? normalizeHost(q) : null;
}

/** The host downloads use: `?hubHost=` first, then the remembered setting. */
export function effectiveHost(search: string, s: StorageLike | null = storage()): string {
  return hostFromQuery(search) ?? savedHost(s);
}

/**
 * Text appended to a download error: which host was asked and that the download-host setting chooses it
 * (English, like the other worker messages; the picker shows the translated hint beside it).
 */
export function hostProblem(host: string | undefined, detail: string): string {
  const h = host ?? DEFAULT_HUB_HOST;
  const blocked = /Failed to fetch|NetworkError|Load failed|fetch failed/i.test(detail);
  return ` — download host ${h}${blocked ? ' could not be reached (offline, blocked by the network, or refused by the page’s security policy)' : ''}; change it in the download host setting`;
}

/** True for the Hugging Face Hub itself (privacy line: downloads then come from huggingface.co). */
export function isDefaultHost(host: string): boolean {
  return host === DEFAULT_HUB_HOST;
}
