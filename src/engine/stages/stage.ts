/**
 * The stage representation of the fast step path (see ../fastStep.ts): a stage before the first
 * filter is "dense" — accumulators over the whole vocabulary (shift = max logit, Z = Σ exp(l − shift),
 * Σ exp(l − shift)·(l − shift) for the entropy, and the mass outside the shown tokens) from one exp
 * pass; a filter turns it "sparse" — its kept ids ascending with their logits and probabilities.
 * Same values as the straightforward processors (tests/oracle), which fastStep.test.ts checks.
 */

export const SEEN = 1;
export const SHOWN = 2;

export interface DenseStage {
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

export interface SparseStage {
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

export type Stage = DenseStage | SparseStage;

let scratchBuffers: { raw: Float64Array; pen: Float64Array; flags: Uint8Array; notShown: Float64Array; shown: number[] } | null = null;

/**
 * Working arrays of one vocabulary size, reused between steps (computeStep is synchronous and
 * nothing it returns refers to them); flags cleared.
 */
export function scratch(V: number) {
  if (!scratchBuffers || scratchBuffers.raw.length !== V) {
    scratchBuffers = { raw: new Float64Array(V), pen: new Float64Array(V), flags: new Uint8Array(V), notShown: new Float64Array(V).fill(1), shown: [] };
  } else {
    scratchBuffers.flags.fill(0);
    for (const id of scratchBuffers.shown) scratchBuffers.notShown[id] = 1;
    scratchBuffers.shown = [];
  }
  return scratchBuffers;
}

export function denseLogit(s: DenseStage, i: number): number {
  return s.div === 1 ? s.values[i] : s.values[i] / s.div;
}

export function denseProb(s: DenseStage, i: number): number {
  return Math.exp(denseLogit(s, i) - s.shift) * (1 / s.z);
}

/**
 * One exp pass over a dense stage: z, entropy and rest accumulators. The rest sum multiplies by a
 * 1/0 mask instead of branching (a data-dependent branch here costs ~40 % on V8); e·1 and + 0 are
 * exact, so the sum equals the direct one.
 */
export function densePass(values: Float64Array, div: number, shift: number, notShown: Float64Array): DenseStage {
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

export function materialize(s: DenseStage): Float64Array {
  if (s.probs) return s.probs;
  const n = s.values.length;
  const p = new Float64Array(n);
  const inv = 1 / s.z;
  for (let i = 0; i < n; i++) p[i] = Math.exp(denseLogit(s, i) - s.shift) * inv;
  s.probs = p;
  return p;
}

export function stageProbOf(s: Stage, id: number): number {
  if (s.kind === 'dense') return s.probs ? s.probs[id] : denseProb(s, id);
  const k = findId(s.ids, id);
  return k < 0 ? 0 : s.probs[k];
}

/** Position of id in ascending ids, -1 when absent. */
export function findId(ids: Int32Array, id: number): number {
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
export function filterTo(prev: Stage, keepIds: Int32Array): SparseStage {
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
export function denseLogits(s: DenseStage): Float64Array {
  if (s.div === 1) return s.values;
  const out = new Float64Array(s.values.length);
  for (let i = 0; i < out.length; i++) out[i] = s.values[i] / s.div;
  return out;
}

export function maxOf(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) if (a[i] > m) m = a[i];
  return m;
}
