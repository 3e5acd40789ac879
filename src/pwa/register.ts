/**
 * Registers the service worker (`src/sw/sw.ts`) in production builds and, when the page is not
 * cross-origin isolated although a service worker now controls it (the host sends no COOP/COEP
 * headers), reloads once so the worker can serve the page with those headers. At most one reload per
 * tab session: if isolation is still missing after it (a browser without service workers in this
 * context, a private window…), the app runs on one WASM thread and the status bar says why.
 *
 * Updates: a new build's worker installs in the background and waits; `updateReady` in the store
 * turns on, and `applyUpdate()` (the "Reload now" button) lets it take over and reloads the page.
 */
import { Workbox } from 'workbox-window';
import { appStore } from '../store/store.ts';

/** sessionStorage key marking that this tab already reloaded for isolation. */
const RELOADED_KEY = 'token-by-token:isolation-reload';

let workbox: Workbox | null = null;

function isolated(): boolean {
  return typeof crossOriginIsolated !== 'undefined' && crossOriginIsolated;
}

function reloadOnce(): void {
  try {
    if (sessionStorage.getItem(RELOADED_KEY)) return;
    sessionStorage.setItem(RELOADED_KEY, '1');
  } catch {
    return; // no storage, no loop guard: better a single thread than a reload loop
  }
  location.reload();
}

/**
 * Registers `<base>sw.js` with the build's base as scope. Does nothing in the dev server or where
 * service workers are unavailable (an insecure origin other than localhost, some private modes).
 * Never throws: a failed registration only means no offline copy.
 */
export async function registerServiceWorker(): Promise<void> {
  if (import.meta.env.DEV || !('serviceWorker' in navigator)) return;
  const base = import.meta.env.BASE_URL;
  const wb = new Workbox(`${base}sw.js`, { scope: base, type: 'classic' });
  workbox = wb;
  wb.addEventListener('controlling', (event) => {
    // a new version took over (from this tab's button or another tab's): load its files
    if (event.isUpdate) location.reload();
    else if (!isolated()) reloadOnce();
  });
  wb.addEventListener('waiting', () => appStore.setState({ updateReady: true }));
  try {
    await wb.register();
    // controlled yet not isolated: the worker predates this page's response (e.g. it was installed
    // while the page loaded); reload once through it. (A hard reload bypasses the worker entirely:
    // that page stays single-threaded until the next normal load.)
    if (navigator.serviceWorker.controller && !isolated()) reloadOnce();
  } catch (e) {
    console.warn('service worker registration failed; no offline copy', e);
  }
}

/**
 * Lets the waiting new version take over; every tab of the app then reloads (the session is saved in
 * the browser, so it comes back). Does nothing when no update waits.
 */
export function applyUpdate(): void {
  if (!workbox || !appStore.getState().updateReady) return;
  workbox.messageSkipWaiting();
}
