/**
 * Cross-origin isolation added by the service worker, for static hosts that cannot send headers.
 *
 * `SharedArrayBuffer`, and with it multi-threaded ONNX Runtime WebAssembly, needs the page to be
 * cross-origin isolated: the document served with `Cross-Origin-Opener-Policy: same-origin` and
 * `Cross-Origin-Embedder-Policy: require-corp` (HTML standard, "cross-origin isolation"). A service
 * worker may answer a navigation with a copy of the response that carries those headers (the technique
 * known as "coi-serviceworker"); this module builds that copy. Pure: no service-worker globals, so it
 * is unit-tested in Node.
 */

/** The headers a cross-origin isolated page (and its same-origin workers and scripts) is served with. */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/**
 * Returns `response` with the isolation headers added, or `response` itself when it cannot or need not
 * change: an opaque or error response (status 0, its headers are not ours to copy), or one that already
 * carries `Cross-Origin-Embedder-Policy` (the host sends the headers; its values win).
 * `extra` headers (e.g. a Content-Security-Policy for worker scripts) are added only when missing too.
 * The body is streamed, not copied.
 */
export function withIsolationHeaders(response: Response, extra: Readonly<Record<string, string>> = {}): Response {
  if (response.type === 'opaque' || response.type === 'opaqueredirect' || response.type === 'error' || response.status === 0) return response;
  if (response.headers.has('Cross-Origin-Embedder-Policy')) return response;
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries({ ...ISOLATION_HEADERS, ...extra })) if (!headers.has(name)) headers.set(name, value);
  // 101, 204, 205 and 304 responses may not carry a body
  const body = [101, 204, 205, 304].includes(response.status) ? null : response.body;
  return new Response(body, { status: response.status, statusText: response.statusText, headers });
}
