import { describe, expect, it } from 'vitest';
import { Controller } from './controller.ts';
import { createAppStore } from './store.ts';
import { ScriptedClient } from '../../tests/localClient.ts';
import { generatedIds, pathTo } from '../engine/tree.ts';
import { SPEC_STREAM_ACCEPT, SPEC_STREAM_BONUS, SPEC_STREAM_RESIDUAL } from '../engine/speculative.ts';
import { parseSession } from './sessionSchema.ts';
import { paneAHasSpeculative } from './compare.ts';
import type { WorkerClient } from '../worker/client.ts';

(globalThis as { __ORT_PATH__?: string }).__ORT_PATH__ ??= 'ort/';

/**
 * Speculative runs are tree edges (issue #21): the kept tokens join the tree as 'speculative' edges
 * with their own draw keys, Back and branching work on them, plain steps never reuse them, and a
 * saved session carries them. The reference is plain stepping through the same controller.
 */
async function harness(prompt: string, patch: Parameters<Controller['updateSettings']>[0]) {
  const store = createAppStore();
  const c = new Controller(store, () => new ScriptedClient() as unknown as WorkerClient);
  await c.loadModel({ kind: 'embedded', name: 'scripted' }, 'wasm');
  await c.setPrompt(prompt);
  await c.updateSettings(patch);
  return { c, store };
}

const PROMPT = 'abcabcabcabc';

describe('speculative runs make tree edges', () => {
  it('greedy: the kept tokens are the greedy tokens, as speculative edges; Back and a plain step from the start branch off', async () => {
    const a = await harness(PROMPT, { strategy: 'greedy', maxNewTokens: 16 });
    await a.c.runSpeculative('prompt-lookup', 4);
    const s = a.store.getState();
    expect(s.error).toBeNull();
    const path = pathTo(s.tree, s.cursor).slice(1);
    expect(path.length).toBeGreaterThan(0);
    expect(path.every((id) => s.tree.nodes[id].edge!.method === 'speculative')).toBe(true);
    expect(s.specRun!.tokens).toEqual(generatedIds(s.tree, s.cursor));
    // greedy edges carry no draw
    expect(path.every((id) => s.tree.nodes[id].edge!.drawKey === null)).toBe(true);

    const b = await harness(PROMPT, { strategy: 'greedy', maxNewTokens: 16 });
    while (await b.c.stepForward());
    const plain = b.store.getState();
    expect(generatedIds(s.tree, s.cursor)).toEqual(generatedIds(plain.tree, plain.cursor));
    // model probabilities and ranks of the edges equal plain stepping's
    const pp = pathTo(plain.tree, plain.cursor).slice(1);
    path.forEach((id, i) => {
      const e = s.tree.nodes[id].edge!;
      const f = plain.tree.nodes[pp[i]].edge!;
      expect(e.prob).toBeCloseTo(f.prob, 12);
      expect(e.rank).toBe(f.rank);
      expect(e.finalProb).toBeCloseTo(f.finalProb, 12);
    });

    // Back walks the speculative path like any other
    a.c.stepBack();
    expect(a.store.getState().cursor).toBe(s.tree.nodes[s.cursor].parent);
    // a plain step from the start never reuses the speculative child: a greedy sibling appears
    await a.c.jumpTo(0);
    await a.c.stepForward();
    const t = a.store.getState();
    expect(t.tree.nodes[t.cursor].edge!.method).toBe('greedy');
    expect(t.tree.nodes[0].children.length).toBe(2);
    expect(paneAHasSpeculative(t)).toBe(false);
    expect(paneAHasSpeculative({ tree: t.tree, cursor: s.cursor })).toBe(true);
  });

  it('sampling: every edge has the draw key of its stream at its absolute depth; a saved session keeps the edges; a rerun reuses them', async () => {
    const a = await harness(PROMPT, { strategy: 'sample', maxNewTokens: 14 });
    // start one plain step in, so absolute depths differ from the run's own counter
    await a.c.stepForward();
    const start = a.store.getState().cursor;
    await a.c.runSpeculative('prompt-lookup', 3);
    const s = a.store.getState();
    expect(s.error).toBeNull();
    const path = pathTo(s.tree, s.cursor);
    const specIds = path.slice(path.indexOf(start) + 1);
    expect(specIds.length).toBeGreaterThan(0);
    for (const id of specIds) {
      const n = s.tree.nodes[id];
      const e = n.edge!;
      expect(e.method).toBe('speculative');
      expect(e.drawKey!.depth).toBe(n.depth - 1);
      expect([SPEC_STREAM_ACCEPT, SPEC_STREAM_RESIDUAL, SPEC_STREAM_BONUS]).toContain(e.drawKey!.stream);
      expect(e.u).not.toBeNull();
    }
    // the kept tokens' states map to the streams in order
    const kept = s.specRun!.rounds.flatMap((r) => r.tokens.filter((t) => t.state !== 'rejected' && t.state !== 'proposed').slice(0, r.emitted.length));
    expect(kept.map((t) => (t.state === 'accepted' ? SPEC_STREAM_ACCEPT : t.state === 'resampled' ? SPEC_STREAM_RESIDUAL : SPEC_STREAM_BONUS))).toEqual(
      specIds.map((id) => s.tree.nodes[id].edge!.drawKey!.stream),
    );

    const text = a.c.exportSession();
    expect(text).not.toBeNull();
    const parsed = parseSession(JSON.parse(text!));
    expect(parsed.ok).toBe(true);
    if (parsed.ok) {
      expect(parsed.session.tree.nodes.filter((n) => n.edge?.method === 'speculative').length).toBe(specIds.length);
      expect(parsed.session.speculative?.rounds.length).toBe(s.specRun!.rounds.length);
    }
    // a reset forgets the rounds; importing the file brings the edges and the rounds back
    const run = s.specRun;
    await a.c.reset();
    expect(a.store.getState().specRun).toBeNull();
    await a.c.importSession(text!);
    const back = a.store.getState();
    expect(back.sessionProblem).toBeNull();
    expect(back.specRun).toEqual(run);
    expect(back.tree.nodes.filter((n) => n.edge?.method === 'speculative').length).toBe(specIds.length);
    await a.c.jumpTo(s.cursor);

    // the same run from the same node gives the same tokens and adds no node
    const before = s.tree.nodes.length;
    await a.c.jumpTo(start);
    await a.c.runSpeculative('prompt-lookup', 3);
    const r = a.store.getState();
    expect(r.tree.nodes.length).toBe(before);
    expect(r.cursor).toBe(s.cursor);
  });
});
