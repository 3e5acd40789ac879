/**
 * The distribution record of a step from its stages: the shown tokens' probability at every stage,
 * which stage removed each, the rest masses, the sampling-order cumulative positions and the
 * entropies (bits).
 */
import { cumulativeBefore, cumulativeBeforeOver, type DistributionRecord } from '../distribution.ts';
import type { StageName } from '../settings.ts';
import { denseLogit, findId, materialize, SHOWN, stageProbOf, type DenseStage, type SparseStage, type Stage } from './stage.ts';

/**
 * The record of a step.
 * @param stages every stage (raw first, the final one last), named by `names`
 * @param raw the raw logits (float64, length vocabSize)
 * @param flags SHOWN set for the shown ids known before the choice
 * @param shownIds those ids, in any order (sorted here, in place)
 * @param lateExtra the chosen token when it was not shown before (its mass leaves the dense rest sums), else -1
 */
export function buildRecord(
  names: StageName[],
  stages: Stage[],
  raw: Float64Array,
  flags: Uint8Array,
  shownIds: number[],
  lateExtra: number,
): DistributionRecord {
  const rawStage = stages[0] as DenseStage;
  const fin = stages[stages.length - 1];
  const V = raw.length;
  const rawP = new Map<number, number>();
  for (const id of shownIds) rawP.set(id, stageProbOf(rawStage, id));
  shownIds.sort((a, b) => rawP.get(b)! - rawP.get(a)! || a - b);
  const n = shownIds.length;
  const S = stages.length;
  const stageProbs = new Float64Array(S * n);
  const kept = new Uint8Array(S * n);
  const restMass = new Float64Array(S);
  const removedAt = new Int8Array(n).fill(-1);
  for (let s = 0; s < S; s++) {
    const st = stages[s];
    for (let j = 0; j < n; j++) {
      const id = shownIds[j];
      let pr: number;
      let k: number;
      if (st.kind === 'dense') {
        pr = stageProbOf(st, id);
        k = 1;
      } else {
        const at = findId(st.ids, id);
        pr = at < 0 ? 0 : st.probs[at];
        k = at < 0 ? 0 : 1;
      }
      stageProbs[s * n + j] = pr;
      kept[s * n + j] = k;
      if (!k && removedAt[j] < 0) removedAt[j] = s;
    }
    if (st.kind === 'dense') {
      let rest = st.rest;
      if (lateExtra >= 0) rest -= Math.exp(denseLogit(st, lateExtra) - st.shift);
      restMass[s] = Math.max(0, rest) * (1 / st.z);
    } else {
      let rest = 0;
      for (let k = 0; k < st.ids.length; k++) {
        const id = st.ids[k];
        if (!(flags[id] & SHOWN) && id !== lateExtra) rest += st.probs[k];
      }
      restMass[s] = rest;
    }
  }
  const logitsOut = new Float32Array(n);
  for (let j = 0; j < n; j++) logitsOut[j] = raw[shownIds[j]];
  const cumBefore = fin.kind === 'dense' ? cumulativeBefore(materialize(fin), shownIds) : sparseCumBefore(fin, shownIds);
  return {
    vocabSize: V,
    stages: names,
    tokenIds: Int32Array.from(shownIds),
    logits: logitsOut,
    stageProbs,
    kept,
    restMass,
    removedAt,
    cumBefore,
    entropyRawBits: denseEntropyBits(rawStage),
    entropyFinalBits: fin.kind === 'dense' ? denseEntropyBits(fin) : sparseEntropyBits(fin),
  };
}

/** Entropy of a dense stage (bits). */
export function denseEntropyBits(s: DenseStage): number {
  return Math.max(0, (Math.log(s.z) - s.ent / s.z) / Math.LN2);
}

/** Entropy of a sparse stage (bits). */
export function sparseEntropyBits(s: SparseStage): number {
  let sum = 0;
  for (let k = 0; k < s.ids.length; k++) {
    const p = s.probs[k];
    if (p > 0) sum += p * (s.logits[k] - s.max);
  }
  return Math.max(0, (s.logZ - sum) / Math.LN2);
}

/** cumulativeBefore over a sparse final stage: only kept tokens have mass, summed in ascending id order. */
export function sparseCumBefore(fin: SparseStage, shown: readonly number[]): Float64Array {
  return cumulativeBeforeOver(shown, (id) => stageProbOf(fin, id), (add) => {
    for (let k = 0; k < fin.ids.length; k++) add(fin.ids[k], fin.probs[k]);
  });
}
