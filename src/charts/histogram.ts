/**
 * Column layout of the Monte-Carlo histogram: one band per token (plus the "rest" band),
 * sample share and probability on a shared linear y axis, with its tick values (heights in px
 * above the baseline). Pure, no DOM.
 */
import { scaleBand, scaleLinear } from 'd3';

/** One column: band position and width (px), and the heights (px) of the share and probability bars. */
export interface HistogramColumn {
  x: number;
  width: number;
  freqHeight: number;
  probHeight: number;
}

/**
 * @param freqs sample shares in [0, 1], one per column
 * @param probs probabilities in [0, 1], one per column (same length)
 * @param width, height plot size in px
 * @throws RangeError when the lengths differ
 */
export function histogramColumns(
  freqs: readonly number[],
  probs: readonly number[],
  width: number,
  height: number,
): { columns: HistogramColumn[]; max: number; ticks: { value: number; height: number }[] } {
  if (freqs.length !== probs.length) throw new RangeError(`histogramColumns: ${freqs.length} shares for ${probs.length} probabilities`);
  const x = scaleBand<number>()
    .domain(freqs.map((_, i) => i))
    .range([0, width])
    .paddingInner(0.2);
  const max = Math.max(1e-9, ...freqs, ...probs);
  const y = scaleLinear().domain([0, max]).range([0, height]);
  return {
    max,
    ticks: y.ticks(4).map((value) => ({ value, height: y(value) })),
    columns: freqs.map((f, i) => ({ x: x(i)!, width: x.bandwidth(), freqHeight: y(f), probHeight: y(probs[i]) })),
  };
}
