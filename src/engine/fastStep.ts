import { assertFiniteLogits } from './softmax.ts';
import type { DistributionRecord, TokenStat } from './distribution.ts';
import { TopHeap } from './order.ts';
import type { SamplingSettings, StageName } from './settings.ts';
import { densePass, materialize, scratch, SEEN, SHOWN, stageProbOf, type DenseStage, type Stage } from './stages/stage.ts';
import { penalize, rawPenPass } from './stages/repetitionPenalty.ts';
import { temperatureStage } from './stages/temperature.ts';
import { topKStage } from './stages/topK.ts';
import { topPStage } from './stages/topP.ts';
import { minPStage } from './stages/minP.ts';
import { argmaxOf, finalRank, rawRank, sampleFrom } from './stages/choose.ts';
import { buildRecord } from './stages/record.ts';

/**
 * The one sampling implementation: the distribution math of a step without full-vocabulary arrays
 * per stage, one file per stage under ./stages (stage representation, repetition penalty,
 * temperature, top-k, top-p, min-p, choose/sample, record). Steps, Run to end, the token query,
 * Monte-Carlo samples and continuations, compare and teacher forcing all use it. Its results equal
 * the straightforward processors kept as the oracle under tests/oracle (≤ 1e-12 in float64, the
 * discrete choices identical; fastStep.test.ts), at a fraction of the cost on a large vocabulary
 * (benchmark P5, docs/PERFORMANCE.md). Semantics: Hugging Face logits processors (raw → repetition
 * penalty → `settings.order`).
 *
 * How: a stage before the first filter is "dense" and kept as accumulators (shift = max logit,
 * Z = Σ exp(l − shift), Σ exp(l − shift)·(l − shift) for the entropy, and the mass outside the shown
 * tokens), each from one exp pass; the probability of any single token is recomputed on demand with
 * the same operations as the reference (`exp(l − max) · (1/Z)`), so shown probabilities are
 * bit-identical. A filter (top-k by a bounded heap, top-p by partial selection, min-p by a logit
 * pre-cut, T = 0 by argmax) turns the stage "sparse": its kept ids in ascending order with their
 * logits and probabilities, so every later stage, the rest masses, the entropy, the sampling order
 * and the cumulative positions touch only the kept tokens. Only when the final stage is still dense
 * (no filter, e.g. plain sampling at T = 1) is one full probability array built, as the reference does.
 */

/** How the step chooses its token. */
export type FastChoose = { kind: 'none' } | { kind: 'manual'; tokenId: number } | { kind: 'greedy' } | { kind: 'sample'; u: number };

/** The chosen token's statistics (as `tokenStat` gives them). */
export type FastChoice = TokenStat;

/** The stages of one step and what the record needs of them. */
interface StageRun {
  names: StageName[];
  stages: Stage[];
  rawStage: DenseStage;
  fin: Stage;
  /** Raw logits, float64 (a scratch array: valid until the next run). */
  raw: Float64Array;
  /** Raw top-N ids, by descending logit. */
  top: Int32Array;
  flags: Uint8Array;
  /** Ids shown before the choice: the top-N, then the known extras. */
  shownIds: number[];
}

/** The processor chain on a step's logits, with the shown tokens flagged (their mass is kept out of the rest sums). */
function runStages(logits: ArrayLike<number>, contextIds: readonly number[], settings: SamplingSettings, topN: number, knownExtraIds: readonly number[]): StageRun {
  const V = logits.length;
  const sc = scratch(V);
  const { raw, pen, flags, notShown } = sc;
  // SEEN: the distinct context ids the repetition penalty changes
  const theta = settings.repetitionPenalty;
  if (theta !== 1) {
    for (const id of contextIds) if (id >= 0 && id < V) flags[id] = SEEN;
  }
  // one heap serves the record's top-N and top-k's candidates (see TopKHint)
  const seen: number[] = [];
  if (theta !== 1) for (const id of new Set(contextIds)) if (id >= 0 && id < V) seen.push(id);
  const kHint = settings.topK > 0 && settings.topK + seen.length <= 4096 ? settings.topK + seen.length : 0;
  const heap = new TopHeap(raw, Math.max(1, topN, kHint));
  // one pass: float64 copy, finiteness, max of the raw and of the unpenalised logits, the top-M heap
  let rawMax = -Infinity;
  let freeMax = -Infinity;
  for (let i = 0; i < V; i++) {
    const x = logits[i];
    if (x - x !== 0) assertFiniteLogits(logits); // NaN or ±Infinity: throws with the index
    raw[i] = x;
    if (x > rawMax) rawMax = x;
    if (flags[i] === 0 && x > freeMax) freeMax = x;
    if (x > heap.gate) heap.offer(i);
  }

  // shown before the choice: top-N by model logits, then the known extras
  const rawTop = heap.sorted();
  const top = rawTop.subarray(0, Math.max(1, topN));
  const shownIds: number[] = Array.from(top);
  for (const id of top) flags[id] |= SHOWN;
  for (const id of knownExtraIds) {
    if (id >= 0 && id < V && !(flags[id] & SHOWN)) {
      flags[id] |= SHOWN;
      shownIds.push(id);
    }
  }
  for (const id of shownIds) notShown[id] = 0;
  sc.shown = shownIds.slice();

  // raw and repetition penalty (the reference's max and Z, computed the same way)
  const names: StageName[] = ['raw', 'repetitionPenalty'];
  let rawStage: DenseStage;
  let penStage: DenseStage;
  if (theta === 1) {
    rawStage = densePass(raw, 1, rawMax, notShown);
    penStage = rawStage; // as in the reference: the penalty stage is the raw stage
  } else {
    pen.set(raw);
    let penMax = freeMax;
    for (const id of contextIds) {
      if (id < 0 || id >= V) continue;
      pen[id] = penalize(raw[id], theta);
      if (pen[id] > penMax) penMax = pen[id];
    }
    [rawStage, penStage] = rawPenPass(raw, pen, rawMax, penMax, flags, notShown);
  }
  const stages: Stage[] = [rawStage, penStage];
  let cur: Stage = penStage;
  for (const p of settings.order) {
    if (p === 'temperature') cur = temperatureStage(cur, settings.temperature, notShown);
    else if (p === 'topK') cur = topKStage(cur, settings.topK, { raw, rawTop, seen });
    else if (p === 'topP') cur = topPStage(cur, settings.topP);
    else cur = minPStage(cur, settings.minP);
    names.push(p);
    stages.push(cur);
  }
  return { names, stages, rawStage, fin: cur, raw, top, flags, shownIds };
}

/** A token's statistics at the raw and final stages of a run. */
function statOf(run: StageRun, tokenId: number): TokenStat {
  const V = run.raw.length;
  if (!Number.isInteger(tokenId) || tokenId < 0 || tokenId >= V) throw new RangeError(`tokenId must be in [0, ${V}): ${tokenId}`);
  const { rawStage, fin } = run;
  const finalProb = stageProbOf(fin, tokenId);
  return {
    tokenId,
    prob: stageProbOf(rawStage, tokenId),
    logprob: run.raw[tokenId] - rawStage.shift - Math.log(rawStage.z),
    rank: rawRank(rawStage, run.top, tokenId),
    finalProb,
    finalRank: finalRank(fin, tokenId, finalProb),
  };
}

/**
 * One step's distribution math: processors (raw → repetition penalty → `settings.order`), the choice,
 * and the top-N record with every stage (Hugging Face processors; the oracle is tests/oracle).
 * @param logits raw model logits, length vocabSize
 * @param contextIds prompt + generated ids (repetition penalty)
 * @param knownExtraIds ids the record must show besides the top-N (EOS, queried); the chosen token is added
 * @throws EngineError `non-finite-logits`; RangeError for an out-of-range manual id or u
 */
export function computeStep(
  logits: ArrayLike<number>,
  contextIds: readonly number[],
  settings: SamplingSettings,
  topN: number,
  knownExtraIds: readonly number[],
  choose: FastChoose,
): { record: DistributionRecord; choice: FastChoice | null } {
  const run = runStages(logits, contextIds, settings, topN, knownExtraIds);
  let choice: FastChoice | null = null;
  if (choose.kind !== 'none') {
    let tokenId: number;
    if (choose.kind === 'manual') tokenId = choose.tokenId;
    else if (choose.kind === 'greedy') tokenId = argmaxOf(run.fin);
    else tokenId = sampleFrom(run.fin, choose.u);
    choice = statOf(run, tokenId);
  }
  let lateExtra = -1;
  if (choice && !(run.flags[choice.tokenId] & SHOWN)) {
    lateExtra = choice.tokenId;
    run.shownIds.push(lateExtra);
  }
  return { record: buildRecord(run.names, run.stages, run.raw, run.flags, run.shownIds, lateExtra), choice };
}

/**
 * Probability and rank of any token ids under the step's processors (the token query box): the same
 * numbers a step's record and choice give for them.
 * @throws RangeError for an id outside the vocabulary; EngineError `non-finite-logits`
 */
export function tokenStats(logits: ArrayLike<number>, contextIds: readonly number[], settings: SamplingSettings, tokenIds: readonly number[]): TokenStat[] {
  const run = runStages(logits, contextIds, settings, 1, []);
  return tokenIds.map((id) => statOf(run, id));
}

/**
 * The model (raw softmax) and final (after every processor) probabilities of a step over the whole
 * vocabulary, for Monte-Carlo sampling: Float64Arrays of length vocabSize, each summing to 1.
 * @throws EngineError `non-finite-logits`
 */
export function stageDistributions(logits: ArrayLike<number>, contextIds: readonly number[], settings: SamplingSettings): { rawProbs: Float64Array; finalProbs: Float64Array } {
  const run = runStages(logits, contextIds, settings, 1, []);
  const rawProbs = Float64Array.from(materialize(run.rawStage));
  let finalProbs: Float64Array;
  if (run.fin.kind === 'dense') finalProbs = run.fin === run.rawStage ? rawProbs : Float64Array.from(materialize(run.fin));
  else {
    finalProbs = new Float64Array(run.raw.length);
    for (let k = 0; k < run.fin.ids.length; k++) finalProbs[run.fin.ids[k]] = run.fin.probs[k];
  }
  return { rawProbs, finalProbs };
}
