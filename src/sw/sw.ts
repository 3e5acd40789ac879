/// <reference lib="webworker" />
/**
 * The app's one service worker (built by vite-plugin-pwa, `injectManifest` strategy). Two jobs in one
 * scope, because two service workers cannot own the same scope:
 *
 * 1. Offline: precaches the app shell, the ONNX Runtime WebAssembly build used on the WASM device and
 *    the embedded model (the list `self.__WB_MANIFEST` is written in at build time), so a second visit
 *    loads without the network. The larger asyncify ONNX Runtime build (WebGPU only) is cached the
 *    first time it is used. Hub models are never touched here: they are cross-origin requests, which
 *    this worker does not intercept; transformers.js keeps them in its own Cache Storage.
 * 2. Isolation: every response it serves (documents, scripts, workers) gets the COOP/COEP headers when
 *    the host did not send them, so the page becomes cross-origin isolated on hosts that cannot set
 *    headers (see `isolation.ts`; the page reloads once when it is not, see `src/pwa/register.ts`).
 *
 * Updates: a new version waits until every tab of the old one is closed (workbox default), so a page
 * never mixes files of two builds; the first install takes control at once (`clientsClaim`).
 */
import { clientsClaim } from 'workbox-core';
import { addPlugins, cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { CacheFirst } from 'workbox-strategies';
import type { WorkboxPlugin } from 'workbox-core/types.js';
import { withIsolationHeaders } from './isolation.ts';
import { CONTENT_SECURITY_POLICY } from '../csp.ts';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: (string | { url: string; revision: string | null })[] };

/** The scope path, e.g. `/` or `/school/tbt/` (the build's base). */
const scopePath = new URL(self.registration.scope).pathname;

/**
 * Adds the isolation headers to every response this worker answers with; worker scripts also get the
 * Content-Security-Policy, which the page's <meta> policy does not reach.
 */
const isolation: WorkboxPlugin = {
  handlerWillRespond: async ({ request, response }) =>
    withIsolationHeaders(response, request.destination === 'worker' ? { 'Content-Security-Policy': CONTENT_SECURITY_POLICY } : {}),
};

addPlugins([isolation]);
precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();

// the app is a single page: any other navigation inside the scope gets the shell (bench pages excepted)
registerRoute(
  new NavigationRoute(createHandlerBoundToURL('index.html'), {
    denylist: [new RegExp(`^${scopePath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(bench|models|ort)/`)],
  }),
);

// ONNX Runtime files not in the precache (the WebGPU asyncify build): versioned paths, never change
registerRoute(
  ({ url, sameOrigin }) => sameOrigin && url.pathname.startsWith(`${scopePath}ort/`),
  new CacheFirst({ cacheName: 'token-by-token-ort', plugins: [isolation] }),
);

// optional model files that do not exist (transformers.js probes some): offline, answer "not found"
// rather than a network error, which would fail the whole load
registerRoute(
  ({ url, sameOrigin }) => sameOrigin && url.pathname.startsWith(`${scopePath}models/`),
  async ({ request }) => {
    try {
      return await fetch(request);
    } catch {
      return new Response('offline and not cached', { status: 404, statusText: 'Not Found', headers: { 'Content-Type': 'text/plain' } });
    }
  },
);

// an update waits (see above) until the page's "Reload now" asks it to take over
self.addEventListener('message', (event) => {
  if ((event.data as { type?: unknown } | null)?.type === 'SKIP_WAITING') void self.skipWaiting();
});
clientsClaim();
