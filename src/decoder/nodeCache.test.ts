/**
 * The node cache's memory budget (issue #19 made its byte count a running total and its eviction go
 * down to 90 % of the budget): along a long path on the scripted model, the bytes held never exceed
 * the budget, every dropped snapshot is released exactly once, and the bytes it reports equal the sum
 * over the snapshots it holds.
 */
import { describe, expect, it } from 'vitest';
import { NodeCache } from './nodeCache.ts';
import { ScriptedBackend, scriptedModelInfo } from '../../tests/scriptedBackend.ts';

describe('NodeCache budget', () => {
  it('stays within the budget along a 300-token path, releases each dropped snapshot once', async () => {
    const backend = new ScriptedBackend(scriptedModelInfo('scripted', 'embedded', 4096));
    const budget = 64 * 2_000; // a few snapshots of a few hundred tokens
    const cache = new NodeCache(backend, budget);
    const prompt = [1, 2, 3];
    const path = [0];
    const ids = [...prompt];
    for (let k = 1; k <= 300; k++) {
      await cache.logitsAt(path, ids);
      const { snapshots, cacheBytes } = cache.stats();
      expect(cacheBytes).toBeLessThanOrEqual(Math.max(budget, ids.length * 64));
      // and it keeps what fits (a byte count that drifted upwards would drop too much)
      if (k > 50) expect(cacheBytes).toBeGreaterThan(budget / 2);
      // live scripted caches = snapshots held (each dropped one released, none twice)
      expect(backend.stats().liveTensors).toBe(snapshots * 2);
      expect(backend.stats().disposedTwice).toBe(0);
      path.push(k);
      ids.push(k % 11);
    }
    cache.forget('all');
    expect(cache.stats()).toMatchObject({ snapshots: 0, cacheBytes: 0 });
    expect(backend.stats().liveTensors).toBe(0);
  });
});
