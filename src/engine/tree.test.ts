/**
 * Trees share their node array and are written in place when they are the newest over it (issue #19):
 * every tree ever returned must keep reading exactly the nodes it had. Checked against a plain
 * reference that deep-copies every tree (fast-check: random operations on random earlier trees, with
 * reads of old trees interleaved at random, since a read rebuilds an old tree's own array).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addChild, createTree, updateNode, changedSince, MAX_TREE_NODES, type Edge, type GenerationTree, type TreeNode } from './tree.ts';

const edge = (tokenId: number): Edge => ({ tokenId, method: 'manual', settingsKey: 'manual', drawKey: null, u: null, prob: 0.5, finalProb: 0.5, logprob: Math.log(0.5), rank: 1 });

/** What a tree must read: a deep copy taken when it was returned. */
const snapshot = (t: GenerationTree): TreeNode[] => JSON.parse(JSON.stringify(t.nodes)) as TreeNode[];

type Op = { kind: 'add' | 'stop' | 'reroll' | 'read'; from: number; at: number; token: number };
const op = fc.record({
  kind: fc.constantFrom<Op['kind']>('add', 'add', 'add', 'stop', 'reroll', 'read'),
  from: fc.nat(),
  at: fc.nat(),
  token: fc.nat({ max: 50 }),
});

describe('tree versions', () => {
  it('every tree reads its own nodes after any later operation on it or on others', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 80 }), fc.boolean(), (ops, preferNewest) => {
        const trees: GenerationTree[] = [createTree([1, 2, 3])];
        const expected: TreeNode[][] = [snapshot(trees[0])];
        for (const o of ops) {
          // mostly the newest tree (the in-place path), else any earlier one (the copy path)
          const i = preferNewest && o.from % 4 !== 0 ? trees.length - 1 : o.from % trees.length;
          const t = trees[i];
          if (o.kind === 'read') {
            expect(t.nodes).toEqual(expected[i]);
            continue;
          }
          const at = o.at % expected[i].length;
          const next =
            o.kind === 'add' ? addChild(t, at, edge(o.token)).tree : updateNode(t, at, o.kind === 'stop' ? { stop: 'user' } : { rerolls: expected[i][at].rerolls + 1 });
          trees.push(next);
          expected.push(snapshot(next));
          const changed = changedSince(t, next);
          expect(changed?.prevLength).toBe(expected[i].length);
        }
        trees.forEach((t, i) => expect(t.nodes).toEqual(expected[i]));
        // and serialising (JSON, structured clone, spread) reads the same
        trees.forEach((t, i) => {
          expect(JSON.parse(JSON.stringify(t)).nodes).toEqual(expected[i]);
          expect(structuredClone(t).nodes).toEqual(expected[i]);
          expect({ ...t }.nodes).toEqual(expected[i]);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('a step on the newest tree does not copy its node array; one on an older tree does', () => {
    let t = createTree([1]);
    for (let i = 0; i < 5; i++) t = addChild(t, i, edge(i)).tree;
    const a = t;
    const arr = a.nodes;
    const b = addChild(a, 5, edge(9)).tree;
    expect(b.nodes).toBe(arr); // written in place
    expect(a.nodes).not.toBe(arr); // a rebuilt its own
    expect(a.nodes).toHaveLength(6);
    expect(a.nodes[5].children).toEqual([]);
    expect(b.nodes[5].children).toEqual([6]);
    const c = addChild(a, 0, edge(7)).tree; // a is no longer the newest: a copy
    expect(c.nodes).not.toBe(b.nodes);
    expect(c.nodes[6].edge!.tokenId).toBe(7);
    expect(b.nodes[6].edge!.tokenId).toBe(9);
  });

  it(`refuses a child past ${MAX_TREE_NODES} nodes`, () => {
    let t = createTree([1]);
    for (let i = 1; i < MAX_TREE_NODES; i++) t = addChild(t, i - 1, edge(i % 7)).tree;
    expect(t.nodes).toHaveLength(MAX_TREE_NODES);
    expect(() => addChild(t, 0, edge(1))).toThrow(expect.objectContaining({ code: 'tree-full' }));
  });
});
