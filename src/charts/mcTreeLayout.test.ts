import { describe, expect, it } from 'vitest';
import { layoutMcTree } from './mcTreeLayout.ts';
import type { McTreeNode } from '../engine/mcTree.ts';

const node = (id: number, parent: number, depth: number, visits: number, children: number[]): McTreeNode => ({
  id, parent, tokenId: 100 + id, depth, visits, prob: 0.5, finalProb: 0.5, eos: false, children,
});

// 10 continuations: 7 went through token 101 (then 4 → 103, 3 → 104), 3 through token 102
const nodes = [node(0, -1, 0, 10, [2, 1]), node(1, 0, 1, 7, [3, 4]), node(2, 0, 1, 3, []), node(3, 1, 2, 4, []), node(4, 1, 2, 3, [])];

describe('layoutMcTree(nodes)', () => {
  const l = layoutMcTree(nodes, 190, 30, 14, 120);
  const at = (id: number) => l.nodes.find((n) => n.id === id)!;
  it('places depth left to right, dx apart', () => {
    expect(at(1).x - at(0).x).toBe(190);
    expect(at(3).x - at(1).x).toBe(190);
  });
  it('puts the most visited branch on top', () => {
    expect(at(1).y).toBeLessThan(at(2).y);
    expect(at(3).y).toBeLessThan(at(4).y);
  });
  it('draws each link as wide as its share of the N continuations', () => {
    const w = (id: number) => l.links.find((k) => k.id === id)!.width;
    expect(w(1)).toBeCloseTo(9.8, 9); // 14 · 7 / 10
    expect(w(2)).toBeCloseTo(4.2, 9);
    expect(w(4)).toBeCloseTo(4.2, 9);
    expect(l.links).toHaveLength(4);
  });
  it('keeps every node inside the drawing', () => {
    for (const n of l.nodes) {
      expect(n.y).toBeGreaterThan(0);
      expect(n.y).toBeLessThan(l.height);
      expect(n.x).toBeLessThan(l.width);
    }
  });
  it('rejects an empty tree', () => {
    expect(() => layoutMcTree([])).toThrow(RangeError);
  });
});
