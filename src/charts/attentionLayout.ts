/**
 * Layout and colours of the attention strip and the logit-lens chart (issue #20): pure functions
 * with D3 scales, no DOM. React draws what these compute.
 */
import { interpolateBlues, scaleLinear, scaleSequential } from 'd3';
import { attentionRow, meanRow, type Readout } from '../decoder/readout.ts';

export const CELL_W = 64;
export const CELL_H = 46;
/** Height of the weight bar inside a cell (px); the token text sits below it. */
export const BAR_H = 20;

/** One position of the strip: its place and its weight. */
export interface StripCell {
  /** Key position 0..query. */
  to: number;
  x: number;
  y: number;
  weight: number;
}

/** The weights shown: one head's row or the heads' average (plain numbers, 0..1). */
export function weightsOf(r: Readout, layer: number, head: number | 'mean'): number[] {
  return head === 'mean' ? meanRow(r, layer) : Array.from(attentionRow(r, layer, head));
}

/** Cells of a strip of `weights` wrapped into rows of at most `width` px. */
export function stripLayout(weights: readonly number[], width: number): { cells: StripCell[]; height: number; width: number } {
  const perRow = Math.max(1, Math.floor(width / CELL_W));
  const cells = weights.map((weight, to) => ({ to, x: (to % perRow) * CELL_W, y: Math.floor(to / perRow) * CELL_H, weight }));
  const rows = Math.max(1, Math.ceil(weights.length / perRow));
  return { cells, height: rows * CELL_H, width: Math.min(weights.length, perRow) * CELL_W };
}

/** Fill for a weight: sequential blues over [0, 1] (a weight's share of the query's attention). */
export const weightColor = scaleSequential(interpolateBlues).domain([0, 1]).clamp(true);

/**
 * The sharpest head: the (layer, head) whose row puts the largest single weight on one position
 * (lowest layer, then head, on ties).
 */
export function sharpestHead(r: Readout): { layer: number; head: number; to: number; weight: number } {
  let best = { layer: 0, head: 0, to: 0, weight: -1 };
  for (let l = 0; l < r.layers; l++)
    for (let h = 0; h < r.heads; h++) {
      const row = attentionRow(r, l, h);
      for (let s = 0; s < row.length; s++) if (row[s] > best.weight) best = { layer: l, head: h, to: s, weight: row[s] };
    }
  return best;
}

/** Positions of the `k` largest weights, largest first (lower position on ties). */
export function topPositions(weights: readonly number[], k: number): number[] {
  return weights
    .map((w, i) => [w, i] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1])
    .slice(0, k)
    .map(([, i]) => i);
}

/** Bar length scale of the lens chart: probability 0..1 to 0..width px. */
export function lensScale(width: number) {
  return scaleLinear().domain([0, 1]).range([0, width]).clamp(true);
}
