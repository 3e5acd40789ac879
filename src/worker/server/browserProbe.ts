/**
 * What the worker can find out about a failed fetch to a model server (see errors.ts): the page's
 * origin and protocol, the `local-network-access` permission, and whether the server answered at all.
 * A browser reports a CORS refusal and a refused connection as the same TypeError; the difference
 * shows in Resource Timing, which records a response's arrival (`responseStart`) even when CORS then
 * hides the answer from the page, and records nothing for a connection that never opened.
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
    async serverAnswers(url: string) {
      const entries = scope.performance.getEntriesByName(url, 'resource') as PerformanceResourceTiming[];
      const last = entries[entries.length - 1];
      if (!last) return null;
      return last.responseStart > 0 || last.transferSize > 0 || (last as { responseStatus?: number }).responseStatus !== undefined && (last as { responseStatus?: number }).responseStatus! > 0 ? true : null;
    },
  };
}
