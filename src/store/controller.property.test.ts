/// <reference types="vite/client" />
/**
 * Model-based property test of the Controller: random sequences of user
 * actions (step, back, choose, jump, settings, re-roll, beam, reset, prompt,
 * history) against a ScriptedClient (the real decoder behind the one dispatcher, over
 * ScriptedBackend: a scripted 13-token model with EOS and an end-of-turn token). After every action the store must satisfy the invariants
 * below; the probability checks use an independent re-implementation of the
 * processors written here (nothing from src/engine is used for the expected values).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Controller, currentKey, displayNodeOf } from './controller.ts';
import { createAppStore, type AppState, type AppStore } from './store.ts';
import { logitsFor, SCRIPTED_EOS, SCRIPTED_EOT, SCRIPTED_VOCAB } from '../../tests/scriptedBackend.ts';
import { ScriptedClient } from '../../tests/localClient.ts';
import { sequenceIds, type GenerationTree, type TreeNode } from '../engine/tree.ts';
import type { DistributionRecord } from '../engine/distribution.ts';
import type { BeamSettings, EarlyStopping, ProcessorOrderName } from '../engine/settings.ts';
import type { WorkerClient } from '../worker/client.ts';

// loadModel builds the runtime path from this build-time constant (Vite defines it; keep a fallback)
(globalThis as { __ORT_PATH__?: string }).__ORT_PATH__ ??= 'ort/';

const V = SCRIPTED_VOCAB;
const EOS = SCRIPTED_EOS;
/** The scripted model's end-of-turn token: it ends a sequence like EOS (the decoder's one stop rule). */
const EOT = SCRIPTED_EOT;
const isStop = (t: number) => t === EOS || t === EOT;
const TOL = 1e-9;
const LETTERS = 'abcdefghijk';

// ---------------------------------------------------------------- independent reference

type RefStrategy = 'greedy' | 'sample' | 'beam';
interface KeySettings {
  temperature: number;
  topK: number;
  topP: number;
  minP: number;
  repetitionPenalty: number;
  order: string;
  seed: number;
  lengthPenalty: number;
}

/** Parses a settings key `strategy:{json}` (the record/edge tag) back into its settings. */
function parseKey(key: string): { strategy: RefStrategy; s: KeySettings } {
  const at = key.indexOf(':');
  const strategy = key.slice(0, at) as RefStrategy;
  if (strategy !== 'greedy' && strategy !== 'sample' && strategy !== 'beam') throw new Error(`bad key ${key}`);
  return { strategy, s: JSON.parse(key.slice(at + 1)) as KeySettings };
}

interface RefStage {
  name: string;
  /** -Infinity = removed */
  z: number[];
  p: number[];
}

function refSoftmax(z: readonly number[]): number[] {
  let m = -Infinity;
  for (const v of z) if (v > m) m = v;
  const e = z.map((v) => (v === -Infinity ? 0 : Math.exp(v - m)));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

function stageOf(name: string, z: number[]): RefStage {
  return { name, z, p: refSoftmax(z) };
}

function keepOnly(name: string, prev: RefStage, keep: (i: number) => boolean): RefStage {
  return stageOf(name, prev.z.map((v, i) => (v > -Infinity && keep(i) ? v : -Infinity)));
}

/** Finite ids by value descending, lower id first on ties. */
function orderDesc(values: readonly number[], z: readonly number[]): number[] {
  const ids: number[] = [];
  for (let i = 0; i < z.length; i++) if (z[i] > -Infinity) ids.push(i);
  return ids.sort((a, b) => values[b] - values[a] || a - b);
}

/** The stages the app should show for a node with sequence `seq` under settings key `key`. */
function refStages(seq: readonly number[], key: string): RefStage[] {
  const { strategy, s } = parseKey(key);
  const raw = Array.from(logitsFor(seq), Number);
  const stages = [stageOf('raw', raw)];
  const theta = s.repetitionPenalty;
  const pen = raw.slice();
  if (theta !== 1) for (const id of new Set(seq)) pen[id] = pen[id] < 0 ? pen[id] * theta : pen[id] / theta;
  stages.push(stageOf('repetitionPenalty', pen));
  if (strategy === 'beam') return stages;
  const procs = strategy === 'greedy' ? ['temperature'] : s.order === 'hf' ? ['temperature', 'topK', 'topP', 'minP'] : ['topK', 'topP', 'minP', 'temperature'];
  const T = strategy === 'greedy' ? 0 : s.temperature;
  for (const proc of procs) {
    const prev = stages[stages.length - 1];
    let next = prev;
    if (proc === 'temperature') {
      if (T === 0) {
        let best = -1;
        for (let i = 0; i < V; i++) if (prev.z[i] > -Infinity && (best < 0 || prev.z[i] > prev.z[best])) best = i;
        next = keepOnly(proc, prev, (i) => i === best);
      } else if (T !== 1) next = stageOf(proc, prev.z.map((v) => v / T));
    } else if (proc === 'topK') {
      const finite = prev.z.filter((v) => v > -Infinity).sort((a, b) => b - a);
      if (s.topK > 0 && s.topK < finite.length) {
        const thr = finite[s.topK - 1];
        next = keepOnly(proc, prev, (i) => prev.z[i] >= thr);
      }
    } else if (proc === 'topP') {
      if (s.topP < 1) {
        const ids = orderDesc(prev.z, prev.z);
        const kept = new Set<number>();
        let cum = 0;
        for (const id of ids) {
          kept.add(id);
          cum += prev.p[id];
          if (cum >= s.topP - 1e-9) break;
        }
        next = keepOnly(proc, prev, (i) => kept.has(i));
      }
    } else if (proc === 'minP') {
      if (s.minP > 0) {
        const pMax = Math.max(...prev.p);
        next = keepOnly(proc, prev, (i) => prev.p[i] >= s.minP * pMax && prev.p[i] > 0);
      }
    }
    stages.push({ ...next, name: proc });
  }
  return stages;
}

function refEntropyBits(p: readonly number[]): number {
  let h = 0;
  for (const x of p) if (x > 0) h -= x * Math.log(x);
  return h / Math.LN2;
}

/** 1-based rank, value descending, lower id first on ties. */
function refRank(p: readonly number[], id: number): number {
  let r = 1;
  for (let i = 0; i < p.length; i++) if (p[i] > p[id] || (p[i] === p[id] && i < id)) r++;
  return r;
}

/** Inverse-CDF draw over tokens by probability descending (lower id first on ties). */
function refSample(p: readonly number[], u: number): number {
  const ids = p.map((_, i) => i).filter((i) => p[i] > 0).sort((a, b) => p[b] - p[a] || a - b);
  let cum = 0;
  for (const id of ids) {
    cum += p[id];
    if (cum > u) return id;
  }
  return ids[ids.length - 1];
}

/** splitmix64-chain-v1, written from its definition in random.ts's doc comment. */
function refDraw(k: { seed: number; depth: number; reroll: number; stream: number }): number {
  const M = (1n << 64n) - 1n;
  const stepMix = (x: bigint): bigint => {
    let z = (x + 0x9e3779b97f4a7c15n) & M;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M;
    return z ^ (z >> 31n);
  };
  let h = stepMix(BigInt(k.seed));
  h = stepMix(h ^ BigInt(k.depth));
  h = stepMix(h ^ BigInt(k.reroll));
  h = stepMix(h ^ BigInt(k.stream));
  return Number(h >> 11n) / 2 ** 53;
}

/** Beam scores of a row: log-softmax, then the penalty on the log-probabilities of seen ids. */
function refBeamLogprobs(seq: readonly number[], theta: number): number[] {
  const p = refSoftmax(Array.from(logitsFor(seq), Number));
  const lp = p.map(Math.log);
  if (theta !== 1) for (const id of new Set(seq)) lp[id] = lp[id] < 0 ? lp[id] * theta : lp[id] / theta;
  return lp;
}

// ---------------------------------------------------------------- invariants

class Violation extends Error {}

/**
 * Known bugs the random runs step around, each with its own reproduction below
 * (`it.fails`). STRICT=all (or a comma list of these names) turns them back on.
 * - staleTree: an answer that arrives after the tree was replaced (reset, new
 *   prompt, history) is applied to the new tree, and the worker caches it under
 *   a node id the new tree reuses. The runs let requests finish before replacing the tree.
 * - maxLengthWithChildren: beam search continues through a node marked
 *   'max-length' (made under a smaller max new tokens). The runs allow such
 *   nodes and do not re-roll below them.
 */
type KnownBug = 'staleTree' | 'maxLengthWithChildren';
// both bugs are fixed: the random runs include these actions unless STRICT=none excludes them
const strictEnv = (name: KnownBug) => process.env.STRICT !== 'none' && (process.env.STRICT === undefined || process.env.STRICT === 'all' || process.env.STRICT.split(',').includes(name));

function tolerates(h: Harness, bug: KnownBug): boolean {
  return !h.strict && !strictEnv(bug);
}

function check(cond: boolean, msg: () => string): void {
  if (!cond) throw new Violation(msg());
}

function close(a: number, b: number, tol: number, what: () => string): void {
  check(Math.abs(a - b) <= tol, () => `${what()}: ${a} vs expected ${b} (|Δ| ${Math.abs(a - b)})`);
}

/** Prompt + generated ids of a node, walking parent pointers (not the engine's helpers). */
function seqOf(tree: GenerationTree, id: number): number[] {
  const gen: number[] = [];
  for (let n: TreeNode = tree.nodes[id]; n.parent !== null; n = tree.nodes[n.parent]) gen.push(n.edge!.tokenId);
  return [...tree.promptIds, ...gen.reverse()];
}

function checkTreeShape(tree: GenerationTree, where: string, allowMaxLengthChildren: boolean): void {
  const nodes = tree.nodes;
  check(nodes.length >= 1 && nodes[0].parent === null && nodes[0].depth === 0 && nodes[0].edge === null, () => `${where}: bad root`);
  nodes.forEach((n, i) => {
    check(n.id === i, () => `${where}: node at index ${i} has id ${n.id}`);
    if (i > 0) {
      check(n.parent !== null && n.parent < i && nodes[n.parent] !== undefined, () => `${where}: node ${i} has parent ${n.parent}`);
      const p = nodes[n.parent!];
      check(n.depth === p.depth + 1, () => `${where}: node ${i} depth ${n.depth}, parent depth ${p.depth}`);
      check(p.children.filter((c) => c === i).length === 1, () => `${where}: node ${i} listed ${p.children.filter((c) => c === i).length}× in its parent's children`);
      check(n.edge !== null && Number.isInteger(n.edge.tokenId) && n.edge.tokenId >= 0 && n.edge.tokenId < V, () => `${where}: node ${i} edge ${JSON.stringify(n.edge)}`);
      check(isStop(n.edge!.tokenId) === (n.stop === 'eos'), () => `${where}: node ${i} token ${n.edge!.tokenId} but stop ${n.stop}`);
    }
    if (n.stop === 'eos' || (n.stop === 'max-length' && !allowMaxLengthChildren)) {
      check(n.children.length === 0, () => `${where}: node ${i} is stopped (${n.stop}) but has children [${n.children}]`);
    }
    for (const c of n.children) check(nodes[c]?.parent === i, () => `${where}: child ${c} of ${i} has parent ${nodes[c]?.parent}`);
    check(new Set(n.children).size === n.children.length, () => `${where}: duplicate children of ${i}`);
  });
}

interface Harness {
  /** Check every invariant, known bugs included. */
  strict: boolean;
  store: AppStore;
  controller: Controller;
  client: () => ScriptedClient;
  /** Settings the current beam run started with (captured synchronously when it starts). */
  beamCtx: { beam: BeamSettings; maxNewTokens: number; startIds: number[]; startDepth: number; contextLength: number } | null;
  verifiedRecords: WeakMap<DistributionRecord, string>;
  /** Every topN the run has used. */
  topNs: Set<number>;
  verifiedEdges: WeakMap<object, string>;
}

function decodeWith(st: AppState): (ids: readonly number[]) => string {
  const info = st.info!;
  const dec = new TextDecoder();
  const pieces = Array.from({ length: info.vocabSize }, (_, i) => dec.decode(info.vocabBytes.subarray(info.vocabOffsets[i], info.vocabOffsets[i + 1])));
  return (ids) => ids.map((i) => pieces[i]).join('');
}

function checkText(st: AppState): void {
  const decode = decodeWith(st);
  const tree = st.tree;
  if (tree.promptIds.length === 0) return;
  const letters = [...st.prompt].filter((c) => LETTERS.includes(c)).join('');
  check(decode(tree.promptIds) === (letters === '' ? '</s>' : letters), () => `prompt ${JSON.stringify(st.prompt)} has ids [${tree.promptIds}]`);
  const text: string[] = [];
  tree.nodes.forEach((n, i) => {
    text[i] = n.parent === null ? decode(tree.promptIds) : text[n.parent] + decode([n.edge!.tokenId]);
    const viaSeq = decode(sequenceIds(tree, i));
    check(viaSeq === text[i], () => `node ${i}: sequence decodes to ${JSON.stringify(viaSeq)}, edges say ${JSON.stringify(text[i])}`);
  });
}

function checkRecord(h: Harness, st: AppState, nodeId: number, key: string, r: DistributionRecord): void {
  const node = st.tree.nodes[nodeId];
  check(node !== undefined, () => `record for node ${nodeId}, which is not in the tree (${st.tree.nodes.length} nodes)`);
  const seq = seqOf(st.tree, nodeId);
  const tag = `${key}|${seq.join(',')}`;
  if (h.verifiedRecords.get(r) === tag) return;
  const where = () => `record of node ${nodeId} (seq [${seq}], key ${key})`;
  const ref = refStages(seq, key);
  const S = ref.length;
  const n = r.tokenIds.length;
  check(r.vocabSize === V, () => `${where()}: vocabSize ${r.vocabSize}`);
  check(JSON.stringify(r.stages) === JSON.stringify(ref.map((x) => x.name)), () => `${where()}: stages ${r.stages} expected ${ref.map((x) => x.name)}`);
  check(r.logits.length === n && r.stageProbs.length === S * n && r.kept.length === S * n && r.restMass.length === S && r.removedAt.length === n, () => `${where()}: array lengths`);
  const ids = Array.from(r.tokenIds);
  check(new Set(ids).size === n && ids.every((i) => Number.isInteger(i) && i >= 0 && i < V), () => `${where()}: tokenIds [${ids}]`);
  check(ids.includes(EOS), () => `${where()}: EOS not shown [${ids}]`);
  check(ids.includes(EOT), () => `${where()}: the end-of-turn token not shown [${ids}]`);
  const p0 = ref[0].p;
  for (let j = 1; j < n; j++) check(p0[ids[j - 1]] > p0[ids[j]] || (p0[ids[j - 1]] === p0[ids[j]] && ids[j - 1] < ids[j]), () => `${where()}: tokenIds not by model probability [${ids}]`);
  // shown = the top-N by model probability (N one of the topN values used) + EOS + end-of-turn + the token chosen at this step
  const byProb = orderDesc(p0, p0);
  const extras = new Set([EOS, EOT, ...node.children.map((c) => st.tree.nodes[c].edge!.tokenId)]);
  const fits = [...h.topNs].some((m) => {
    const prefix = byProb.slice(0, m);
    return prefix.every((id) => ids.includes(id)) && ids.every((id) => prefix.includes(id) || extras.has(id));
  });
  check(fits, () => `${where()}: shown [${ids}] is not a top-N (N in ${[...h.topNs]}) plus EOS / end-of-turn / the chosen token`);
  const all = [...r.stageProbs, ...r.restMass, ...r.logits, r.entropyRawBits, r.entropyFinalBits];
  check(all.every((x) => Number.isFinite(x)), () => `${where()}: NaN/Infinity in the record`);
  const inSet = new Set(ids);
  for (let s = 0; s < S; s++) {
    let shown = 0;
    for (let j = 0; j < n; j++) {
      const id = ids[j];
      const prob = r.stageProbs[s * n + j];
      shown += prob;
      close(prob, ref[s].p[id], TOL, () => `${where()}: stage ${ref[s].name} p(${id})`);
      const keptRef = ref[s].z[id] > -Infinity ? 1 : 0;
      check(r.kept[s * n + j] === keptRef, () => `${where()}: stage ${ref[s].name} kept(${id}) = ${r.kept[s * n + j]}, expected ${keptRef}`);
      if (s > 0) check(r.kept[s * n + j] <= r.kept[(s - 1) * n + j], () => `${where()}: token ${id} comes back at stage ${ref[s].name}`);
    }
    let rest = 0;
    for (let i = 0; i < V; i++) if (!inSet.has(i)) rest += ref[s].p[i];
    close(shown + r.restMass[s], 1, TOL, () => `${where()}: stage ${ref[s].name} Σ shown + rest`);
    close(r.restMass[s], rest, TOL, () => `${where()}: stage ${ref[s].name} restMass`);
  }
  for (let j = 0; j < n; j++) {
    let first = -1;
    for (let s = 0; s < S; s++) if (!r.kept[s * n + j] && first < 0) first = s;
    check(r.removedAt[j] === first, () => `${where()}: removedAt(${ids[j]}) = ${r.removedAt[j]}, expected ${first}`);
    check(r.logits[j] === Math.fround(Number(logitsFor(seq)[ids[j]])), () => `${where()}: logit of ${ids[j]}`);
  }
  close(r.entropyRawBits, refEntropyBits(ref[0].p), TOL, () => `${where()}: raw entropy`);
  close(r.entropyFinalBits, refEntropyBits(ref[S - 1].p), TOL, () => `${where()}: final entropy`);
  // what the settings imply for the kept masks, stated directly
  const { strategy, s: ks } = parseKey(key);
  const keptShown = (s: number) => ids.filter((_, j) => r.kept[s * n + j]).length;
  const kIdx = r.stages.indexOf('topK');
  if (kIdx > 0 && ks.topK > 0) {
    const prev = ref[kIdx - 1].z.filter((v) => v > -Infinity).sort((a, b) => b - a);
    const thr = prev[Math.min(ks.topK, prev.length) - 1];
    const ties = prev.filter((v) => v === thr).length;
    check(keptShown(kIdx) <= ks.topK + ties - 1, () => `${where()}: top-k ${ks.topK} keeps ${keptShown(kIdx)} shown tokens (ties at threshold ${ties})`);
  }
  if (strategy === 'greedy') {
    const fin = S - 1;
    check(ref[fin].z.filter((v) => v > -Infinity).length === 1, () => `${where()}: greedy reference keeps more than one token`);
    const k = keptShown(fin);
    check(k <= 1, () => `${where()}: greedy keeps ${k} shown tokens`);
    if (k === 0) close(r.restMass[fin], 1, TOL, () => `${where()}: greedy token not shown, rest mass`);
  }
  if (strategy === 'beam') check(S === 2, () => `${where()}: beam records show raw and repetition penalty only`);
  h.verifiedRecords.set(r, tag);
}

function checkEdge(h: Harness, st: AppState, node: TreeNode): void {
  const e = node.edge!;
  const tree = st.tree;
  const parent = tree.nodes[node.parent!];
  const seq = seqOf(tree, parent.id);
  const tag = `${seq.join(',')}|${parent.depth}|${parent.rerolls}`;
  if (h.verifiedEdges.get(e) === tag) return;
  const where = () => `edge into node ${node.id} (token ${e.tokenId}, ${e.method}, after [${seq}], key ${e.settingsKey})`;
  const { strategy, s } = parseKey(e.settingsKey);
  if (e.method === 'beam') {
    check(strategy === 'beam', () => `${where()}: beam edge with a non-beam key`);
    const lp = refBeamLogprobs(seq, s.repetitionPenalty)[e.tokenId];
    close(e.logprob, lp, TOL, () => `${where()}: beam logprob`);
    close(e.prob, Math.exp(lp), TOL, () => `${where()}: beam prob`);
  } else {
    const ref = refStages(seq, e.settingsKey);
    const raw = ref[0].p;
    const fin = ref[ref.length - 1].p;
    close(e.prob, raw[e.tokenId], TOL, () => `${where()}: prob`);
    close(e.logprob, Math.log(raw[e.tokenId]), TOL, () => `${where()}: logprob`);
    close(e.finalProb, fin[e.tokenId], TOL, () => `${where()}: finalProb`);
    check(e.rank === refRank(raw, e.tokenId), () => `${where()}: rank ${e.rank}, expected ${refRank(raw, e.tokenId)}`);
    if (e.method === 'greedy') {
      check(strategy === 'greedy' && e.drawKey === null && e.u === null, () => `${where()}: greedy edge fields`);
      const want = orderDesc(fin, ref[ref.length - 1].z)[0];
      check(e.tokenId === want, () => `${where()}: greedy chose ${e.tokenId}, argmax is ${want}`);
    } else if (e.method === 'sampled') {
      const k = e.drawKey;
      check(strategy === 'sample' && k !== null && e.u !== null, () => `${where()}: sampled edge fields`);
      check(k!.seed === s.seed && k!.depth === parent.depth && k!.stream === 0 && k!.reroll <= parent.rerolls, () => `${where()}: draw key ${JSON.stringify(k)} (parent depth ${parent.depth}, rerolls ${parent.rerolls})`);
      check(e.u === refDraw(k!), () => `${where()}: u ${e.u} vs ${refDraw(k!)}`);
      const want = refSample(fin, e.u!);
      check(e.tokenId === want, () => `${where()}: sampled ${e.tokenId} with u ${e.u}, expected ${want}`);
    } else {
      check(e.method === 'manual' && e.drawKey === null && e.u === null, () => `${where()}: manual edge fields`);
    }
    const ent = st.stepEntropy[node.id];
    if (ent) {
      check(ent.every((x) => Number.isFinite(x)), () => `${where()}: step entropy ${ent}`);
      close(ent[0], refEntropyBits(raw), TOL, () => `${where()}: step raw entropy`);
      close(ent[1], refEntropyBits(fin), TOL, () => `${where()}: step final entropy`);
    }
  }
  h.verifiedEdges.set(e, tag);
}

function checkBeam(h: Harness, st: AppState): void {
  const run = st.beamRun;
  if (!run || !h.beamCtx) return;
  const ctx = h.beamCtx;
  const alpha = ctx.beam.lengthPenalty;
  const theta = ctx.beam.repetitionPenalty;
  const k = ctx.beam.beamWidth;
  const maxNew = Math.min(Math.max(1, ctx.maxNewTokens - ctx.startDepth), ctx.contextLength - ctx.startIds.length);
  const where = () => `beam run from node ${run.startNode} ([${ctx.startIds}], k ${k}, α ${alpha}, θ ${theta}, ${ctx.beam.earlyStopping}, max ${maxNew})`;
  const score = (sum: number, len: number) => sum / len ** alpha;
  const closeRel = (a: number, b: number, what: () => string) => close(a, b, TOL * Math.max(1, Math.abs(b)), what);
  const checkHyp = (hy: { tokens: number[]; sumLogprobs: number; beamScore: number; endedWithEos: boolean }, what: string) => {
    const L = hy.tokens.length;
    check(L >= 1 && L <= maxNew, () => `${where()}: ${what} has ${L} tokens`);
    closeRel(hy.beamScore, score(hy.sumLogprobs, L), () => `${where()}: ${what} beamScore = Σlogp / L^α`);
    check(hy.endedWithEos === isStop(hy.tokens[L - 1]), () => `${where()}: ${what} endedWithEos ${hy.endedWithEos} but tokens [${hy.tokens}]`);
    check(hy.tokens.slice(0, -1).every((t) => !isStop(t)), () => `${where()}: ${what} continues after a stop token [${hy.tokens}]`);
    if (!hy.endedWithEos) check(L === maxNew, () => `${where()}: ${what} stopped at ${L} < ${maxNew} without a stop token`);
    let sum = 0;
    hy.tokens.forEach((t, i) => (sum += refBeamLogprobs([...ctx.startIds, ...hy.tokens.slice(0, i)], theta)[t]));
    closeRel(hy.sumLogprobs, sum, () => `${where()}: ${what} Σ logprob`);
  };
  run.steps.forEach((step, i) => {
    check(step.step === i + 1, () => `${where()}: step ${i} numbered ${step.step}`);
    const last = i === run.steps.length - 1;
    check(last ? run.hypotheses === null || step.done : !step.done, () => `${where()}: step ${i + 1} of ${run.steps.length} has done ${step.done}`);
    check(step.candidates.length <= 2 * k && step.beams.length <= k && step.beams.length >= 1, () => `${where()}: step ${i + 1} sizes`);
    step.candidates.forEach((c, rank) => {
      const b = step.beams[c.parentBeam];
      check(b !== undefined && c.rank === rank, () => `${where()}: step ${i + 1} candidate ${rank}`);
      const lp = refBeamLogprobs([...ctx.startIds, ...b.tokens], theta)[c.tokenId];
      closeRel(c.sumLogprobs, b.sumLogprobs + lp, () => `${where()}: step ${i + 1} candidate ${rank} Σ logprob`);
      if (c.state === 'finished') closeRel(c.beamScore!, score(c.sumLogprobs, i + 1), () => `${where()}: step ${i + 1} finished candidate score`);
      if (rank > 0) check(c.sumLogprobs <= step.candidates[rank - 1].sumLogprobs, () => `${where()}: step ${i + 1} candidates out of order`);
    });
    check(step.finished.length <= k, () => `${where()}: step ${i + 1} has ${step.finished.length} finished`);
    step.finished.forEach((hy, j) => checkHyp(hy, `step ${i + 1} finished[${j}]`));
  });
  if (run.hypotheses) {
    check(run.hypotheses.length >= 1 && run.hypotheses.length <= k, () => `${where()}: ${run.hypotheses!.length} hypotheses`);
    run.hypotheses.forEach((hy, j) => {
      checkHyp(hy, `hypothesis ${j}`);
      if (j > 0) check(hy.beamScore <= run.hypotheses![j - 1].beamScore, () => `${where()}: hypotheses not best first`);
    });
    check(run.greedyIds.length <= maxNew && run.greedyIds.every((t) => t >= 0 && t < V), () => `${where()}: greedy ids [${run.greedyIds}]`);
  }
}

/** Everything that must hold at any moment between actions. */
function checkInvariants(h: Harness): void {
  const st = h.store.getState();
  const c = h.client();
  check(st.status === 'ready' && st.info !== null, () => `model not ready: ${st.status}`);
  check(st.tree.nodes[st.cursor] !== undefined, () => `cursor ${st.cursor} is not a node (${st.tree.nodes.length} nodes)`);
  const allow = tolerates(h, 'maxLengthWithChildren');
  checkTreeShape(st.tree, 'tree', allow);
  st.history.forEach((e, i) => {
    checkTreeShape(e.tree, `history[${i}]`, allow);
    check(e.tree.nodes[e.cursor] !== undefined, () => `history[${i}] cursor`);
  });
  checkText(st);
  check(c.staleCacheHits === 0, () => `the worker served stale cache entries: ${c.staleDetails.join('; ')}`);
  for (const [id, rec] of Object.entries(st.records)) checkRecord(h, st, Number(id), rec.key, rec.record);
  for (const n of st.tree.nodes) if (n.parent !== null) checkEdge(h, st, n);
  checkBeam(h, st);
  check(st.forwardCount <= c.forwardCount, () => `store forwardCount ${st.forwardCount} > worker ${c.forwardCount}`);
  check(st.error === null && st.promptError === null, () => `error after a valid action: ${JSON.stringify(st.error ?? st.promptError)}`);
}

/** Once nothing is in flight: the chart's record is there and current, the counters agree. */
function checkSettled(h: Harness): void {
  const st = h.store.getState();
  check(!st.busy && !st.playing && !h.client().busy, () => `still busy after settling`);
  const at = displayNodeOf(st);
  const rec = st.records[at];
  check(rec !== undefined && rec.key === currentKey(st), () => `shown node ${at} has ${rec ? `a record for ${rec.key}` : 'no record'}, settings are ${currentKey(st)}`);
  check(st.forwardCount === h.client().forwardCount, () => `store forwardCount ${st.forwardCount}, worker ${h.client().forwardCount}`);
}

async function settle(h: Harness): Promise<void> {
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setImmediate(r));
    if (!h.client().busy) break;
  }
  await new Promise((r) => setImmediate(r));
}

// ---------------------------------------------------------------- actions

type Action =
  | { t: 'step' }
  | { t: 'back' }
  | { t: 'choose'; tokenId: number }
  | { t: 'jump'; pick: number }
  | { t: 'jumpEnd' }
  | {
      t: 'settings';
      strategy: 'greedy' | 'sample' | 'beam';
      temperature: number;
      topK: number;
      topP: number;
      minP: number;
      repetitionPenalty: number;
      orderName: ProcessorOrderName;
      seed: number;
      topN: number;
      maxNewTokens: number;
    }
  | { t: 'reroll' }
  | { t: 'beam'; beamWidth: number; lengthPenalty: number; earlyStopping: EarlyStopping; repetitionPenalty: number; maxNewTokens: number }
  | { t: 'reset' }
  | { t: 'prompt'; text: string }
  | { t: 'history'; pick: number }
  | { t: 'settle' }
  /** A second action while the first is still running (what the UI allows meanwhile). */
  | { t: 'race'; first: Action; second: Action };

/** A value on a grid in [lo, hi] (mostly), special values, or (rarely, with `anyDouble`) any double in range. */
const num = (lo: number, hi: number, specials: number[], grid = 1000, anyDouble = true) =>
  fc.oneof(
    { arbitrary: fc.constantFrom(...specials), weight: 2 },
    { arbitrary: fc.integer({ min: 0, max: grid }).map((i) => lo + ((hi - lo) * i) / grid), weight: 6 },
    { arbitrary: fc.double({ min: lo, max: hi, noNaN: true }), weight: anyDouble ? 1 : 0 },
  );

const promptText = fc.string({ unit: fc.constantFrom(...'abcdefghijk', 'x', ' '), maxLength: 6 });

const baseActionArb: fc.Arbitrary<Action> = fc.oneof(
  { arbitrary: fc.constant<Action>({ t: 'step' }), weight: 30 },
  { arbitrary: fc.constant<Action>({ t: 'back' }), weight: 8 },
  { arbitrary: fc.integer({ min: 0, max: V - 1 }).map((tokenId): Action => ({ t: 'choose', tokenId })), weight: 8 },
  { arbitrary: fc.nat().map((pick): Action => ({ t: 'jump', pick })), weight: 8 },
  { arbitrary: fc.constant<Action>({ t: 'jumpEnd' }), weight: 2 },
  {
    arbitrary: fc.record({
      t: fc.constant('settings' as const),
      strategy: fc.constantFrom('greedy' as const, 'sample' as const, 'sample' as const, 'beam' as const),
      // 0 or ≥ MIN_TEMPERATURE (smaller ones are rejected by validation, see the regression test)
      temperature: num(0, 2, [0, 1, 0.5, 2, 1e-6], 1000, false).map((t) => (t > 0 && t < 1e-6 ? 1e-6 : t)),
      topK: fc.integer({ min: 0, max: V }),
      topP: num(Number.MIN_VALUE, 1, [1, 0.5, 0.9]),
      minP: num(0, 1, [0, 1, 0.1]),
      repetitionPenalty: num(0.5, 2, [1, 0.5, 2]),
      orderName: fc.constantFrom<ProcessorOrderName>('hf', 'temperature-last'),
      seed: fc.integer({ min: 0, max: 0xffffffff }),
      topN: fc.integer({ min: 1, max: V + 2 }),
      maxNewTokens: fc.integer({ min: 1, max: 24 }),
    }),
    weight: 8,
  },
  { arbitrary: fc.constant<Action>({ t: 'reroll' }), weight: 6 },
  {
    arbitrary: fc.record({
      t: fc.constant('beam' as const),
      beamWidth: fc.integer({ min: 1, max: 4 }),
      lengthPenalty: num(-1, 2, [0, 1, 2], 12),
      earlyStopping: fc.constantFrom<EarlyStopping>('true', 'false', 'never'),
      repetitionPenalty: num(0.5, 2, [1, 0.5, 2]),
      maxNewTokens: fc.integer({ min: 1, max: 8 }),
    }),
    weight: 4,
  },
  { arbitrary: fc.constant<Action>({ t: 'reset' }), weight: 2 },
  { arbitrary: promptText.map((text): Action => ({ t: 'prompt', text })), weight: 2 },
  { arbitrary: fc.nat().map((pick): Action => ({ t: 'history', pick })), weight: 1 },
  { arbitrary: fc.constant<Action>({ t: 'settle' }), weight: 4 },
);

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { arbitrary: baseActionArb, weight: 30 },
  {
    arbitrary: fc.record({
      t: fc.constant('race' as const),
      first: baseActionArb.filter((a) => ['step', 'choose', 'reroll', 'beam'].includes(a.t)),
      // a new tree (prompt, history, reset) while a request is out is a known bug: only with STRICT=staleTree
      second: baseActionArb.filter((a) => ['step', 'back', 'choose', 'jump', 'jumpEnd', 'settings', ...(strictEnv('staleTree') ? ['prompt', 'history', 'reset'] : [])].includes(a.t)),
    }),
    weight: 3,
  },
);

async function run(h: Harness, a: Action, solo = true): Promise<void> {
  const c = h.controller;
  // a new tree while requests are out: known bug, so let them finish first
  if ((a.t === 'reset' || a.t === 'prompt' || a.t === 'history') && tolerates(h, 'staleTree')) await settle(h);
  const st = h.store.getState();
  switch (a.t) {
    case 'step':
      await c.stepForward();
      break;
    case 'back':
      c.stepBack();
      break;
    case 'choose':
      await c.chooseToken(a.tokenId);
      break;
    case 'jump':
      await c.jumpTo(a.pick % st.tree.nodes.length);
      break;
    case 'jumpEnd':
      c.jumpEnd();
      break;
    case 'settings':
      h.topNs.add(a.topN);
      await c.updateSettings({
        strategy: a.strategy,
        sampling: { ...st.sampling, temperature: a.temperature, topK: a.topK, topP: a.topP, minP: a.minP, repetitionPenalty: a.repetitionPenalty },
        orderName: a.orderName,
        seed: a.seed,
        topN: a.topN,
        maxNewTokens: a.maxNewTokens,
      });
      break;
    case 'reroll': {
      const n = st.tree.nodes[st.cursor];
      const p = n.parent === null ? null : st.tree.nodes[n.parent];
      if (tolerates(h, 'maxLengthWithChildren') && p && p.stop !== null) break;
      await c.reroll();
      break;
    }
    case 'beam': {
      // beam strategy, then a new beam search (only when generation can continue)
      await c.updateSettings({
        strategy: 'beam',
        beam: { beamWidth: a.beamWidth, lengthPenalty: a.lengthPenalty, earlyStopping: a.earlyStopping, repetitionPenalty: a.repetitionPenalty },
        maxNewTokens: a.maxNewTokens + st.tree.nodes[st.cursor].depth,
      });
      const before = h.store.getState();
      const ran = c.canStep();
      // runs a new search (Step ▶ would first walk through the steps of a finished one)
      await c.runBeam();
      const after = h.store.getState();
      const best = after.beamRun?.hypotheses?.[0];
      if (solo && ran && best && after.error === null) {
        // the best hypothesis is now a path from the start node, and the cursor is at its end
        let at = before.cursor;
        for (const tok of best.tokens) {
          const next = after.tree.nodes[at].children.find((id) => after.tree.nodes[id].edge!.tokenId === tok);
          check(next !== undefined, () => `best hypothesis [${best.tokens}] is not a path from node ${before.cursor}`);
          at = next!;
        }
        check(after.cursor === at, () => `after beam search the cursor is ${after.cursor}, the best path ends at ${at}`);
      }
      break;
    }
    case 'reset':
      await c.reset();
      break;
    case 'prompt':
      await c.setPrompt(a.text);
      break;
    case 'history':
      if (st.history.length > 0) await c.restoreHistory(a.pick % st.history.length);
      break;
    case 'settle':
      await settle(h);
      checkSettled(h);
      break;
    case 'race': {
      const first = run(h, a.first, false);
      // the UI disables Reset while a step runs; everything else here stays enabled
      if (a.second.t !== 'reset' || !h.store.getState().busy) await run(h, a.second, false);
      await first;
      break;
    }
  }
}

async function makeHarness(prompt: string, strict = false): Promise<Harness> {
  const store = createAppStore();
  // the action mix was tuned when greedy was the default strategy (sampling is now): start from greedy
  store.setState({ strategy: 'greedy' });
  let client: ScriptedClient | null = null;
  const controller = new Controller(store, () => (client = new ScriptedClient()) as unknown as WorkerClient);
  const h: Harness = {
    strict,
    store,
    controller,
    client: () => client!,
    beamCtx: null,
    verifiedRecords: new WeakMap(),
    topNs: new Set([store.getState().topN]),
    verifiedEdges: new WeakMap(),
  };
  // capture the settings a beam run starts with, at the moment it starts
  store.subscribe((s, prev) => {
    if (s.beamRun && s.beamRun !== prev.beamRun && s.beamRun.steps.length === 0 && s.beamRun.hypotheses === null) {
      const start = s.tree.nodes[s.beamRun.startNode];
      h.beamCtx = { beam: s.beam, maxNewTokens: s.maxNewTokens, startIds: seqOf(s.tree, start.id), startDepth: start.depth, contextLength: s.info!.contextLength };
    }
  });
  await controller.loadModel({ kind: 'embedded', name: 'scripted' }, 'wasm');
  await controller.setPrompt(prompt);
  return h;
}

// ---------------------------------------------------------------- the property

/** ~45 actions per run on average: 300 runs ≈ 13,000 actions, a few seconds. */
const NUM_RUNS = Number(process.env.PROPERTY_RUNS ?? 300);
/**
 * The runs' seed: fixed by default so `npm test` is reproducible; PROPERTY_SEED=random explores new
 * sequences, PROPERTY_SEED=<n> replays a failure report's. The default is a seed that found a bug
 * (20261206: Back out of a shown beam run kept the start's record from before a settings change; fixed,
 * and kept as a regression below), so the default run passes through that sequence.
 */
const PROPERTY_SEED = process.env.PROPERTY_SEED === 'random' ? undefined : Number(process.env.PROPERTY_SEED ?? 20261206);
const MAX_ACTIONS = 100;
const stats = { runs: 0, actions: 0, races: 0, nodes: 0, records: 0, beamRuns: 0, edges: { greedy: 0, sampled: 0, manual: 0, beam: 0, speculative: 0 } };

describe('Controller with a scripted model (model-based property)', () => {
  it('keeps the tree, records and beam runs consistent under random action sequences', async () => {
    const t0 = performance.now();
    await fc.assert(
      fc.asyncProperty(promptText, fc.array(actionArb, { maxLength: MAX_ACTIONS, size: 'max' }), async (prompt, actions) => {
        const h = await makeHarness(prompt);
        checkInvariants(h);
        let beamCtx = h.beamCtx;
        for (const a of actions) {
          await run(h, a);
          checkInvariants(h);
          stats.actions++;
          if (a.t === 'race') stats.races++;
          if (h.beamCtx !== beamCtx) stats.beamRuns++;
          beamCtx = h.beamCtx;
        }
        await settle(h);
        checkInvariants(h);
        checkSettled(h);
        stats.runs++;
        stats.nodes += h.store.getState().tree.nodes.length;
        for (const n of h.store.getState().tree.nodes) if (n.edge) stats.edges[n.edge.method]++;
        stats.records += Object.keys(h.store.getState().records).length;
      }),
      { numRuns: NUM_RUNS, ...(PROPERTY_SEED === undefined ? {} : { seed: PROPERTY_SEED }) },
    );
    console.info(
      `controller property: ${stats.runs} runs, ${stats.actions} actions checked (${stats.races} of them two at once), ${stats.beamRuns} beam runs; ` +
        `final trees: ${stats.nodes} nodes (edges ${JSON.stringify(stats.edges)}), ${stats.records} records; ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    expect(stats.actions).toBeGreaterThan(0);
  });
});

// ---------------------------------------------------------------- known bugs, reproduced


describe('regressions of bugs the property test found', () => {
  it('a chart request still out when Reset replaces the tree is dropped, and caches are not reused across trees', () =>
    (async () => {
      const h = await makeHarness('c', true);
      const c = h.controller;
      await c.updateSettings({ strategy: 'beam', beam: { beamWidth: 2, lengthPenalty: 1, earlyStopping: 'false', repetitionPenalty: 1 }, maxNewTokens: 3 });
      await c.stepForward(); // beam path c → e h e (nodes 1..3)
      checkInvariants(h);
      c.stepBack(); // the chart asks for node 1 (a forward pass)…
      await c.reset(); // …and Reset forgets every cache before that answer arrives
      await c.updateSettings({ strategy: 'greedy' });
      await c.stepForward(); // new node 1: f (≠ e)
      await c.stepForward(); // served the old node 1's logits: picks h, the model's argmax after "cf" is g
      await settle(h);
      checkInvariants(h);
    })(),
  );

  it('beam search through a node that was a max-length stop under a smaller limit clears that stop', () =>
    (async () => {
      const h = await makeHarness('', true);
      const c = h.controller;
      await c.updateSettings({ strategy: 'beam', beam: { beamWidth: 1, lengthPenalty: 1, earlyStopping: 'false', repetitionPenalty: 1 }, maxNewTokens: 1 });
      await c.stepForward(); // node 1, stop 'max-length'
      checkInvariants(h);
      await c.updateSettings({ maxNewTokens: 2 });
      await c.jumpTo(0);
      await c.stepForward(); // the best 2-token path reuses node 1 and adds node 2 below it
      checkInvariants(h);
    })(),
  );

  it("Back out of a shown beam run asks for the start's record under the settings changed while the run was shown", () =>
    (async () => {
      const h = await makeHarness('', true);
      const c = h.controller;
      await c.stepForward(); // node 1 (greedy)
      const beam = (repetitionPenalty: number, more: number) =>
        c.updateSettings({ strategy: 'beam', beam: { beamWidth: 1, lengthPenalty: -1, earlyStopping: 'true', repetitionPenalty }, maxNewTokens: more + h.store.getState().tree.nodes[h.store.getState().cursor].depth });
      await beam(0.5, 3);
      await c.runBeam(); // from node 1: the chart at node 0 was computed under repetition penalty 0.5
      await beam(0.5015, 1);
      await c.runBeam();
      c.stepBack(); // out of the run, to its start (node 1): node 0's record was the 0.5 one
      await settle(h);
      checkInvariants(h);
      checkSettled(h);
    })(),
  );

  it('a subnormal temperature is rejected by validation (logit / 5e-324 would be Infinity)', async () => {
    const h = await makeHarness('abc', true);
    await expect(h.controller.updateSettings({ strategy: 'sample', sampling: { ...h.store.getState().sampling, temperature: 5e-324 } })).rejects.toThrow(RangeError);
    checkInvariants(h);
  });
});
