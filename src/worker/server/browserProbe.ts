/**
 * What the worker can find out about a failed fetch to a model server (see errors.ts): the page's
 * origin and protocol, the `local-network-access` permission, and whether the server answered at all.
 * A browser reports a CORS refusal and a refused connection as the same TypeError (see serverAnswers).
 */
import type { NetworkProbe } from './http.ts';

interface ScopeLike {
  location: { origin: string; protocol: string };
  navigator?: { permissions?: { query(d: { name: string }): Promise<{ state: string }> } };
  performance: Performance;
}

export function browserProbe(scope: ScopeLike): NetworkProbe {
  return {
    pageOrigin: scope.location.origin,
    pageProtocol: scope.location.protocol,
    async localNetworkPermission() {
      try {
        const st = await scope.navigator?.permissions?.query({ name: 'local-network-access' });
        return st && (st.state === 'granted' || st.state === 'denied' || st.state === 'prompt') ? st.state : null;
      } catch {
        return null; // a browser without that permission
      }
    },
    async serverAnswers() {
      // Measured in Chromium 156 (cross-origin isolated page): a CORS refusal and a refused connection
      // leave identical Resource Timing entries (every timing 0, responseStatus 0) and the same
      // TypeError, and a no-cors probe is blocked by COEP either way; so nobody can tell here and the
      // message names both causes with each server's CORS flag.
      return null;
    },
  };
}
