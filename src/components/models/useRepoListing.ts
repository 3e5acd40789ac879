import { useEffect, useState } from 'react';
import { fetchHubListing } from '../../models/hubListing.ts';
import { analyzeLayout, type DeviceCaps, type ModelLayout } from '../../models/layout.ts';
import type { DevicePreference } from '../../domain/types.ts';

export type ListingState =
  | { status: 'idle' }
  | { status: 'loading'; host: string }
  | { status: 'ok'; host: string; layout: ModelLayout; via: 'api' | 'probe' }
  | { status: 'error'; host: string; message: string };

/**
 * A repository's layout read from the download host (model API, else one-byte probes), re-read when the
 * id or the host changes; `delayMs` debounces typing.
 */
export function useRepoListing(modelId: string | null, host: string, delayMs = 0): ListingState {
  const [state, setListing] = useState<ListingState>({ status: 'idle' });
  useEffect(() => {
    if (!modelId || !/^[\w.-]+\/[\w.-]+$/.test(modelId)) {
      setListing({ status: 'idle' });
      return;
    }
    const ac = new AbortController();
    const timer = setTimeout(() => {
      setListing({ status: 'loading', host });
      fetchHubListing(host, modelId, 'main', (u, i) => fetch(u, i), ac.signal).then(
        (l) => !ac.signal.aborted && setListing({ status: 'ok', host, layout: analyzeLayout(l.files), via: l.via }),
        (e: unknown) => !ac.signal.aborted && setListing({ status: 'error', host, message: e instanceof Error ? e.message : String(e) }),
      );
    }, delayMs);
    return () => {
      clearTimeout(timer);
      ac.abort();
    };
  }, [modelId, host, delayMs]);
  return state;
}

/**
 * The device a load would use, as the worker decides it (WebGPU when an adapter exists and the preference
 * allows, with `shader-f16` when the adapter has it; else WASM).
 */
export function useDeviceCaps(pref: DevicePreference): DeviceCaps {
  const [caps, setCaps] = useState<DeviceCaps>({ device: 'wasm' });
  useEffect(() => {
    let live = true;
    const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<{ features: Set<string> } | null> } }).gpu;
    if (pref === 'wasm' || !gpu) {
      setCaps({ device: 'wasm' });
      return;
    }
    gpu.requestAdapter().then(
      (a) => live && setCaps(a ? { device: 'webgpu', shaderF16: a.features.has('shader-f16') } : { device: 'wasm' }),
      () => live && setCaps({ device: 'wasm' }),
    );
    return () => {
      live = false;
    };
  }, [pref]);
  return caps;
}
