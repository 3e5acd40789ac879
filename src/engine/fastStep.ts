import { assertFiniteLogits } from './softmax.ts';
import { cumulativeBefore, cumulativeBeforeOver, type DistributionRecord, type TokenStat } from './distribution.ts';
import { TOP_P_TOLERANCE } from './processors.ts';
import { heapTopIndices, sortIndicesDescending, TopHeap } from './order.ts';
import { sampleToken } from './sampling.ts';
import type { SamplingSettings, StageName } from './settings.ts';

/**
 * The distribution math of one step without full-vocabulary arrays per stage: the same results as
 * `runProcessors` + `recordDistribution` + `tokenStat` (distribution.ts, the straightforward
 * reference; checked by fastStep.test.ts to ≤ 1e-12 in float64, the discrete choices identical),
 * at a fraction of the cost on a large vocabulary (benchmark P5, docs/PERFORMANCE.md).
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

const SEEN = 1;
const SHOWN = 2;

interface DenseStage {
  kind: 'dense';
  /** Stage logit i = values[i] / div (div = 1: values[i] itself). */
  values: Float64Array;
  div: number;
  /** Max stage logit (the softmax shift, as in softmaxStage). */
  shift: number;
  /** Σ exp(l − shift), summed in ascending id order (bit-identical to softmaxStage). */
  z: number;
  /** Σ exp(l − shift)·(l − shift) (nats, unnormalised), for the entropy. */
  ent: number;
  /** Σ exp(l − shift) over the ids not flagged SHOWN. */
  rest: number;
  /** Full probabilities, built only when a later step needs every one. */
  probs: Float64Array | null;
}

interface SparseStage {
  kind: 'sparse';
  /** Kept ids, ascending. */
  ids: Int32Array;
  /** Their stage logits (float64). */
  logits: Float64Array;
  /** Their probabilities (sum to 1). */
  probs: Float64Array;
  max: number;
  logZ: number;
}

type Stage = DenseStage | SparseStage;

let scratchBuffers: { raw: Float64Array; pen: Float64Array; flags: Uint8Array; notShown: Float64Array; shown: number[] } | null = null;

/**
 * Working arrays of one vocabulary size, reused between steps (computeStep is synchronous and
 * nothing it returns refers to them); flags cleared.
 */
function scratch(V: number) {
  if (!scratchBuffers || scratchBuffers.raw.length !== V) {
    scratchBuffers = { raw: new Float64Array(V), pen: new Float64Array(V), flags: new Uint8Array(V), notShown: new Float64Array(V).fill(1), shown: [] };
  } else {
    scratchBuffers.flags.fill(0);
    for (const id of scratchBuffers.shown) scratchBuffers.notShown[id] = 1;
    scratchBuffers.shown = [];
  }
  return scratchBuffers;
}

function denseLogit(s: DenseStage, i: number): number {
  return s.div === 1 ? s.values[i] : s.values[i] / s.div;
}

function denseProb(s: DenseStage, i: number): number {
  return Math.exp(denseLogit(s, i) - s.shift) * (1 / s.z);
}

/**
 * One exp pass over a dense stage: z, entropy and rest accumulators. The rest sum multiplies by a
 * 1/0 mask instead of branching (a data-dependent branch here costs ~40 % on V8); e·1 and + 0 are
 * exact, so the sum equals the direct one.
 */
function densePass(values: Float64Array, div: number, shift: number, notShown: Float64Array): DenseStage {
  let z = 0;
  let ent = 0;
  let rest = 0;
  const n = values.length;
  if (div === 1) {
    for (let i = 0; i < n; i++) {
      const d = values[i] - shift;
      const e = Math.exp(d);
      z += e;
      ent += e * d;
      rest += e * notShown[i];
    }
  } else {
    for (let i = 0; i < n; i++) {
      const d = values[i] / div - shift;
      const e = Math.exp(d);
      z += e;
      ent += e * d;
      rest += e * notShown[i];
    }
  }
  return { kind: 'dense', values, div, shift, z, ent, rest, probs: null };
}

/**
 * Raw and repetition-penalised stages in one loop: one exp per token for the raw stage, the
 * penalised stage reusing it where the penalty changed nothing and the shift is the same (else its
 * own exp). Each sum runs in ascending id order over the same terms as softmaxStage's, so Z is
 * bit-identical. (Folding the temperature pass into this loop was measured: no faster.)
 */
function rawPenPass(raw: Float64Array, pen: Float64Array, rawShift: number, penShift: number, flags: Uint8Array, notShown: Float64Array): [DenseStage, DenseStage] {
  let z = 0, ent = 0, rest = 0;
  let zp = 0, entp = 0, restp = 0;
  const n = raw.length;
  const all = penShift === rawShift ? 0 : SEEN;
  for (let i = 0; i < n; i++) {
    const d = raw[i] - rawShift;
    const e = Math.exp(d);
    const ns = notShown[i];
    z += e;
    ent += e * d;
    rest += e * ns;
    if ((flags[i] | all) & SEEN) {
      const dp = pen[i] - penShift;
      const ep = Math.exp(dp);
      zp += ep;
      entp += ep * dp;
      restp += ep * ns;
    } else {
      zp += e;
      entp += e * d;
      restp += e * ns;
    }
  }
  return [
    { kind: 'dense', values: raw, div: 1, shift: rawShift, z, ent, rest, probs: null },
    { kind: 'dense', values: pen, div: 1, shift: penShift, z: zp, ent: entp, rest: restp, probs: null },
  ];
}

function materialize(s: DenseStage): Float64Array {
  if (s.probs) return s.probs;
  const n = s.values.length;
  const p = new Float64Array(n);
  const inv = 1 / s.z;
  for (let i = 0; i < n; i++) p[i] = Math.exp(denseLogit(s, i) - s.shift) * inv;
  s.probs = p;
  return p;
}

function stageProbOf(s: Stage, id: number): number {
  if (s.kind === 'dense') return s.probs ? s.probs[id] : denseProb(s, id);
  const k = findId(s.ids, id);
  return k < 0 ? 0 : s.probs[k];
}

/** Position of id in ascending ids, -1 when absent. */
function findId(ids: Int32Array, id: number): number {
  let lo = 0;
  let hi = ids.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = ids[mid];
    if (v === id) return mid;
    if (v < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** Keeps `keepIds` (ascending) of the previous stage and renormalises, as filterStage does. */
function filterTo(prev: Stage, keepIds: Int32Array): SparseStage {
  const n = keepIds.length;
  const logits = new Float64Array(n);
  const pp = new Float64Array(n);
  let mass = 0;
  let max: number;
  let logZ: number;
  if (prev.kind === 'dense') {
    const inv = 1 / prev.z;
    for (let k = 0; k < n; k++) {
      const l = denseLogit(prev, keepIds[k]);
      logits[k] = l;
      const p = prev.probs ? prev.probs[keepIds[k]] : Math.exp(l - prev.shift) * inv;
      pp[k] = p;
      mass += p;
    }
    max = prev.shift;
    logZ = Math.log(prev.z);
  } else {
    for (let k = 0, j = 0; k < n; k++) {
      while (prev.ids[j] !== keepIds[k]) j++;
      logits[k] = prev.logits[j];
      pp[k] = prev.probs[j];
      mass += prev.probs[j];
    }
    max = prev.max;
    logZ = prev.logZ;
  }
  const inv = 1 / mass;
  for (let k = 0; k < n; k++) pp[k] *= inv;
  return { kind: 'sparse', ids: keepIds, logits, probs: pp, max, logZ: logZ + Math.log(mass) };
}

/** A dense stage's logits as an array (for the partial-selection helpers). */
function denseLogits(s: DenseStage): Float64Array {
  if (s.div === 1) return s.values;
  const out = new Float64Array(s.values.length);
  for (let i = 0; i < out.length; i++) out[i] = s.values[i] / s.div;
  return out;
}

function temperatureStage(prev: Stage, t: number, notShown: Float64Array): Stage {
  if (t === 1) return prev;
  if (t === 0) {
    let best = -1;
    if (prev.kind === 'dense') {
      const v = prev.values;
      for (let i = 0; i < v.length; i++) if (best < 0 || v[i] / prev.div > v[best] / prev.div) best = i;
    } else {
      let bk = 0;
      for (let k = 1; k < prev.ids.length; k++) if (prev.logits[k] > prev.logits[bk]) bk = k;
      best = prev.ids[bk];
    }
    return filterTo(prev, Int32Array.of(best));
  }
  if (prev.kind === 'dense') {
    if (prev.div !== 1) throw new RangeError('temperature applied twice');
    // max(l / T) = max(l) / T exactly: rounding is monotonic
    return densePass(prev.values, t, prev.shift / t, notShown);
  }
  const n = prev.ids.length;
  const logits = new Float64Array(n);
  let max = -Infinity;
  for (let k = 0; k < n; k++) {
    logits[k] = prev.logits[k] / t;
    if (logits[k] > max) max = logits[k];
  }
  const probs = new Float64Array(n);
  let z = 0;
  for (let k = 0; k < n; k++) {
    const e = Math.exp(logits[k] - max);
    probs[k] = e;
    z += e;
  }
  const inv = 1 / z;
  for (let k = 0; k < n; k++) probs[k] *= inv;
  return { kind: 'sparse', ids: prev.ids, logits, probs, max, logZ: Math.log(z) };
}

/**
 * Candidates for top-k on a dense stage without a vocabulary pass: every dense stage's values are
 * the raw logits or the penalised ones, and the penalty only lowers the logits of `seen` ids, so a
 * token outside the raw top-(k + |seen|) and not seen has at least k better tokens. `rawTop` is the
 * raw top-M (sorted), `seen` the distinct penalised ids.
 */
interface TopKHint {
  raw: Float64Array;
  rawTop: Int32Array;
  seen: readonly number[];
}

function topKFromHint(prev: DenseStage, k: number, hint: TopKHint): SparseStage | null {
  const isPen = prev.values !== hint.raw;
  const need = k + (isPen ? hint.seen.length : 0);
  if (hint.rawTop.length < need) return null;
  const cand = new Set<number>(hint.rawTop);
  if (isPen) for (const id of hint.seen) cand.add(id);
  const ids = Int32Array.from(cand).sort();
  const values = prev.values;
  const local = new Float64Array(ids.length);
  for (let j = 0; j < ids.length; j++) local[j] = values[ids[j]];
  // ids ascending, so ties in `local` resolve by lower id as in the full order
  const top = heapTopIndices(local, k);
  const threshold = local[top[k - 1]] / prev.div;
  // every token outside the candidates has a value ≤ the raw top-M's smallest (non-seen: value = raw)
  const bound = hint.raw[hint.rawTop[hint.rawTop.length - 1]] / prev.div;
  if (!(bound < threshold)) return null;
  const keep: number[] = [];
  for (let j = 0; j < ids.length; j++) if (local[j] / prev.div >= threshold) keep.push(ids[j]);
  return filterTo(prev, Int32Array.from(keep));
}

function topKStage(prev: Stage, k: number, hint: TopKHint): Stage {
  const finite = prev.kind === 'dense' ? prev.values.length : prev.ids.length;
  if (k <= 0 || k >= finite) return prev;
  if (prev.kind === 'dense') {
    const fast = topKFromHint(prev, k, hint);
    if (fast) return fast;
    // order by the undivided values (division by T > 0 keeps the order); the k-th stage logit is
    // the k-th value divided (rounding is monotonic); ties with it are kept (>= threshold), as topKMask does
    const values = prev.values;
    const top = heapTopIndices(values, k);
    const threshold = values[top[k - 1]] / prev.div;
    const keep: number[] = [];
    if (prev.div === 1) {
      for (let i = 0; i < values.length; i++) if (values[i] >= threshold) keep.push(i);
    } else {
      // x ≥ kth → x/T ≥ threshold; only values within a few ulps below kth can round up to it
      const kth = values[top[k - 1]];
      const near = kth - Math.abs(kth) * 1e-12 - Number.MIN_VALUE;
      for (let i = 0; i < values.length; i++) {
        const x = values[i];
        if (x >= kth || (x >= near && x / prev.div >= threshold)) keep.push(i);
      }
    }
    return filterTo(prev, Int32Array.from(keep));
  }
  const top = heapTopIndices(prev.logits, k);
  const threshold = prev.logits[top[k - 1]];
  const keep: number[] = [];
  for (let j = 0; j < prev.ids.length; j++) if (prev.logits[j] >= threshold) keep.push(prev.ids[j]);
  return filterTo(prev, Int32Array.from(keep));
}

function topPStage(prev: Stage, p: number): Stage {
  if (p >= 1) return prev;
  const target = p - TOP_P_TOLERANCE;
  const values = prev.kind === 'dense' ? denseLogits(prev) : prev.logits;
  const probAt = prev.kind === 'dense' ? (j: number) => stageProbOf(prev, j) : (j: number) => prev.probs[j];
  const idAt = prev.kind === 'dense' ? (j: number) => j : (j: number) => prev.ids[j];
  for (let want = 64; ; want *= 8) {
    const order = heapTopIndices(values, want);
    let cum = 0;
    for (let j = 0; j < order.length; j++) {
      cum += probAt(order[j]);
      if (cum >= target || (j === order.length - 1 && order.length < want)) {
        const keep = new Int32Array(j + 1);
        for (let t = 0; t <= j; t++) keep[t] = idAt(order[t]);
        return filterTo(prev, keep.sort());
      }
    }
    if (order.length < want) return prev;
  }
}

function minPStage(prev: Stage, minP: number): Stage {
  if (minP <= 0) return prev;
  if (prev.kind === 'dense') {
    // p_max = exp(0)·(1/Z); a token can pass only if l − shift ≥ ln(min_p) (minus a safety margin)
    const pMax = prev.probs ? maxOf(prev.probs) : 1 / prev.z;
    const cut = minP * pMax;
    const pre = Math.log(minP) - 1e-6;
    const keep: number[] = [];
    for (let i = 0; i < prev.values.length; i++) {
      if (denseLogit(prev, i) - prev.shift >= pre) {
        const pi = stageProbOf(prev, i);
        if (pi >= cut && pi > 0) keep.push(i);
      }
    }
    return filterTo(prev, Int32Array.from(keep));
  }
  const pMax = maxOf(prev.probs);
  const cut = minP * pMax;
  const keep: number[] = [];
  for (let k = 0; k < prev.ids.length; k++) if (prev.probs[k] >= cut && prev.probs[k] > 0) keep.push(prev.ids[k]);
  return filterTo(prev, Int32Array.from(keep));
}

function maxOf(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) if (a[i] > m) m = a[i];
  return m;
}

/** How the step chooses its token. */
export type FastChoose = { kind: 'none' } | { kind: 'manual'; tokenId: number } | { kind: 'greedy' } | { kind: 'sample'; u: number };

/** The chosen token's statistics (as `tokenStat` gives them). */
export type FastChoice = TokenStat;

/**
 * One step's distribution math: processors (raw → repetition penalty → `settings.order`), the choice,
 * and the top-N record with every stage. Same semantics as runProcessors/recordDistribution/tokenStat
 * (Hugging Face processors; see processors.ts), computed without per-stage vocabulary arrays.
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
    penStage = rawStage; // as in runProcessors: the penalty stage is the raw stage
  } else {
    pen.set(raw);
    let penMax = freeMax;
    for (const id of contextIds) {
      if (id < 0 || id >= V) continue;
      const z = raw[id];
      pen[id] = z < 0 ? z * theta : z / theta;
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
  const fin = cur;

  // the choice
  let choice: FastChoice | null = null;
  if (choose.kind !== 'none') {
    let tokenId: number;
    if (choose.kind === 'manual') tokenId = choose.tokenId;
    else if (choose.kind === 'greedy') tokenId = argmaxOf(fin);
    else tokenId = sampleFrom(fin, choose.u);
    if (!Number.isInteger(tokenId) || tokenId < 0 || tokenId >= V) throw new RangeError(`tokenId must be in [0, ${V}): ${tokenId}`);
    const finalProb = stageProbOf(fin, tokenId);
    choice = {
      tokenId,
      prob: denseProb(rawStage, tokenId),
      logprob: raw[tokenId] - rawStage.shift - Math.log(rawStage.z),
      rank: rawRank(rawStage, top, tokenId),
      finalProb,
      finalRank: finalRank(fin, tokenId, finalProb),
    };
  }

  // the record
  let lateExtra = -1;
  if (choice && !(flags[choice.tokenId] & SHOWN)) {
    lateExtra = choice.tokenId;
    shownIds.push(lateExtra);
  }
  const rawP = new Map<number, number>();
  for (const id of shownIds) rawP.set(id, denseProb(rawStage, id));
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
    record: {
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
    },
    choice,
  };
}

function denseEntropyBits(s: DenseStage): number {
  return Math.max(0, (Math.log(s.z) - s.ent / s.z) / Math.LN2);
}

function sparseEntropyBits(s: SparseStage): number {
  let sum = 0;
  for (let k = 0; k < s.ids.length; k++) {
    const p = s.probs[k];
    if (p > 0) sum += p * (s.logits[k] - s.max);
  }
  return Math.max(0, (s.logZ - sum) / Math.LN2);
}

/** argmax of the final probabilities, lowest id on ties (argmaxToken). */
function argmaxOf(fin: Stage): number {
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
function sampleFrom(fin: Stage, u: number): number {
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
function rawRank(s: DenseStage, top: Int32Array, id: number): number {
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
function finalRank(fin: Stage, id: number, p: number): number {
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

/** cumulativeBefore over a sparse final stage: only kept tokens have mass, summed in ascending id order. */
function sparseCumBefore(fin: SparseStage, shown: readonly number[]): Float64Array {
  return cumulativeBeforeOver(shown, (id) => stageProbOf(fin, id), (add) => {
    for (let k = 0; k < fin.ids.length; k++) add(fin.ids[k], fin.probs[k]);
  });
}
