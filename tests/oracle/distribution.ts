/**
 * The oracle: the straightforward processors, every stage a full-vocabulary array (runProcessors →
 * choice → tokenStat → recordDistribution), readable top to bottom. The production path
 * (src/engine/fastStep.ts and its stages) is tested against it (src/engine/fastStep.test.ts), and it
 * is tested against hand-computed vectors and torch references (processors.test.ts).
 */
import { assertFiniteLogits, entropyBits, softmaxStage, type StageState } from '../../src/engine/softmax.ts';
import { applyMask, applyRepetitionPenalty, applyTemperature, minPMask, topKMask, topPMask } from './processors.ts';
import { rankOf, topIndices } from '../../src/engine/order.ts';
import { cumulativeBefore, type DistributionRecord, type TokenStat } from '../../src/engine/distribution.ts';
import type { SamplingSettings, StageName } from '../../src/engine/settings.ts';

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

/** Greedy choice: the most probable token, lowest id on ties. */
export function argmaxToken(probs: ArrayLike<number>): { tokenId: number; rank: number } {
  let best = 0;
  for (let i = 1; i < probs.length; i++) if (probs[i] > probs[best]) best = i;
  return { tokenId: best, rank: 1 };
}
