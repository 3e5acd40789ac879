/**
 * The path delta (pathDelta.ts) against the plain walk it replaces: over random trees and random
 * moves (steps, branches, jumps anywhere, a new tree epoch), what the worker rebuilds from each
 * delta equals `pathTo` (as cache ids) and `sequenceIds` of the node, and a step from the last
 * position sends one node; the prefix hashes the receiver keeps as the path grows equal a fresh pass.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addChild, createTree, pathTo, sequenceIds, type Edge, type GenerationTree } from '../engine/tree.ts';
import { PathReceiver, PathSender } from './pathDelta.ts';
import { prefixHashes } from '../decoder/prefixHash.ts';

const edge = (tokenId: number): Edge => ({ tokenId, method: 'manual', settingsKey: 'k', drawKey: null, u: null, prob: 0.5, finalProb: 0.5, logprob: Math.log(0.5), rank: 1 });

describe('path delta', () => {
  it('rebuilds every position exactly, whatever the moves', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.tuple(fc.constantFrom('step', 'jump', 'epoch', 'same'), fc.nat(), fc.integer({ min: 0, max: 9 })), { minLength: 1, maxLength: 80 }),
        (prompt, moves) => {
          let tree: GenerationTree = createTree(prompt);
          let epoch = 0;
          let at = 0;
          let sentInEpoch = false;
          const sender = new PathSender();
          const receiver = new PathReceiver();
          for (const [kind, pick, token] of moves) {
            if (kind === 'step') ({ tree, id: at } = addChild(tree, at, edge(token)));
            else if (kind === 'jump') at = pick % tree.nodes.length;
            else if (kind === 'epoch') {
              epoch++;
              sentInEpoch = false;
            }
            const cid = (id: number) => epoch * 1_048_576 + id;
            const ref = structuredClone(sender.encode(tree, at, cid));
            const got = receiver.resolve(ref);
            expect(got.path).toEqual(pathTo(tree, at).map(cid));
            expect(got.ids).toEqual(sequenceIds(tree, at));
            // the prefix hashes kept with the register equal one pass over a copy of the ids
            expect(Object.isFrozen(got.ids)).toBe(true);
            expect(prefixHashes(got.ids)).toEqual(prefixHashes([...got.ids]));
            // from the last position: a step sends one node, staying sends none
            if (sentInEpoch && kind === 'step') expect(ref.path.length).toBe(1);
            if (sentInEpoch && kind === 'same') expect(ref.path).toEqual([]);
            sentInEpoch = true;
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('another tree with the same cache ids (not renumbered) is sent whole, never mixed with the last one', () => {
    const sender = new PathSender();
    const receiver = new PathReceiver();
    let a = createTree([5]);
    ({ tree: a } = addChild(a, 0, edge(1)));
    let b = createTree([5]);
    ({ tree: b } = addChild(b, 0, edge(2)));
    receiver.resolve(sender.encode(a, 1, (id) => id));
    const ref = sender.encode(b, 1, (id) => id);
    expect(ref.keep).toBe(0);
    expect(receiver.resolve(ref)).toEqual({ path: [0, 1], ids: [5, 2] });
  });

  it('a position without keep passes through and leaves the register alone', () => {
    const receiver = new PathReceiver();
    const sender = new PathSender();
    let tree = createTree([5, 6]);
    ({ tree } = addChild(tree, 0, edge(1)));
    receiver.resolve(sender.encode(tree, 1, (id) => id));
    expect(receiver.resolve({ path: [-7], ids: [3] })).toEqual({ path: [-7], ids: [3] });
    expect(receiver.resolve(sender.encode(tree, 1, (id) => id))).toEqual({ path: [0, 1], ids: [5, 6, 1] });
  });

  it('a delta that keeps more than the worker holds is an error, not a wrong position', () => {
    const receiver = new PathReceiver();
    expect(() => receiver.resolve({ path: [3], ids: [1], keep: 2 })).toThrow(/keeps 2 nodes of a 0-node path/);
  });
});
