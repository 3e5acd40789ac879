import { describe, expect, it } from 'vitest';
import { Controller } from './controller.ts';
import { createAppStore, type AppState } from './store.ts';
import { ScriptedClient } from '../../tests/localClient.ts';
import { sequenceIds } from '../engine/tree.ts';
import type { WorkerClient } from '../worker/client.ts';

(globalThis as { __ORT_PATH__?: string }).__ORT_PATH__ ??= 'ort/';

/**
 * Run to end computes new steps in the worker's own loop ('run' requests, streamed). It must build
 * exactly the tree that Step ▶ pressed repeatedly builds: the same tokens, edges (probabilities,
 * ranks, draws) and distribution records, with the same stops.
 */
async function harness(prompt: string, patch: Parameters<Controller['updateSettings']>[0]) {
  const store = createAppStore();
  let client: ScriptedClient | null = null;
  const c = new Controller(store, () => (client = new ScriptedClient()) as unknown as WorkerClient);
  await c.loadModel({ kind: 'embedded', name: 'scripted' }, 'wasm');
  await c.setPrompt(prompt);
  await c.updateSettings(patch);
  return { c, store, client: () => client! };
}

function summary(s: AppState) {
  const nodes = s.tree.nodes.map((n) => ({ parent: n.parent, depth: n.depth, stop: n.stop, edge: n.edge }));
  const records = Object.entries(s.records).map(([id, r]) => [
    id,
    r.key,
    Array.from(r.record.tokenIds),
    Array.from(r.record.stageProbs),
    Array.from(r.record.cumBefore),
    Array.from(r.record.restMass),
  ]);
  return { nodes, records, cursor: s.cursor, ids: sequenceIds(s.tree, s.cursor) };
}

describe('runToEnd (worker-side run chunks) equals repeated Step', () => {
  const cases: [string, Parameters<Controller['updateSettings']>[0]][] = [
    ['greedy, 40 tokens (3 chunks)', { strategy: 'greedy', maxNewTokens: 40 }],
    ['sampling with processors, 25 tokens', { strategy: 'sample', maxNewTokens: 25, sampling: { temperature: 0.9, topK: 6, topP: 0.95, minP: 0.02, repetitionPenalty: 1.2, order: ['temperature', 'topK', 'topP', 'minP'] } }],
    ['sampling at T = 1.5, 60 tokens (EOS or context end)', { strategy: 'sample', maxNewTokens: 60, sampling: { temperature: 1.5, topK: 0, topP: 1, minP: 0, repetitionPenalty: 1, order: ['temperature', 'topK', 'topP', 'minP'] } }],
  ];
  for (const [name, patch] of cases) {
    it(name, async () => {
      const a = await harness('abc', patch);
      await a.c.runToEnd();
      const b = await harness('abc', patch);
      while (await b.c.stepForward());
      const sa = summary(a.store.getState());
      const sb = summary(b.store.getState());
      expect(sa.ids.length).toBeGreaterThan(3);
      expect(sa).toEqual(sb);
      // the run went through the worker loop, not step by step
      expect(a.client().received).toContain('run');
      expect(a.client().received.filter((t) => t === 'step').length).toBeLessThan(b.client().received.filter((t) => t === 'step').length);
      expect(a.client().staleCacheHits).toBe(0);
      expect(a.store.getState().playing).toBe(false);
      expect(a.store.getState().busy).toBe(false);
    });
  }

  it('continues after a reset and back: existing children are reused, new steps use run chunks', async () => {
    const a = await harness('ab', { strategy: 'greedy', maxNewTokens: 20 });
    await a.c.runToEnd();
    const first = summary(a.store.getState());
    a.c.jumpHome();
    await a.c.runToEnd(); // the same greedy path exists: reused, no new nodes
    expect(summary(a.store.getState()).nodes).toEqual(first.nodes);
    expect(a.client().staleCacheHits).toBe(0);
  });

  it('Pause during a run stops at once, cancels the worker loop, and a new run continues the same way', async () => {
    const patch = { strategy: 'sample' as const, maxNewTokens: 40, sampling: { temperature: 1.2, topK: 0, topP: 1, minP: 0, repetitionPenalty: 1, order: ['temperature', 'topK', 'topP', 'minP'] as const } };
    const a = await harness('abc', { ...patch, sampling: { ...patch.sampling, order: [...patch.sampling.order] } });
    let paused = -1;
    const unsub = a.store.subscribe((st) => {
      const d = st.tree.nodes[st.cursor].depth;
      if (paused < 0 && d >= 5 && st.playing) {
        paused = d;
        void a.c.togglePlay(); // Pause
      }
    });
    await a.c.runToEnd();
    unsub();
    const mid = a.store.getState();
    expect(paused).toBe(5);
    expect(mid.tree.nodes[mid.cursor].depth).toBe(5);
    expect(a.client().received).toContain('cancel-run');
    await a.c.runToEnd();
    const b = await harness('abc', { ...patch, sampling: { ...patch.sampling, order: [...patch.sampling.order] } });
    await b.c.runToEnd();
    expect(sequenceIds(a.store.getState().tree, a.store.getState().cursor)).toEqual(sequenceIds(b.store.getState().tree, b.store.getState().cursor));
    expect(a.client().staleCacheHits).toBe(0);
  });
});
