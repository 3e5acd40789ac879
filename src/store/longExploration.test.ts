/**
 * A long exploration (issue #19): a 10,000-node tree holding a 2,000-token path, loaded from a
 * generated session file on the scripted backend with its context raised to 4,096. The main thread's
 * time for step, back and branch on it, divided by the same on a 10-node tree (medians over
 * interleaved repetitions, one run), with the worker in its own thread as in the browser: ≤ 1.2, as
 * the issue asks. The same with the worker in this thread (its time counted too): ≤ 1.5. Export →
 * import restores the tree exactly.
 * The journal (localStorage, here a Map) is on, as in the app.
 */
import { describe, expect, it } from 'vitest';
import { Controller } from './controller.ts';
import { createAppStore } from './store.ts';
import { ScriptedClient } from '../../tests/localClient.ts';
import { ThreadedScriptedClient, scriptedThreadBundle } from '../../tests/support/threadedClient.ts';
import { performance } from 'node:perf_hooks';
import { SCRIPTED_VOCAB } from '../../tests/scriptedBackend.ts';
import type { WorkerClient } from '../worker/client.ts';
import type { SessionFile } from './sessionSchema.ts';
import { MAX_TREE_NODES, type TreeNode } from '../engine/tree.ts';

(globalThis as { __ORT_PATH__?: string }).__ORT_PATH__ ??= 'ort/';

/** localStorage over a Map, so the journal runs as in the browser. */
class MapStorage {
  readonly m = new Map<string, string>();
  getItem = (k: string) => this.m.get(k) ?? null;
  setItem = (k: string, v: string) => void this.m.set(k, v);
  removeItem = (k: string) => void this.m.delete(k);
  key = (i: number) => [...this.m.keys()][i] ?? null;
  get length() {
    return this.m.size;
  }
}
if (!process.env.NO_JOURNAL) (globalThis as { localStorage?: unknown }).localStorage ??= new MapStorage();

/** Where the worker runs: this thread (ScriptedClient) or a worker thread (as in the browser). */
type WorkerPlace = { thread: string | null };
const inProcess: WorkerPlace = { thread: null };
/** Every client made, to end their threads after the test. */
const clients: WorkerClient[] = [];

async function controllerWith(session: SessionFile | null, place: WorkerPlace = inProcess) {
  const store = createAppStore();
  const make = () => (place.thread ? new ThreadedScriptedClient(place.thread, { contextLength: 4096 }) : new ScriptedClient({ contextLength: 4096 }));
  const c = new Controller(store, () => {
    const client = make() as unknown as WorkerClient;
    clients.push(client);
    return client;
  });
  await c.loadModel({ kind: 'embedded', name: 'scripted' }, 'wasm');
  await c.setPrompt('abc');
  await c.restoreSession(); // starts the journal (IndexedDB is missing in Node: a notice, the journal still runs)
  if (session) await c.importSession(JSON.stringify(session));
  return { c, store };
}

/** A session of `total` nodes whose first path is `pathLength` tokens long; the rest hangs off it in branches. */
function generated(base: SessionFile, total: number, pathLength: number): SessionFile {
  const nodes: TreeNode[] = [{ id: 0, parent: null, depth: 0, edge: null, children: [], rerolls: 0, stop: null }];
  const edge = (tokenId: number) => ({ tokenId, method: 'manual' as const, settingsKey: 'manual', drawKey: null, u: null, prob: 0.25, finalProb: 0.25, logprob: Math.log(0.25), rank: 2 });
  const add = (parent: number, tokenId: number) => {
    const id = nodes.length;
    nodes.push({ id, parent, depth: nodes[parent].depth + 1, edge: edge(tokenId), children: [], rerolls: 0, stop: null });
    nodes[parent].children.push(id);
    return id;
  };
  let at = 0;
  for (let i = 0; i < pathLength; i++) at = add(at, i % 10);
  const cursor = at;
  // side branches of 10 tokens off the path until the tree holds `total` nodes
  for (let k = 0; nodes.length < total; k++) {
    let b = 1 + ((k * 37) % (pathLength - 1));
    for (let j = 0; j < 10 && nodes.length < total; j++) b = add(b, 10 - (j % 2));
  }
  return { ...base, settings: { ...base.settings, maxNewTokens: 4000 }, tree: { promptIds: base.tree.promptIds, nodes }, cursor, records: {} };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

describe('a long exploration: 10,000 nodes, a 2,000-token path', () => {
  it('save and restore are exact, and stepping, branching and going back work on it', async () => {
    const seed = await controllerWith(null);
    const base = JSON.parse(seed.c.exportSession()!) as SessionFile;
    const big = await controllerWith(generated(base, 10_000, 2_000));
    const s0 = big.store.getState();
    expect(s0.tree.nodes.length).toBe(10_000);
    expect(s0.tree.nodes[s0.cursor].depth).toBe(2_000);
    await big.c.stepForward();
    await big.c.chooseToken(0);
    await big.c.stepBack();
    const a = big.store.getState();
    expect(a.error).toBeNull();
    expect(a.tree.nodes.length).toBeGreaterThan(10_000);
    const again = await controllerWith(JSON.parse(big.c.exportSession()!) as SessionFile);
    const b = again.store.getState();
    expect(b.tree).toEqual(a.tree);
    expect(b.cursor).toBe(a.cursor);
  }, 600_000);

  it(`at the limit (${MAX_TREE_NODES} nodes) a step is refused with the tree-full message; the tree stays whole and saves`, async () => {
    const seed = await controllerWith(null);
    const base = JSON.parse(seed.c.exportSession()!) as SessionFile;
    const full = await controllerWith(generated(base, MAX_TREE_NODES, 2_000));
    const before = full.store.getState().tree;
    expect(before.nodes.length).toBe(MAX_TREE_NODES);
    await full.c.stepForward();
    const s = full.store.getState();
    expect(s.error?.code).toBe('tree-full');
    expect(s.tree.nodes.length).toBe(MAX_TREE_NODES);
    const again = await controllerWith(JSON.parse(full.c.exportSession()!) as SessionFile);
    expect(again.store.getState().tree.nodes.length).toBe(MAX_TREE_NODES);
  }, 600_000);

  // Measured in one run, interleaved, medians of 300 repetitions each (a few hundred ms in all).
  // - its own thread: the worker runs in a node:worker_threads thread, as in the browser, and each
  //   repetition's main-thread time is the event loop's active time (performance.eventLoopUtilization:
  //   the time this thread was not waiting for an event), as the issue names it; ≤ 1.2.
  // - this thread: the worker's dispatcher runs in this thread (ScriptedClient) and the wall time of
  //   each repetition counts, so the worker's time too (stricter than the issue); ≤ 1.5.
  // Before this round (main at 34d049d) the in-thread ratio was 12.2–17.3; the fixes are listed in
  // docs/PERFORMANCE.md ("A long exploration").
  for (const mode of ['its own thread', 'this thread'] as const) {
    const limit = mode === 'its own thread' ? 1.2 : 1.5;
    it(`step, back and branch on it cost at most ${limit}× what they cost on a 10-node tree (worker in ${mode}); save and restore are exact`, async () => {
      const place: WorkerPlace = { thread: mode === 'its own thread' ? await scriptedThreadBundle() : null };
      const seed = await controllerWith(null, place);
      const base = JSON.parse(seed.c.exportSession()!) as SessionFile;
      const bigFile = generated(base, 10_000, 2_000);
      const smallFile = generated(base, 10, 9);
      const big = await controllerWith(bigFile, place);
      const small = await controllerWith(smallFile, place);
      expect(big.store.getState().tree.nodes.length).toBe(10_000);
      expect(big.store.getState().tree.nodes[big.store.getState().cursor].depth).toBe(2_000);
      expect(small.store.getState().tree.nodes.length).toBe(10);

      type Run = { c: Controller; store: ReturnType<typeof createAppStore>; anchor: number; seed: number };
      const depth = (h: Run) => h.store.getState().tree.nodes[h.store.getState().cursor].depth;
      /**
       * One repetition, from where the last one ended (one token deeper each time) with a new seed
       * (untimed, so every repetition does the same work): Step ▶ twice (two new tokens), a branch at
       * the shown step (a letter not yet chosen there), Back ◀. @returns its time, or null when a
       * sampled token stopped the path (EOS or end-of-turn: the repetition did less; the next one
       * starts again from the start position)
       */
      const rep = async (h: Run): Promise<number | null> => {
        await h.c.updateSettings({ seed: ++h.seed });
        const d0 = depth(h);
        const t0 = performance.now();
        const u0 = performance.eventLoopUtilization();
        await h.c.stepForward();
        await h.c.stepForward();
        const s = h.store.getState();
        const shown = s.tree.nodes[s.cursor].parent!;
        const taken = new Set(s.tree.nodes[shown].children.map((id) => s.tree.nodes[id].edge!.tokenId));
        const alt = [...Array(SCRIPTED_VOCAB - 2).keys()].find((t) => !taken.has(t)); // letters only: a branch never stops
        const stepped = depth(h) === d0 + 2 && s.tree.nodes[s.cursor].stop === null && alt !== undefined;
        if (stepped) {
          await h.c.chooseToken(alt);
          await h.c.stepBack();
        }
        const ms = mode === 'its own thread' ? performance.eventLoopUtilization(u0).active : performance.now() - t0;
        if (stepped && h.c.canStep()) return ms;
        await h.c.jumpTo(h.anchor);
        return stepped ? ms : null;
      };
      const bigRun: Run = { ...big, anchor: big.store.getState().cursor, seed: 1000 };
      const smallRun: Run = { ...small, anchor: small.store.getState().cursor, seed: 1000 };
      for (let i = 0; i < 20; i++) {
        await rep(bigRun);
        await rep(smallRun);
      }
      // the small tree stays small: re-opened every 10 pairs (then one untimed repetition warms its
      // caches), so it holds 10 to about 45 nodes; the big one grows from 10,000 to about 11,000
      const smallText = JSON.stringify(smallFile);
      const tBig: number[] = [];
      const tSmall: number[] = [];
      while (tBig.length < 300) {
        await small.c.importSession(smallText);
        await rep(smallRun);
        for (let i = 0; i < 10; i++) {
          const b = await rep(bigRun);
          const sm = await rep(smallRun);
          if (b === null || sm === null) continue; // a stop: this pair did less work
          tBig.push(b);
          tSmall.push(sm);
        }
      }
      expect(small.store.getState().tree.nodes.length).toBeLessThanOrEqual(80);
      const q = (xs: number[], f: number) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * f)].toFixed(3);
      console.log('quartiles big', q(tBig, 0.1), q(tBig, 0.25), q(tBig, 0.5), q(tBig, 0.75), 'small', q(tSmall, 0.1), q(tSmall, 0.25), q(tSmall, 0.5), q(tSmall, 0.75));
      const ratio = median(tBig) / median(tSmall);
      console.log(`long exploration (worker in ${mode}): median rep ${median(tBig).toFixed(2)} ms on 10,000 nodes, ${median(tSmall).toFixed(2)} ms on 10 nodes, ratio ${ratio.toFixed(3)}`);
      expect(big.store.getState().error).toBeNull();
      expect(big.store.getState().tree.nodes.length).toBeGreaterThan(10_000);
      expect(ratio).toBeLessThanOrEqual(limit);

      // save and restore exact: the exported file imported into a fresh app gives the identical tree
      const saved = big.c.exportSession()!;
      const again = await controllerWith(JSON.parse(saved) as SessionFile, place);
      const a = big.store.getState();
      const b = again.store.getState();
      expect(b.tree).toEqual(a.tree);
      expect(b.cursor).toBe(a.cursor);
      for (const client of clients.splice(0)) client.terminate();
    }, 600_000);
  }
});
