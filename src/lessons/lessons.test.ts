import { describe, expect, it } from 'vitest';
import { LESSONS } from './index.ts';
import { evaluateClaim, type ClaimContext } from './claims.ts';
import { addChild, createTree, type Edge, type GenerationTree } from '../engine/tree.ts';
import type { DistributionRecord } from '../engine/distribution.ts';

describe('lesson data', () => {
  it('ids are unique kebab-case, every step has text in all three languages and at least one claim', () => {
    expect(new Set(LESSONS.map((l) => l.id)).size).toBe(LESSONS.length);
    expect(LESSONS.length).toBeGreaterThanOrEqual(8);
    for (const l of LESSONS) {
      expect(l.id).toMatch(/^[a-z]+(-[a-z]+)*$/);
      for (const lang of ['en', 'zh-Hans', 'zh-Hant'] as const) expect(l.title[lang].trim()).not.toBe('');
      for (const s of l.steps) {
        expect(s.text.en).toMatch(/[a-z]/);
        expect(s.text['zh-Hans']).toMatch(/[\u4e00-\u9fff]/);
        expect(s.text['zh-Hant']).toMatch(/[\u4e00-\u9fff]/);
        expect(s.text['zh-Hans']).not.toBe(s.text['zh-Hant']);
        expect(s.claims.length).toBeGreaterThan(0);
      }
      // the first model action is a prompt: every run of the lesson starts on a fresh tree
      const first = l.steps[0].actions.find((a) => a.do !== 'settings');
      expect(first?.do, l.id).toBe('prompt');
    }
  });
});

const edge = (tokenId: number, logprob: number, extra: Partial<Edge> = {}): Edge => ({
  tokenId, method: 'greedy', settingsKey: 'k', drawKey: null, u: null, prob: Math.exp(logprob), finalProb: Math.exp(logprob), logprob, rank: 1, ...extra,
});

function chain(tree: GenerationTree, from: number, toks: [number, number][]): { tree: GenerationTree; id: number } {
  let at = from;
  for (const [t, lp] of toks) ({ tree, id: at } = addChild(tree, at, edge(t, lp)));
  return { tree, id: at };
}

function ctx(tree: GenerationTree, cursor: number, record: DistributionRecord | null = null): ClaimContext {
  const ids = [...tree.promptIds];
  for (let n = cursor, path: number[] = []; ; ) {
    if (tree.nodes[n].parent === null) {
      ids.push(...path.reverse());
      break;
    }
    path.push(tree.nodes[n].edge!.tokenId);
    n = tree.nodes[n].parent!;
  }
  return { tree, cursor, record, eosTokenId: 9, pathTokens: ids.map((id) => ({ id, text: String(id), partial: false })), beamRun: null, teacherTokens: null, forwardPasses: 0, specRun: null };
}

describe('claims', () => {
  it('repeats: a run of 3 that occurs twice without overlap', () => {
    const { tree, id } = chain(createTree([1]), 0, [[5, -1], [6, -1], [7, -1], [5, -1], [6, -1], [7, -1]]);
    expect(evaluateClaim({ kind: 'repeats', length: 3 }, ctx(tree, id)).holds).toBe(true);
    expect(evaluateClaim({ kind: 'repeats', length: 4 }, ctx(tree, id)).holds).toBe(false);
    // 5 5 5 5: runs of 2 repeat without overlapping, runs of 3 only overlap
    const b = chain(createTree([1]), 0, [[5, -1], [5, -1], [5, -1], [5, -1]]);
    expect(evaluateClaim({ kind: 'repeats', length: 2 }, ctx(b.tree, b.id)).holds).toBe(true);
    expect(evaluateClaim({ kind: 'repeats', length: 3 }, ctx(b.tree, b.id)).holds).toBe(false);
  });

  it('branch-less-confident compares mean logprobs after the first token of two root branches', () => {
    let t = createTree([1]);
    ({ tree: t } = chain(t, 0, [[2, -0.1], [3, -0.5], [4, -0.5]])); // sibling: mean after first = -0.5
    const forced = chain(t, 0, [[8, -8], [3, -1], [4, -2]]); // mean after first = -1.5
    const r = evaluateClaim({ kind: 'branch-less-confident' }, ctx(forced.tree, forced.id));
    expect(r.holds).toBe(true);
    expect(r.value).toBeCloseTo(-1.0, 12);
  });

  it('top-prob, sums-to-one and kept-count read the shown record', () => {
    const rec: DistributionRecord = {
      vocabSize: 10,
      stages: ['raw', 'topK'],
      tokenIds: Int32Array.from([4, 2, 9]),
      logits: new Float32Array(3),
      stageProbs: Float64Array.from([0.5, 0.3, 0.1, 0.625, 0.375, 0]),
      kept: Uint8Array.from([1, 1, 1, 1, 1, 0]),
      restMass: Float64Array.from([0.1, 0]),
      removedAt: Int8Array.from([-1, -1, 1]),
      cumBefore: new Float64Array(3),
      entropyRawBits: 1,
      entropyFinalBits: 1,
    };
    const c = ctx(createTree([1]), 0, rec);
    expect(evaluateClaim({ kind: 'top-prob', min: 0.5 }, c)).toEqual({ holds: true, value: 0.5 });
    expect(evaluateClaim({ kind: 'top-prob', max: 0.4 }, c).holds).toBe(false);
    expect(evaluateClaim({ kind: 'sums-to-one' }, c).holds).toBe(true);
    expect(evaluateClaim({ kind: 'kept-count', max: 2 }, c)).toEqual({ holds: true, value: 2 });
    expect(evaluateClaim({ kind: 'eos-prob', max: 0.2 }, c)).toEqual({ holds: true, value: 0.1 });
    // with mass left outside the shown tokens, the kept count is unknown: the claim does not hold
    const open = { ...rec, restMass: Float64Array.from([0.1, 0.05]) };
    expect(evaluateClaim({ kind: 'kept-count', max: 2 }, ctx(createTree([1]), 0, open)).holds).toBe(false);
  });

  it('speculative claims: forwards per token, accepted drafts, the same text by plain steps, and answer-in', () => {
    // a speculative path 5 6 7 and a plain greedy path 5 6 7 from the root; EOS is 9
    const spec = chain(createTree([1]), 0, [[5, -1], [6, -1], [7, -1]]);
    let tree = spec.tree;
    for (const n of tree.nodes.slice(1)) tree = { ...tree, nodes: tree.nodes.map((x) => (x.id === n.id ? { ...x, edge: { ...x.edge!, method: 'speculative' as const } } : x)) };
    const plain = chain(tree, 0, [[5, -1], [6, -1], [7, -1]]);
    const run = { startNode: 0, tokens: [5, 6, 7], targetForwards: 2, accepted: 1 };
    const onPlain = { ...ctx(plain.tree, plain.id), specRun: run };
    expect(evaluateClaim({ kind: 'spec-forwards-per-token', max: 0.7 }, onPlain)).toEqual({ holds: true, value: 2 / 3 });
    expect(evaluateClaim({ kind: 'spec-forwards-per-token', max: 0.6 }, onPlain).holds).toBe(false);
    expect(evaluateClaim({ kind: 'spec-accepted', min: 1 }, onPlain).holds).toBe(true);
    expect(evaluateClaim({ kind: 'same-as-speculative' }, onPlain).holds).toBe(true);
    // on the speculative path itself the edges are speculative: not a plain rerun
    expect(evaluateClaim({ kind: 'same-as-speculative' }, { ...ctx(plain.tree, 3), specRun: run }).holds).toBe(false);
    expect(evaluateClaim({ kind: 'same-as-speculative' }, { ...ctx(plain.tree, plain.id), specRun: null }).holds).toBe(false);
    // answer-in reads the generated text without a final EOS (token text = its id here)
    const ans = chain(createTree([1]), 0, [[5, -1], [9, -1]]);
    expect(evaluateClaim({ kind: 'answer-in', options: ['5', '6'], value: true }, ctx(ans.tree, ans.id)).holds).toBe(true);
    expect(evaluateClaim({ kind: 'answer-in', options: ['6'], value: false }, ctx(ans.tree, ans.id)).holds).toBe(true);
    expect(evaluateClaim({ kind: 'answer-in', options: ['6'], value: true }, ctx(ans.tree, ans.id)).holds).toBe(false);
  });
});
