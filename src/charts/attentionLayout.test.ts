import { describe, expect, it } from 'vitest';
import { sharpestHead, stripLayout, topPositions, weightsOf } from './attentionLayout.ts';
import type { Readout } from '../decoder/readout.ts';

// two layers, two heads, query at position 2: rows written out by hand
const r: Readout = {
  query: 2,
  layers: 2,
  heads: 2,
  attention: Float32Array.from([0.5, 0.25, 0.25, 0.1, 0.1, 0.8, 0.2, 0.6, 0.2, 1, 0, 0]),
  lens: null,
};

describe('attention layout', () => {
  it('the heads average and one head', () => {
    expect(weightsOf(r, 0, 'mean').map((x) => +x.toFixed(6))).toEqual([0.3, 0.175, 0.525]);
    expect(weightsOf(r, 1, 1)).toEqual([1, 0, 0]);
  });
  it('the sharpest head is the one with the largest single weight', () => {
    expect(sharpestHead(r)).toEqual({ layer: 1, head: 1, to: 0, weight: 1 });
  });
  it('wraps cells into rows', () => {
    const l = stripLayout([0.2, 0.3, 0.5], 130);
    expect(l.cells.map((c) => [c.x, c.y])).toEqual([[0, 0], [64, 0], [0, 46]]);
    expect(l.height).toBe(92);
  });
  it('top positions, lower position first on ties', () => {
    expect(topPositions([0.2, 0.4, 0.4, 0.0], 2)).toEqual([1, 2]);
  });
});
