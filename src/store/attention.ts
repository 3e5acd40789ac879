/**
 * The attention view's own state (issue #20): open or closed, the layer and head picked, and the
 * readouts fetched so far. Readouts are keyed by model and token ids (never by node id alone, which
 * a new tree reuses), kept for the nodes asked most recently (a small LRU; the worker recomputes any
 * other from the node's KV snapshot on demand), and never saved in sessions or share links: this is
 * a store apart from the app store, which sessions serialise.
 */
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { Readout } from '../decoder/readout.ts';

/** Readouts kept on the main thread. */
export const READOUTS_KEPT = 48;

export interface AttentionState {
  open: boolean;
  /** Layer shown, 0-based. */
  layer: number;
  /** Head shown, 0-based, or 'mean' (the heads' average). */
  head: number | 'mean';
  /** Readouts by `readoutKey` (insertion order = least recently used first). */
  readouts: Map<string, Readout>;
  /** Why the model gives none ('server' | 'no-outputs'), or null. */
  unavailable: 'server' | 'no-outputs' | 'read-only' | null;
  /** Key being fetched, or null. */
  pending: string | null;
  error: string | null;
}

export const attentionStore = createStore<AttentionState>()(() => ({
  open: false,
  layer: 0,
  head: 'mean',
  readouts: new Map(),
  unavailable: null,
  pending: null,
  error: null,
}));

export function useAttention<T>(selector: (s: AttentionState) => T): T {
  return useStore(attentionStore, selector);
}

/** The key of a node's readout: the model and the node's token ids. */
export function readoutKey(modelId: string, ids: readonly number[]): string {
  return `${modelId}\u0000${ids.join(',')}`;
}

/**
 * Stores a readout, dropping the least recently used beyond READOUTS_KEPT — never one of `pinned`
 * (the keys of the cursor's path).
 */
export function keepReadout(key: string, r: Readout, pinned: ReadonlySet<string> = new Set()): void {
  const m = new Map(attentionStore.getState().readouts);
  m.delete(key);
  m.set(key, r);
  for (const k of [...m.keys()]) {
    if (m.size <= READOUTS_KEPT) break;
    if (!pinned.has(k) && k !== key) m.delete(k);
  }
  attentionStore.setState({ readouts: m, pending: null, error: null });
}
