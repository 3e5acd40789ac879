import type { StageName } from './settings.ts';

/**
 * One step's distribution as the UI draws it: a top-N slice with every stage,
 * in columnar typed arrays so the worker can transfer it.
 */
export interface DistributionRecord {
  vocabSize: number;
  /** Stages in applied order; stages[0] = 'raw' (softmax of the model's logits). */
  stages: StageName[];
  /** Int32Array of length n: the shown token ids, by model probability descending. */
  tokenIds: Int32Array;
  /** Float32Array of length n: raw logits of those tokens. */
  logits: Float32Array;
  /** Float64Array of length stages.length × n, row-major by stage: probabilities after each stage. */
  stageProbs: Float64Array;
  /** Uint8Array of length stages.length × n: 1 if still kept after that stage. */
  kept: Uint8Array;
  /** Float64Array of length stages.length: probability mass of every token NOT in tokenIds, summed directly. */
  restMass: Float64Array;
  /** Which stage removed each shown token (index into stages), -1 if never removed. */
  removedAt: Int8Array;
  /**
   * Float64Array of length n: final probability mass of all tokens before each shown token in
   * sampling order (descending final probability, lower id first). Token j is sampled when
   * cumBefore[j] ≤ u < cumBefore[j] + p_final[j].
   */
  cumBefore: Float64Array;
  /** Entropy of the raw distribution, bits. */
  entropyRawBits: number;
  /** Entropy after all processors, bits. */
  entropyFinalBits: number;
  /**
   * Only on an engine that reports the top N tokens (a server, issue #16): the model probability the
   * engine did not report (1 − Σ reported), kept apart from `restMass` (which is the reported tokens
   * not shown). Absent when the whole vocabulary was scored.
   */
  unreportedMass?: number;
  /** Only on a top-N engine: what was reported, and the stages computed on the reported tokens only (approximate). */
  top?: TopNote;
}

/** What a top-N engine reported at a step (see src/decoder/topScores.ts). */
export interface TopNote {
  /** Tokens reported. */
  reported: number;
  /** Their total model probability (the engine's), in (0, 1]. */
  reportedMass: number;
  /** Stages computed on the reported tokens only, renormalised over them: approximate (every stage after `raw`). */
  approximateStages: StageName[];
}

/** Index of the final stage. */
export function finalStageIndex(r: DistributionRecord): number {
  return r.stages.length - 1;
}

/** Probability of shown entry j at stage s. */
export function stageProb(r: DistributionRecord, s: number, j: number): number {
  return r.stageProbs[s * r.tokenIds.length + j];
}

/**
 * For each id in `ids`, the total of `probs` over tokens before it in descending order (lower id
 * first on ties). One pass over the vocabulary with a binary search among the shown tokens.
 */
export function cumulativeBefore(probs: Float64Array, ids: readonly number[]): Float64Array {
  return cumulativeBeforeOver(ids, (id) => probs[id], (add) => {
    for (let i = 0; i < probs.length; i++) add(i, probs[i]);
  });
}

/**
 * cumulativeBefore over any support.
 * @param probOf the probability of a shown token
 * @param forEachMass calls `add(id, p)` for every token that may have mass, in ascending id order
 *   (the order the dense version sums in, so both give the same bits)
 * @returns Float64Array of length ids.length
 */
export function cumulativeBeforeOver(
  ids: readonly number[],
  probOf: (id: number) => number,
  forEachMass: (add: (id: number, p: number) => void) => void,
): Float64Array {
  const n = ids.length;
  // shown tokens in sampling order
  const pOf = ids.map(probOf);
  const order = ids.map((_, j) => j).sort((a, b) => pOf[b] - pOf[a] || ids[a] - ids[b]);
  const keyP = order.map((j) => pOf[j]);
  const keyId = order.map((j) => ids[j]);
  // bucket[k]: mass of tokens that come after shown token order[k-1] and before order[k]
  const bucket = new Float64Array(n + 1);
  const isShown = new Set(ids);
  forEachMass((i, p) => {
    if (p <= 0 || isShown.has(i)) return;
    // first k whose token comes after i in sampling order
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (keyP[mid] < p || (keyP[mid] === p && keyId[mid] > i)) hi = mid;
      else lo = mid + 1;
    }
    bucket[lo] += p;
  });
  const out = new Float64Array(n);
  let acc = 0;
  for (let k = 0; k < n; k++) {
    acc += bucket[k];
    out[order[k]] = acc;
    acc += keyP[k];
  }
  return out;
}

/** Probability and 1-based rank of one token at the raw and final stages. */
export interface TokenStat {
  tokenId: number;
  /** Model probability (softmax of raw logits). */
  prob: number;
  /** Natural log of `prob`. */
  logprob: number;
  /** Rank by model probability, 1 = most probable. */
  rank: number;
  /** Probability after all processors (0 when filtered out). */
  finalProb: number;
  /** Rank by final probability. */
  finalRank: number;
}

