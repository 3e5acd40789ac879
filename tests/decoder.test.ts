/**
 * The decoder over the scripted backend (tests/scriptedBackend.ts), for what the controller tests do
 * not reach: the stop rule on every lane, stale node ids, cache disposal, the draft slot.
 */
import { describe, expect, it } from 'vitest';
import { Decoder } from '../src/decoder/decoder.ts';
import { isStopToken, stopTokenIds } from '../src/decoder/stopRule.ts';
import { DEFAULT_SAMPLING } from '../src/engine/settings.ts';
import { logitsFor, ScriptedBackend, scriptedModelInfo, SCRIPTED_EOS, SCRIPTED_EOT } from './scriptedBackend.ts';

const greedy = { ...DEFAULT_SAMPLING, temperature: 0 };

/** A prefix whose greedy next token (argmax of the scripted logits, lowest id on ties) is `want`, searched over short letter sequences. */
function prefixEndingWith(want: number): number[] {
  for (let a = 0; a < 11; a++) for (let b = 0; b < 11; b++) for (let c = 0; c < 11; c++) {
    const ids = [a, b, c];
    const z = logitsFor(ids);
    let best = 0;
    for (let i = 1; i < z.length; i++) if (z[i] > z[best]) best = i;
    if (best === want) return ids;
  }
  throw new Error(`no prefix ends with ${want}`);
}

describe('the one stop rule', () => {
  it('EOS and the end-of-turn token, each once', () => {
    expect(stopTokenIds({ eosTokenId: 11, endOfTurnTokenId: 12 })).toEqual([11, 12]);
    expect(stopTokenIds({ eosTokenId: 11, endOfTurnTokenId: 11 })).toEqual([11]);
    expect(stopTokenIds({ eosTokenId: null, endOfTurnTokenId: null })).toEqual([]);
    expect(isStopToken({ eosTokenId: 11, endOfTurnTokenId: 12 }, 12)).toBe(true);
    expect(isStopToken({ eosTokenId: 11, endOfTurnTokenId: null }, 12)).toBe(false);
  });

  it('a step says stop at the end-of-turn token, Run to end ends there, and the record shows it', async () => {
    const d = new Decoder(new ScriptedBackend());
    const ids = prefixEndingWith(SCRIPTED_EOT);
    const step = await d.step({ type: 'step', id: 1, nodeId: 1, path: [1], ids, strategy: 'greedy', settings: greedy, topN: 2, extraIds: [], drawKey: null, choose: null });
    expect(step.choice!.tokenId).toBe(SCRIPTED_EOT);
    expect(step.stop).toBe(true);
    expect(Array.from(step.record.tokenIds)).toContain(SCRIPTED_EOS);
    expect(Array.from(step.record.tokenIds)).toContain(SCRIPTED_EOT);
    const steps: number[] = [];
    const n = await d.run(
      { type: 'run', id: 2, path: [5], ids, strategy: 'greedy', settings: greedy, topN: 2, extraIds: [], seed: 1, startDepth: 0, firstReroll: 0, nextNodeId: 6, count: 10 },
      (r) => steps.push(r.choice.tokenId),
      () => false,
    );
    expect(n).toBe(1);
    expect(steps).toEqual([SCRIPTED_EOT]);
  });

  it('beam hypotheses and continuations end at the end-of-turn token', async () => {
    const d = new Decoder(new ScriptedBackend());
    const ids = prefixEndingWith(SCRIPTED_EOT);
    const hyps = await d.beam({ type: 'beam', id: 1, nodeId: 1, path: [1], ids, settings: { beamWidth: 2, lengthPenalty: 1, earlyStopping: 'true', repetitionPenalty: 1 }, maxNewTokens: 6 }, () => undefined);
    for (const h of hyps) {
      expect(h.tokens.slice(0, -1).some((t) => t === SCRIPTED_EOS || t === SCRIPTED_EOT)).toBe(false);
      expect(h.endedWithEos).toBe(h.tokens[h.tokens.length - 1] === SCRIPTED_EOS || h.tokens[h.tokens.length - 1] === SCRIPTED_EOT);
    }
    const nodes = await d.mcTree({ type: 'mc-tree', id: 2, nodeId: 1, path: [1], ids, settings: { ...DEFAULT_SAMPLING, temperature: 1.5 }, n: 40, length: 5, seed: 3, depth: 0 });
    for (const node of nodes.slice(1)) {
      expect(node.eos).toBe(node.tokenId === SCRIPTED_EOS || node.tokenId === SCRIPTED_EOT);
      if (node.eos) expect(node.children).toEqual([]);
    }
    expect(nodes.some((n) => n.tokenId === SCRIPTED_EOT)).toBe(true);
    expect(d.stats().liveTensors).toBe(d.stats().snapshots * 2);
    expect(d.stats().disposedTwice).toBe(0);
  });
});

describe('node caches', () => {
  it('a node id asked for with other ids is recomputed, never served stale, and counted', async () => {
    const d = new Decoder(new ScriptedBackend());
    const a = await d.nodeLogits([1], [0, 1, 2]);
    expect(Array.from(a)).toEqual(Array.from(logitsFor([0, 1, 2])));
    const b = await d.nodeLogits([1], [3, 4, 5]);
    expect(Array.from(b)).toEqual(Array.from(logitsFor([3, 4, 5])));
    expect(d.staleCacheHits.count).toBe(1);
  });

  it('forget releases every snapshot once', async () => {
    const backend = new ScriptedBackend();
    const d = new Decoder(backend);
    await d.nodeLogits([1], [0, 1]);
    await d.nodeLogits([1, 2], [0, 1, 2]);
    expect(d.stats().snapshots).toBe(2);
    await d.forget('all');
    expect(backend.stats()).toMatchObject({ liveTensors: 0, disposedTwice: 0 });
  });

  it('snapshots beyond the budget are evicted, and recomputing an evicted node counts as a rebuild', async () => {
    const probe = new Decoder(new ScriptedBackend());
    await probe.nodeLogits([1], [0, 1]);
    const perToken = probe.stats().cacheBytes / 2;
    expect(perToken).toBeGreaterThan(0);
    const d = new Decoder(new ScriptedBackend(), { cacheBudgetBytes: 7 * perToken });
    await d.nodeLogits([1], [0, 1]); // 2 tokens
    await d.nodeLogits([1, 2], [0, 1, 2]); // 3 tokens: 5 in all, within the budget
    expect(d.stats()).toMatchObject({ snapshots: 2, evictions: 0, rebuilds: 0 });
    // 4 more (9): eviction goes down to 90 % of the budget (6.3), least recently used first: node 1 (7
    // left, still above) and node 2 go, node 3's 4 tokens stay
    await d.nodeLogits([1, 2, 3], [0, 1, 2, 3]);
    expect(d.stats()).toMatchObject({ snapshots: 1, cacheBytes: 4 * perToken, evictions: 2, rebuilds: 0 });
    // node 1's logits are still remembered, its snapshot is not: a lane starting there recomputes it
    const snap = await d.exclusive(() => d.snapshotAt([1], [0, 1]));
    expect(snap.length).toBe(2);
    const s = d.stats();
    expect(s).toMatchObject({ rebuilds: 1, rebuiltTokens: 2 });
    expect(s.cacheBytes).toBeLessThanOrEqual(s.budgetBytes);
  });
});

describe('the draft slot', () => {
  it('takes a backend with the same vocabulary and refuses another', async () => {
    const d = new Decoder(new ScriptedBackend());
    await d.attachDraft(new ScriptedBackend(scriptedModelInfo('draft', 'embedded')));
    expect(d.draft?.info.id).toBe('draft');
    const other = scriptedModelInfo('other', 'embedded');
    other.vocabBytes = other.vocabBytes.slice();
    other.vocabBytes[0] ^= 1;
    await expect(d.attachDraft(new ScriptedBackend(other))).rejects.toThrow(/another vocabulary/);
  });
});
