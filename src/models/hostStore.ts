/**
 * The download host the app uses now (zustand): starts from `?hubHost=` or the remembered setting,
 * changed by the picker's download-host setting (which remembers it). The controller reads it for every
 * hub load; the privacy line and the error banner show it.
 */
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import { effectiveHost, saveHost } from './hubHost.ts';

export const hostStore = createStore<{ host: string }>(() => ({
  host: typeof location !== 'undefined' ? effectiveHost(location.search) : effectiveHost(''),
}));

/** Sets and remembers the host. @returns the normalised host, or null when the input is not a usable host (nothing changes). */
export function setHubHost(input: string): string | null {
  const h = saveHost(input);
  if (h) hostStore.setState({ host: h });
  return h;
}

/** The current download host (React). */
export function useHubHost(): string {
  return useStore(hostStore, (s) => s.host);
}
