import { describe, expect, it } from 'vitest';
import { growLevel, startMcTree } from './mcTree.ts';
import { DEFAULT_SAMPLING } from './settings.ts';
import { drawUniform } from './random.ts';
import { mcContinuationKey } from './monteCarlo.ts';

const settings = DEFAULT_SAMPLING;

describe('growLevel(nodes, frontier, logits, …)', () => {
  it('splits continuations by their sampled token, each with the inverse-CDF rule', () => {
    // two tokens: p = softmax([0, ln 3]) = [0.25, 0.75]; token 1 is first in sampling order
    const logits = [0, Math.log(3)];
    const nodes = startMcTree(40);
    const frontier = growLevel(nodes, [{ node: 0, ids: [5], samples: Array.from({ length: 40 }, (_, i) => i) }], [logits], settings, 11, 2, 0, []);
    let ones = 0;
    for (let i = 0; i < 40; i++) if (drawUniform(mcContinuationKey(11, 2, i, 0)) < 0.75) ones++;
    const byToken = new Map(nodes.slice(1).map((n) => [n.tokenId, n]));
    expect(byToken.get(1)?.visits ?? 0).toBe(ones);
    expect(byToken.get(0)?.visits ?? 0).toBe(40 - ones);
    expect(byToken.get(1)?.prob).toBeCloseTo(0.75, 12);
    expect(frontier.map((r) => r.samples.length).reduce((a, b) => a + b, 0)).toBe(40);
    expect(frontier[0].ids).toEqual([5, frontier[0].ids[1]]);
  });

  it('ends continuations at EOS and keeps visit counts consistent down the tree', () => {
    const nodes = startMcTree(10);
    // token 2 certain (EOS), everything else -Infinity-like
    const certain = [-50, -50, 50];
    const f1 = growLevel(nodes, [{ node: 0, ids: [1], samples: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] }], [certain], settings, 1, 0, 0, [2]);
    expect(f1).toHaveLength(0);
    expect(nodes).toHaveLength(2);
    expect(nodes[1]).toMatchObject({ tokenId: 2, visits: 10, eos: true, depth: 1, parent: 0 });
    expect(nodes[0].children).toEqual([1]);
  });

  it('rejects a logits row count that does not match the frontier', () => {
    expect(() => growLevel(startMcTree(1), [{ node: 0, ids: [], samples: [0] }], [], settings, 1, 0, 0, [])).toThrow(RangeError);
  });
});
