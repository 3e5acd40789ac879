/** The worker-thread client answers as the in-process one does (same dispatcher, same scripted model). */
import { describe, expect, it } from 'vitest';
import { Controller } from '../src/store/controller.ts';
import { createAppStore } from '../src/store/store.ts';
import type { WorkerClient } from '../src/worker/client.ts';
import { ScriptedClient } from './localClient.ts';
import { ThreadedScriptedClient, scriptedThreadBundle } from './support/threadedClient.ts';

(globalThis as { __ORT_PATH__?: string }).__ORT_PATH__ ??= 'ort/';

describe('scripted model in a worker thread', () => {
  it('steps to the same tokens and distributions as the in-process worker', async () => {
    const bundle = await scriptedThreadBundle();
    const drive = async (make: () => WorkerClient) => {
      const store = createAppStore();
      const c = new Controller(store, make);
      await c.loadModel({ kind: 'embedded', name: 'scripted' }, 'wasm');
      await c.setPrompt('abc');
      await c.updateSettings({ strategy: 'sample', seed: 7 });
      for (let i = 0; i < 5; i++) await c.stepForward();
      await c.chooseToken(3);
      c.stepBack();
      await c.jumpTo(2);
      const s = store.getState();
      return { tokens: s.tree.nodes.map((n) => n.edge?.tokenId ?? null), probs: Array.from(s.records[2].record.stageProbs) };
    };
    const threaded = await drive(() => new ThreadedScriptedClient(bundle) as unknown as WorkerClient);
    const inProcess = await drive(() => new ScriptedClient() as unknown as WorkerClient);
    expect(threaded.tokens.length).toBeGreaterThan(5);
    expect(threaded).toEqual(inProcess);
  }, 60_000);
});
