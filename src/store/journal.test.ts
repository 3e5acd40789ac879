import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Journal, journalEntry, replayJournal, type JournaledState, type KeyValueStorage } from './journal.ts';
import { addChild, createTree, updateNode, MAX_TREE_NODES, type Edge, type GenerationTree, type TreeNode } from '../engine/tree.ts';
import { parseSession, toSessionFile, type SessionFile } from './sessionSchema.ts';
import { DEFAULT_SETTINGS } from './store.ts';

/** localStorage's interface over a Map (what the journal needs of it). */
class MapStorage implements KeyValueStorage {
  readonly m = new Map<string, string>();
  getItem(k: string) {
    return this.m.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.m.set(k, v);
  }
  removeItem(k: string) {
    this.m.delete(k);
  }
  key(i: number) {
    return [...this.m.keys()][i] ?? null;
  }
  get length() {
    return this.m.size;
  }
}

const MODEL = { id: 'tiny-bilingual-gpt2', sourceKind: 'embedded' as const, vocabSize: 4000, fingerprint: null };
const edge = (tokenId: number, reroll: number): Edge => ({
  tokenId,
  method: 'sampled',
  settingsKey: 'sample:{"temperature":1}',
  drawKey: { seed: 42, depth: 0, reroll, stream: 0 },
  u: 0.25,
  prob: 0.5,
  finalProb: 0.5,
  logprob: Math.log(0.5),
  rank: 1,
});

function fileOf(st: JournaledState): SessionFile {
  return toSessionFile({ model: MODEL, prompt: st.prompt, chat: st.chat, settings: st, tree: st.tree, cursor: st.cursor });
}
const base = (st: JournaledState) => () => {
  const { records: _r, ...rest } = fileOf(st);
  return rest;
};
/** The session a load restores from the snapshot value and the journal (validated as on load). */
function restored(snapshot: unknown, j: Journal, after: number, tab: string | null = j.tab): SessionFile {
  const r = parseSession(JSON.parse(JSON.stringify(replayJournal(snapshot, j.entriesAfter(after), tab).value)));
  if (!r.ok) throw new Error(r.message);
  return r.session;
}
const comparable = (s: SessionFile) => ({ ...s, savedAt: '', records: {} });

type Op = { k: 'add'; parent: number; token: number } | { k: 'reroll'; node: number } | { k: 'stop'; node: number } | { k: 'cursor'; node: number } | { k: 'prompt'; n: number } | { k: 'temp'; t: number } | { k: 'fold' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ k: fc.constant('add' as const), parent: fc.nat(), token: fc.integer({ min: 0, max: 3999 }) }) },
  fc.record({ k: fc.constant('reroll' as const), node: fc.nat() }),
  fc.record({ k: fc.constant('stop' as const), node: fc.nat() }),
  { weight: 2, arbitrary: fc.record({ k: fc.constant('cursor' as const), node: fc.nat() }) },
  fc.record({ k: fc.constant('prompt' as const), n: fc.integer({ min: 1, max: 5 }) }),
  fc.record({ k: fc.constant('temp' as const), t: fc.double({ min: 0.1, max: 2, noNaN: true }) }),
  fc.record({ k: fc.constant('fold' as const) }),
);

describe('journal', () => {
  it('snapshot + replayed journal equals the state after every change (random changes and folds)', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 60 }), (ops) => {
        const storage = new MapStorage();
        const j = new Journal(storage);
        let st: JournaledState = { ...DEFAULT_SETTINGS, prompt: 'a', chat: null, tree: createTree([1, 2]), cursor: 0 };
        // the first entry holds the whole session (nothing is saved yet)
        j.append({ base: base(st)() });
        let snapshot: unknown = null;
        let snapSeq = 0;
        for (const op of ops) {
          const prev = st;
          const n = st.tree.nodes.length;
          if (op.k === 'add') st = { ...st, tree: addChild(st.tree, op.parent % n, edge(op.token, op.parent)).tree };
          else if (op.k === 'reroll') st = { ...st, tree: updateNode(st.tree, op.node % n, { rerolls: st.tree.nodes[op.node % n].rerolls + 1 }) };
          else if (op.k === 'stop') st = { ...st, tree: updateNode(st.tree, op.node % n, { stop: 'user' }) };
          else if (op.k === 'cursor') st = { ...st, cursor: op.node % n };
          else if (op.k === 'prompt') st = { ...st, prompt: 'p'.repeat(op.n), tree: createTree(Array.from({ length: op.n }, (_, i) => i + 3)), cursor: 0 };
          else if (op.k === 'temp') st = { ...st, sampling: { ...st.sampling, temperature: op.t } };
          else {
            // the IndexedDB snapshot of the state now, then the fold; a reload opens a new Journal
            snapshot = JSON.parse(JSON.stringify(fileOf(st)));
            snapSeq = j.last;
            j.fold(snapSeq);
          }
          const e = journalEntry(prev, st, base(st));
          if (e) j.append(e);
          // a reload at this moment restores exactly this state
          expect(comparable(restored(snapshot, j, snapSeq))).toEqual(comparable(fileOf(st)));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('two open tabs never mix: the chain of the tab that wrote the last base is replayed', () => {
    const storage = new MapStorage();
    const a = new Journal(storage);
    const b = new Journal(storage);
    let sa: JournaledState = { ...DEFAULT_SETTINGS, prompt: 'a', chat: null, tree: createTree([1, 2]), cursor: 0 };
    let sb: JournaledState = { ...sa, prompt: 'b', tree: createTree([3]) };
    a.append({ base: base(sa)() });
    b.append({ base: base(sb)() });
    for (let i = 0; i < 5; i++) {
      const na = { ...sa, tree: addChild(sa.tree, sa.tree.nodes.length - 1, edge(i, 0)).tree };
      a.append(journalEntry(sa, na, base(na))!);
      sa = na;
      const nb = { ...sb, tree: addChild(sb.tree, 0, edge(100 + i, 0)).tree };
      b.append(journalEntry(sb, nb, base(nb))!);
      sb = nb;
    }
    // b started last: its chain is restored, none of a's changes are mixed in
    expect(comparable(restored(null, new Journal(storage), 0, null))).toEqual(comparable(fileOf(sb)));
  });

  it('a growing tree journals only the new nodes (not the whole tree)', () => {
    let tree = createTree([1]);
    for (let i = 0; i < 2000; i++) tree = addChild(tree, i, edge(7, 0)).tree;
    const prev: JournaledState = { ...DEFAULT_SETTINGS, prompt: 'a', chat: null, tree, cursor: 2000 };
    const next = { ...prev, tree: addChild(tree, 2000, edge(8, 0)).tree, cursor: 2001 };
    const e = journalEntry(prev, next, () => {
      throw new Error('no base expected');
    })!;
    expect(e.nodes).toHaveLength(1);
    expect(e.cursor).toBe(2001);
    expect(JSON.stringify(e).length).toBeLessThan(400);
  });

  it('replay stops at a malformed entry and keeps what came before', () => {
    const st: JournaledState = { ...DEFAULT_SETTINGS, prompt: 'a', chat: null, tree: createTree([1, 2]), cursor: 0 };
    const t1 = addChild(st.tree, 0, edge(5, 0)).tree;
    const r = replayJournal(null, [{ base: base(st)() }, { nodes: [{ id: 1, parent: 0, edge: t1.nodes[1].edge, rerolls: 0, stop: null }], cursor: 1 }, { nodes: [{ id: 9, parent: 0, edge: {}, rerolls: 0, stop: null }] }, { cursor: 0 }]);
    expect(r.applied).toBe(2);
    expect((r.value as SessionFile).cursor).toBe(1);
  });

  it(`the tree cannot grow past ${MAX_TREE_NODES} nodes, and a tree at the limit saves and restores`, () => {
    // a bushy tree (four children a node) one node short of the limit, built directly (addChild copies the node list)
    const nodes: TreeNode[] = createTree([1]).nodes;
    for (let i = 1; i < MAX_TREE_NODES - 1; i++) {
      const parent = Math.floor((i - 1) / 4);
      nodes.push({ id: i, parent, depth: nodes[parent].depth + 1, edge: edge(i % 4000, 0), children: [], rerolls: 0, stop: null });
      nodes[parent].children.push(i);
    }
    // the last node that fits is added; the next one is refused with the message code
    let tree: GenerationTree = addChild({ promptIds: [1], nodes }, 0, edge(1, 0)).tree;
    expect(tree.nodes.length).toBe(MAX_TREE_NODES);
    tree = { ...tree };
    expect(() => addChild(tree, 0, edge(1, 0))).toThrow(expect.objectContaining({ code: 'tree-full' }));
    const file = toSessionFile({ model: MODEL, prompt: 'a', settings: DEFAULT_SETTINGS, tree, cursor: MAX_TREE_NODES - 1 });
    const r = parseSession(JSON.parse(JSON.stringify(file)));
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.session.tree.nodes).toEqual(tree.nodes);
  });
});
