import { describe, expect, it } from 'vitest';
import { attentionStore, keepReadout, READOUTS_KEPT, readoutKey } from './attention.ts';
import type { Readout } from '../decoder/readout.ts';

const r: Readout = { query: 0, layers: 1, heads: 1, attention: Float32Array.of(1), lens: null };

describe('readouts kept on the main thread', () => {
  it('keys by model and ids; drops the least recently used beyond the limit but never the pinned path', () => {
    attentionStore.setState({ readouts: new Map() });
    const keys = Array.from({ length: READOUTS_KEPT + 5 }, (_, i) => readoutKey('m', [1, i]));
    const pinned = new Set([keys[0], keys[1]]);
    for (const k of keys) keepReadout(k, r, pinned);
    const held = attentionStore.getState().readouts;
    expect(held.size).toBe(READOUTS_KEPT);
    expect(held.has(keys[0]) && held.has(keys[1])).toBe(true);
    expect(held.has(keys[2])).toBe(false); // the oldest unpinned went first
    expect(held.has(keys[keys.length - 1])).toBe(true);
    expect(readoutKey('a', [1, 2])).not.toBe(readoutKey('b', [1, 2]));
  });
});
