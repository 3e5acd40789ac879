import { assertFiniteLogits, entropyBits, softmaxStage, type StageState } from './softmax.ts';
import { applyMask, applyRepetitionPenalty, applyTemperature, minPMask, topKMask, topPMask } from './processors.ts';
import { rankOf, topIndices } from './order.ts';
import type { SamplingSettings, StageName } from './settings.ts';

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
}

/** Index of the final stage. */
export function finalStageIndex(r: DistributionRecord): number {
  return r.stages.length - 1;
}

/** Probability of shown entry j at stage s. */
export function stageProb(r: DistributionRecord, s: number, j: number): number {
  return r.stageProbs[s * r.tokenIds.length + j];
}

/** All stages of one step, full-vocabulary (kept in the worker, not transferred). */
export interface ProcessedStages {
  names: StageName[];
  states: StageState[];
}

/**
 * Runs the processor chain on a model's logits: raw → repetition penalty → the
 * four processors in `settings.order`.
 * @param logits Float32Array of length vocabSize (raw model logits)
 * @param contextIds prompt + generated ids seen so far (for the repetition penalty)
 * @throws EngineError `non-finite-logits` when the model produced NaN/±Infinity
 */
export function runProcessors(logits: ArrayLike<number>, contextIds: readonly number[], settings: SamplingSettings): ProcessedStages {
  assertFiniteLogits(logits);
  const raw = softmaxStage(Float64Array.from(logits));
  const names: StageName[] = ['raw'];
  const states: StageState[] = [raw];
  const penalized =
    settings.repetitionPenalty === 1 ? raw : softmaxStage(applyRepetitionPenalty(raw.logits, contextIds, settings.repetitionPenalty));
  names.push('repetitionPenalty');
  states.push(penalized);
  let cur = penalized;
  for (const p of settings.order) {
    switch (p) {
      case 'temperature':
        cur = applyTemperature(cur, settings.temperature);
        break;
      case 'topK':
        cur = applyMask(cur, topKMask(cur, settings.topK));
        break;
      case 'topP':
        cur = applyMask(cur, topPMask(cur, settings.topP));
        break;
      case 'minP':
        cur = applyMask(cur, minPMask(cur, settings.minP));
        break;
      default: {
        const never: never = p;
        throw new RangeError(`unknown processor ${String(never)}`);
      }
    }
    names.push(p);
    states.push(cur);
  }
  return { names, states };
}

/** Final probabilities (after every processor), Float64Array of length vocabSize. */
export function finalProbs(stages: ProcessedStages): Float64Array {
  return stages.states[stages.states.length - 1].probs;
}

/**
 * Picks the top-N tokens by model probability plus `extraIds` (the chosen token,
 * EOS, queried ids) and records every stage for them, with the rest mass summed
 * over the excluded tokens.
 */
export function recordDistribution(stages: ProcessedStages, topN: number, extraIds: readonly number[]): DistributionRecord {
  const raw = stages.states[0];
  const vocabSize = raw.probs.length;
  const top = topIndices(raw.logits, Math.max(1, topN));
  const ids: number[] = Array.from(top);
  const inSet = new Uint8Array(vocabSize);
  for (const id of ids) inSet[id] = 1;
  for (const id of extraIds) {
    if (id >= 0 && id < vocabSize && !inSet[id]) {
      inSet[id] = 1;
      ids.push(id);
    }
  }
  // keep the display order by model probability (ties: lower id)
  ids.sort((a, b) => raw.probs[b] - raw.probs[a] || a - b);
  const n = ids.length;
  const S = stages.states.length;
  const stageProbs = new Float64Array(S * n);
  const kept = new Uint8Array(S * n);
  const restMass = new Float64Array(S);
  const removedAt = new Int8Array(n).fill(-1);
  for (let s = 0; s < S; s++) {
    const st = stages.states[s];
    for (let j = 0; j < n; j++) {
      const id = ids[j];
      stageProbs[s * n + j] = st.probs[id];
      const k = st.logits[id] > -Infinity ? 1 : 0;
      kept[s * n + j] = k;
      if (!k && removedAt[j] < 0) removedAt[j] = s;
    }
    let rest = 0;
    for (let i = 0; i < vocabSize; i++) if (!inSet[i]) rest += st.probs[i];
    restMass[s] = rest;
  }
  const logitsOut = new Float32Array(n);
  for (let j = 0; j < n; j++) logitsOut[j] = raw.logits[ids[j]];
  const cumBefore = cumulativeBefore(stages.states[S - 1].probs, ids);
  return {
    vocabSize,
    stages: stages.names.slice(),
    tokenIds: Int32Array.from(ids),
    logits: logitsOut,
    stageProbs,
    kept,
    restMass,
    removedAt,
    cumBefore,
    entropyRawBits: entropyBits(raw),
    entropyFinalBits: entropyBits(stages.states[S - 1]),
  };
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

/** Statistics of any token id at this step (used by the token query box). */
export function tokenStat(stages: ProcessedStages, tokenId: number): TokenStat {
  const raw = stages.states[0];
  const fin = stages.states[stages.states.length - 1];
  if (!Number.isInteger(tokenId) || tokenId < 0 || tokenId >= raw.probs.length) {
    throw new RangeError(`tokenId must be in [0, ${raw.probs.length}): ${tokenId}`);
  }
  return {
    tokenId,
    prob: raw.probs[tokenId],
    logprob: raw.logits[tokenId] - raw.max - raw.logZ,
    rank: rankOf(raw.probs, tokenId),
    finalProb: fin.probs[tokenId],
    finalRank: rankOf(fin.probs, tokenId),
  };
}
