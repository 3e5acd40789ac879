/**
 * D3 scales and path helpers for the charts: pure functions, no DOM.
 */
import { interpolateYlGnBu, line, scaleBand, scaleLinear, scaleSequential } from 'd3';

/** Colour-blind-safe sequential tint (YlGnBu) for a probability in [0, 1]. */
export const probabilityColor = scaleSequential(interpolateYlGnBu).domain([0, 1]).clamp(true);

/** Text colour readable on `probabilityColor(p)`. */
export function textOnTint(p: number): string {
  return p > 0.55 ? '#ffffff' : '#111111';
}

/** Horizontal bar layout for `n` rows in `height` px and probabilities on [0, max]. */
export function barScales(n: number, width: number, height: number, max: number) {
  const y = scaleBand<number>()
    .domain(Array.from({ length: n }, (_, i) => i))
    .range([0, height])
    .paddingInner(0.15);
  const x = scaleLinear().domain([0, Math.max(max, 1e-9)]).range([0, width]).nice();
  return { x, y };
}

/** Log-probability axis: maps ln p ∈ [min, 0] to [0, width]. */
export function logprobScale(min: number, width: number) {
  return scaleLinear().domain([Math.min(min, -1e-9), 0]).range([0, width]).clamp(true);
}

/** An SVG path through (i, value) points, skipping non-finite values. */
export function seriesPath(values: readonly number[], width: number, height: number, maxY: number): string {
  const x = scaleLinear().domain([0, Math.max(1, values.length - 1)]).range([0, width]);
  const y = scaleLinear().domain([0, Math.max(maxY, 1e-9)]).range([height, 0]);
  return (
    line<number>()
      .defined((v) => Number.isFinite(v))
      .x((_, i) => x(i))
      .y((v) => y(v))(values as number[]) ?? ''
  );
}
