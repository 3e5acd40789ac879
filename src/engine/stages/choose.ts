/**
 * Choose and sample on the final stage: argmax (lowest id on ties), inverse-CDF sampling with u
 * (tokens in descending final probability, lower id first on ties; the first whose cumulative
 * probability exceeds u), and the ranks of a chosen token.
 */
import { sortIndicesDescending } from '../order.ts';
import { sampleToken } from '../sampling.ts';
import { materialize, type DenseStage, type Stage } from './stage.ts';
/** argmax of the final probabilities, lowest id on ties (argmaxToken). */
export function argmaxOf(fin: Stage): number {
  if (fin.kind === 'dense') {
    const p = materialize(fin);
    let best = 0;
    for (let i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
    return best;
  }
  let bk = 0;
  for (let k = 1; k < fin.ids.length; k++) if (fin.probs[k] > fin.probs[bk]) bk = k;
  return fin.ids[bk];
}

/** sampleToken on the final stage. */
export function sampleFrom(fin: Stage, u: number): number {
  if (fin.kind === 'dense') return sampleToken(materialize(fin), u).tokenId;
  if (!(u >= 0 && u < 1)) throw new RangeError(`u must be in [0, 1): ${u}`);
  let count = 0;
  for (let k = 0; k < fin.probs.length; k++) if (fin.probs[k] > 0) count++;
  if (count > 4096) {
    const full = new Float64Array(Math.max(...fin.ids) + 1);
    for (let k = 0; k < fin.ids.length; k++) full[fin.ids[k]] = fin.probs[k];
    return sampleToken(full, u).tokenId;
  }
  // positions in the sparse arrays; ascending position = ascending id, so ties resolve as in sampleToken
  const order = new Int32Array(count);
  for (let k = 0, c = 0; k < fin.probs.length; k++) if (fin.probs[k] > 0) order[c++] = k;
  sortIndicesDescending(order, fin.probs);
  let cum = 0;
  for (let j = 0; j < order.length; j++) {
    cum += fin.probs[order[j]];
    if (cum > u) return fin.ids[order[j]];
  }
  return fin.ids[order[order.length - 1]];
}

/**
 * rankOf(raw probabilities, id): raw logits come from float32, so distinct logits give distinct
 * float64 probabilities and the order by logit equals the order by probability.
 */
export function rawRank(s: DenseStage, top: Int32Array, id: number): number {
  // the top-N is already in this order
  const at = top.indexOf(id);
  if (at >= 0) return at + 1;
  const v = s.values;
  const x = v[id];
  let rank = 1;
  for (let i = 0; i < v.length; i++) if (v[i] > x || (v[i] === x && i < id)) rank++;
  return rank;
}

/** rankOf(final probabilities, id). */
export function finalRank(fin: Stage, id: number, p: number): number {
  if (fin.kind === 'dense') {
    const probs = materialize(fin);
    let rank = 1;
    for (let i = 0; i < probs.length; i++) if (probs[i] > p || (probs[i] === p && i < id)) rank++;
    return rank;
  }
  let rank = 1;
  let positiveBelow = 0;
  for (let k = 0; k < fin.ids.length; k++) {
    const q = fin.probs[k];
    if (q > p || (q === p && fin.ids[k] < id)) rank++;
    if (p === 0 && q > 0 && fin.ids[k] < id) positiveBelow++;
  }
  // every removed token has probability 0 and ties with a removed choice when its id is lower
  if (p === 0) rank += id - positiveBelow;
  return rank;
}
