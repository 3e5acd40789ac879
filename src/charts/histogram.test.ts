import { describe, expect, it } from 'vitest';
import { histogramColumns } from './histogram.ts';

describe('histogramColumns(freqs, probs, width, height)', () => {
  it('lays out bands with 20 % inner padding and a shared y scale', () => {
    // 2 bands in 100 px: step = 100 / (2 - 0.2) = 55.56, bandwidth = 44.44
    const { columns, max } = histogramColumns([0.5, 0.25], [0.4, 0.2], 100, 50);
    expect(max).toBe(0.5);
    expect(columns[0].x).toBeCloseTo(0, 6);
    expect(columns[1].x).toBeCloseTo(55.556, 2);
    expect(columns[0].width).toBeCloseTo(44.444, 2);
    expect(columns[0].freqHeight).toBeCloseTo(50, 9);
    expect(columns[0].probHeight).toBeCloseTo(40, 9);
    expect(columns[1].freqHeight).toBeCloseTo(25, 9);
  });
  it('gives round y ticks from 0 to the maximum', () => {
    const { ticks } = histogramColumns([0.5, 0.25], [0.4, 0.2], 100, 50);
    expect(ticks.map((t) => t.value)).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5]);
    expect(ticks[5].height).toBeCloseTo(50, 9);
  });
  it('rejects mismatched lengths', () => {
    expect(() => histogramColumns([1], [], 10, 10)).toThrow(RangeError);
  });
});
