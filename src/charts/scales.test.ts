import { describe, expect, it } from 'vitest';
import { barScales, probabilityColor, seriesPath } from './scales.ts';
import { collapseChains, layoutTree, linkPath } from './treeLayout.ts';
import { addChild, createTree, type Edge } from '../engine/tree.ts';

const edge = (tokenId: number): Edge => ({ tokenId, method: 'greedy', settingsKey: 'k', drawKey: null, u: null, prob: 0.5, finalProb: 1, logprob: Math.log(0.5), rank: 1 });

describe('barScales(n, width, height, max)', () => {
  it('maps the max probability to the full width', () => {
    const { x, y } = barScales(4, 200, 100, 0.5);
    expect(x(0.5)).toBe(200);
    expect(Math.round(y.bandwidth())).toBe(22);
  });
});

describe('probabilityColor', () => {
  it('is light for 0 and dark for 1', () => {
    expect(probabilityColor(0)).not.toBe(probabilityColor(1));
  });
});

describe('seriesPath(values, w, h, max)', () => {
  it('draws a line through finite points', () => {
    expect(seriesPath([0, 1], 10, 10, 1)).toBe('M0,10L10,0');
  });
});

describe('collapseChains', () => {
  it('a 200-step chain keeps 3 at each end plus the pinned cursor', () => {
    let t = createTree([1, 2]);
    let at = 0;
    for (let i = 0; i < 200; i++) ({ tree: t, id: at } = addChild(t, at, edge(i)));
    const lay = layoutTree(t, new Set([100]));
    const ids = lay.nodes.map((n) => n.id);
    expect(ids).toContain(100);
    expect(ids).toContain(200);
    expect(ids.filter((id) => id === -1).length).toBe(2);
    expect(lay.nodes.length).toBeLessThan(20);
    const hidden = lay.nodes.reduce((a, n) => a + n.hidden, 0);
    expect(hidden + lay.nodes.filter((n) => n.id >= 0).length).toBe(201);
  });
  it('a branch point is never hidden', () => {
    let t = createTree([1]);
    ({ tree: t } = addChild(t, 0, edge(1)));
    ({ tree: t } = addChild(t, 0, edge(2)));
    const root = collapseChains(t, new Set());
    expect(root.children.map((c) => c.id)).toEqual([1, 2]);
  });
});

describe('linkPath(source, target)', () => {
  it('is a horizontal cubic Bézier with both control points at the middle x', () => {
    // control points (x0 + x1) / 2 at each end's y: M0,0 C5,0 5,20 10,20
    expect(linkPath({ x: 0, y: 0 }, { x: 10, y: 20 })).toBe('M0,0C5,0,5,20,10,20');
    expect(linkPath({ x: 30, y: 16 }, { x: 86, y: 46 })).toBe('M30,16C58,16,58,46,86,46');
  });
});
