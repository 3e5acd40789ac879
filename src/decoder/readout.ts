/**
 * What the attention view and the logit lens show for one node of the tree (issue #20): the
 * attention of the node's newest position (its last token, the query whose output became the node's
 * next-token distribution) over every position up to it, per layer and head, and the logit lens at
 * that position. Built from one forward's optional outputs (ModelBackend `attention` / `lens`).
 *
 * Pure TypeScript (no DOM, no engine calls).
 */
import type { ForwardResult } from './backend.ts';

/** Lens tokens kept per layer (the most probable). */
export const LENS_TOP = 5;

/** One layer of the logit lens: its most probable tokens. */
export interface LensRow {
  /** 0 = the embeddings, i = after block i; the last row is the model's own output. */
  layer: number;
  /** Token ids by descending probability (ties: lower id first). */
  tokenIds: number[];
  /** Their probabilities (softmax of that layer's lens logits over the whole vocabulary, float64). */
  probs: number[];
}

export interface Readout {
  /** The query's position, 0-based (the node's sequence length − 1). */
  query: number;
  layers: number;
  heads: number;
  /**
   * Attention probabilities of the query over positions 0..query, [layers][heads][query + 1]
   * row-major (each row sums to 1; softmax computed by the model's own graph).
   */
  attention: Float32Array;
  /** The logit lens (layers + 1 rows), or null when the model gives none. */
  lens: LensRow[] | null;
}

/**
 * The readout of row 0's last new position from a forward asked with `attention` (and `lens`).
 * @param sequenceLength prefix + new tokens of that row (the query is at sequenceLength − 1)
 * @throws RangeError when the forward has no attention or shapes disagree
 */
export function readoutOf(result: ForwardResult, sequenceLength: number): Readout {
  const att = result.attention;
  if (!att || att.length === 0) throw new RangeError('the forward returned no attention');
  const [, H, T, S] = att[0].dims;
  if (S !== sequenceLength) throw new RangeError(`attention covers ${S} positions, the sequence ${sequenceLength}`);
  const L = att.length;
  const out = new Float32Array(L * H * S);
  for (let l = 0; l < L; l++) {
    const v = att[l].values; // [B, H, T, S], row 0
    for (let h = 0; h < H; h++) out.set(v.subarray((h * T + T - 1) * S, (h * T + T) * S), (l * H + h) * S);
  }
  return { query: S - 1, layers: L, heads: H, attention: out, lens: result.lens ? lensRows(result.lens.values, result.lens.dims[0], result.lens.dims[1]) : null };
}

/** Top LENS_TOP tokens of each lens row by float64 softmax. `values`: [rows, vocab] raw logits. */
export function lensRows(values: Float32Array, rows: number, vocab: number): LensRow[] {
  const out: LensRow[] = [];
  for (let r = 0; r < rows; r++) {
    const row = values.subarray(r * vocab, (r + 1) * vocab);
    let max = -Infinity;
    for (let i = 0; i < vocab; i++) if (row[i] > max) max = row[i];
    let sum = 0;
    for (let i = 0; i < vocab; i++) sum += Math.exp(row[i] - max);
    const top: number[] = []; // sorted by descending logit; equal logits keep the lower id first
    for (let i = 0; i < vocab; i++) {
      const v = row[i];
      if (top.length === LENS_TOP && v <= row[top[LENS_TOP - 1]]) continue;
      if (top.length < LENS_TOP) top.push(i);
      let j = top.length - 1;
      while (j > 0 && row[top[j - 1]] < v) {
        top[j] = top[j - 1];
        j--;
      }
      top[j] = i;
    }
    out.push({ layer: r, tokenIds: top, probs: top.map((i) => Math.exp(row[i] - max) / sum) });
  }
  return out;
}

/** Head `h`'s row in layer `l` (a view, length query + 1). */
export function attentionRow(r: Readout, l: number, h: number): Float32Array {
  const S = r.query + 1;
  return r.attention.subarray((l * r.heads + h) * S, (l * r.heads + h + 1) * S);
}

/** The heads' average in layer `l` (float64 sum, as float numbers). */
export function meanRow(r: Readout, l: number): number[] {
  const S = r.query + 1;
  const out = new Array<number>(S).fill(0);
  for (let h = 0; h < r.heads; h++) {
    const row = attentionRow(r, l, h);
    for (let s = 0; s < S; s++) out[s] += row[s] / r.heads;
  }
  return out;
}
