/**
 * Checks a lesson claim against what the app holds right now. Pure: the caller gathers the
 * context from the store (see `claimContext` in src/store/lessonRunner.ts).
 */
import type { DistributionRecord } from '../engine/distribution.ts';
import { stageProb } from '../engine/distribution.ts';
import type { BeamCandidate, BeamHypothesis } from '../engine/beam.ts';
import { getNode, pathTo, type GenerationTree } from '../engine/tree.ts';
import type { LessonClaim } from './types.ts';
import type { Readout } from '../decoder/readout.ts';
import { evaluateAttentionClaim, type AttentionClaim } from './attentionClaims.ts';

/** One token of the current path as the token view shows it. */
export interface PathToken {
  id: number;
  /** Decoded text of the token alone (may be empty for a partial byte token). */
  text: string;
  /** The token holds only part of a multi-byte UTF-8 character. */
  partial: boolean;
}

/** Everything a claim may look at. */
export interface ClaimContext {
  tree: GenerationTree;
  cursor: number;
  /** The record of the step the chart shows (null while it is being computed). */
  record: DistributionRecord | null;
  eosTokenId: number | null;
  /** Prompt tokens then generated tokens of the current path. */
  pathTokens: PathToken[];
  beamRun: {
    startNode: number;
    hypotheses: BeamHypothesis[] | null;
    greedyIds: number[];
    steps: { candidates: BeamCandidate[]; done: boolean }[];
  } | null;
  /** Tokens scored by teacher forcing, null when none. */
  teacherTokens: number | null;
  /** ONNX forward passes since the step's actions started. */
  forwardPasses: number;
  /** The last speculative run (issue #21), null when none. */
  specRun: { startNode: number; tokens: number[]; targetForwards: number; accepted: number } | null;
  /** The attention / lens readout of the shown step (null when none is held), and that step's token ids. */
  readout?: Readout | null;
  shownIds?: readonly number[];
}

/** A claim's outcome: whether it holds and the measured value shown beside it. */
export interface ClaimResult {
  holds: boolean;
  /** The measured quantity (a probability, count, rank, log-probability…), null when unavailable. */
  value: number | null;
}

const within = (v: number, min = -Infinity, max = Infinity) => v >= min && v <= max;

function result(value: number | null, holds: (v: number) => boolean): ClaimResult {
  return { value, holds: value !== null && Number.isFinite(value) && holds(value) };
}

/** Mean model log-probability (nats) of the edges below depth 1 on the path to `id`; null if none. */
function meanLogprobAfterFirst(tree: GenerationTree, id: number): number | null {
  const edges = pathTo(tree, id).slice(2).map((n) => tree.nodes[n].edge!.logprob);
  return edges.length ? edges.reduce((a, b) => a + b, 0) / edges.length : null;
}

/** The deepest node reached from `id` by always following the first child. */
function deepestFirst(tree: GenerationTree, id: number): number {
  let n = id;
  while (tree.nodes[n].children.length) n = tree.nodes[n].children[0];
  return n;
}

/** Sum of model log-probabilities along greedy edges from `start` spelling `ids`; null if that path is not in the tree. */
function treePathLogprob(tree: GenerationTree, start: number, ids: number[]): number | null {
  let at = start;
  let sum = 0;
  for (const id of ids) {
    const next = getNode(tree, at).children.map((c) => tree.nodes[c]).find((c) => c.edge!.tokenId === id && c.edge!.method === 'greedy');
    if (!next) return null;
    sum += next.edge!.logprob;
    at = next.id;
  }
  return sum;
}

/**
 * Evaluates one claim.
 * @returns whether it holds and the measured value (units: as the claim's kind states).
 */
export function evaluateClaim(claim: LessonClaim, c: ClaimContext): ClaimResult {
  const rec = c.record;
  const node = c.tree.nodes[c.cursor];
  switch (claim.kind) {
    case 'top-prob':
      return result(rec && rec.tokenIds.length ? stageProb(rec, 0, 0) : null, (v) => within(v, claim.min, claim.max));
    case 'eos-prob': {
      const j = rec && c.eosTokenId !== null ? Array.from(rec.tokenIds).indexOf(c.eosTokenId) : -1;
      return result(rec && j >= 0 ? stageProb(rec, 0, j) : null, (v) => within(v, claim.min, claim.max));
    }
    case 'sums-to-one': {
      if (!rec) return { holds: false, value: null };
      let s = rec.restMass[0];
      for (let j = 0; j < rec.tokenIds.length; j++) s += stageProb(rec, 0, j);
      return result(s, (v) => Math.abs(v - 1) < 1e-6);
    }
    case 'kept-count': {
      if (!rec) return { holds: false, value: null };
      const S = rec.stages.length - 1;
      const n = rec.tokenIds.length;
      let kept = 0;
      for (let j = 0; j < n; j++) kept += rec.kept[S * n + j];
      // tokens outside the shown list count only when they keep some final probability
      return result(rec.restMass[S] > 0 ? Infinity : kept, (v) => v <= claim.max);
    }
    case 'generated-count':
      return result(node ? node.depth : null, (v) => v === claim.value);
    case 'stop-reason':
      return { holds: node?.stop === claim.reason, value: null };
    case 'chosen-rank':
      return result(node?.edge ? node.edge.rank : null, (v) => within(v, claim.min, claim.max));
    case 'same-draw-different-token': {
      if (!node?.edge || node.parent === null || node.edge.u === null) return { holds: false, value: null };
      const sib = getNode(c.tree, node.parent).children.map((id) => c.tree.nodes[id]).find((s) => s.id !== node.id && s.edge!.u === node.edge!.u && s.edge!.tokenId !== node.edge!.tokenId);
      return { holds: sib !== undefined, value: node.edge.u };
    }
    case 'repeats': {
      const ids = c.pathTokens.slice(c.tree.promptIds.length).map((t) => t.id);
      const L = claim.length;
      const at = (i: number) => ids.slice(i, i + L).join(',');
      let found = false;
      // a run of L tokens that occurs again later without overlapping itself
      for (let i = 0; i + 2 * L <= ids.length && !found; i++) for (let j = i + L; j + L <= ids.length && !found; j++) found = at(i) === at(j);
      return { holds: found, value: null };
    }
    case 'forward-passes':
      return result(c.forwardPasses, (v) => within(v, claim.min, claim.max));
    case 'prompt-tokens':
      return result(c.tree.promptIds.length, (v) => v >= claim.min);
    case 'partial-token':
      return { holds: c.pathTokens.some((t) => t.partial), value: null };
    case 'leading-space-pair': {
      const prompt = c.pathTokens.slice(0, c.tree.promptIds.length);
      const holds = prompt.some((a) => a.text !== '' && prompt.some((b) => b.id !== a.id && b.text === ' ' + a.text));
      return { holds, value: null };
    }
    case 'beam-equals-greedy': {
      const best = c.beamRun?.hypotheses?.[0];
      if (!best || !c.beamRun!.greedyIds.length) return { holds: false, value: null };
      return { holds: (best.tokens.join() === c.beamRun!.greedyIds.join()) === claim.value, value: null };
    }
    case 'beam-beats-greedy': {
      const run = c.beamRun;
      const best = run?.hypotheses?.[0];
      const greedy = run && run.greedyIds.length ? treePathLogprob(c.tree, run.startNode, run.greedyIds) : null;
      if (!best || greedy === null) return { holds: false, value: null };
      return result(best.sumLogprobs - greedy, (v) => v > 0);
    }
    case 'beams-kept': {
      // the last step ends the search (its candidates finish instead of running on)
      const running = (c.beamRun?.steps ?? []).slice(0, -1);
      if (!running.length) return { holds: false, value: null };
      const counts = running.map((s) => s.candidates.filter((x) => x.state === 'kept').length);
      return result(Math.min(...counts), () => counts.every((k) => k === claim.value));
    }
    case 'beam-pruned': {
      const steps = c.beamRun?.steps ?? [];
      const pruned = steps.reduce((a, s) => a + s.candidates.filter((x) => x.state === 'pruned').length, 0);
      return result(steps.length ? pruned : null, (v) => v >= claim.min);
    }
    case 'beam-best-eos': {
      const best = c.beamRun?.hypotheses?.[0];
      return { holds: best !== undefined && best.endedWithEos === claim.value, value: null };
    }
    case 'teacher-tokens':
      return result(c.teacherTokens, (v) => v >= claim.min);
    case 'spec-forwards-per-token': {
      const r = c.specRun;
      return result(r && r.tokens.length ? r.targetForwards / r.tokens.length : null, (v) => v <= claim.max);
    }
    case 'spec-accepted':
      return result(c.specRun ? c.specRun.accepted : null, (v) => v >= claim.min);
    case 'same-as-speculative': {
      const r = c.specRun;
      if (!r || !c.tree.nodes[r.startNode]) return { holds: false, value: null };
      const path = pathTo(c.tree, c.cursor);
      const from = path.indexOf(r.startNode);
      if (from < 0) return { holds: false, value: null };
      const edges = path.slice(from + 1).map((id) => c.tree.nodes[id].edge!);
      const holds = edges.length === r.tokens.length && edges.every((e, i) => e.method !== 'speculative' && e.tokenId === r.tokens[i]);
      return { holds, value: edges.length };
    }
    case 'answer-in': {
      const gen = c.pathTokens.slice(c.tree.promptIds.length);
      const body = gen.length && gen[gen.length - 1].id === c.eosTokenId ? gen.slice(0, -1) : gen;
      const text = body.map((t) => t.text).join('');
      return { holds: claim.options.includes(text) === claim.value, value: null };
    }
    case 'attn-sums-to-one':
    case 'attn-previous-token':
    case 'attn-after-earlier':
    case 'repeat-not-predicted':
    case 'lens-embedding-is-token':
    case 'lens-settles':
      return evaluateAttentionClaim(claim as AttentionClaim, c.readout ?? null, c.shownIds ?? [], rec);
    case 'branch-less-confident': {
      const path = pathTo(c.tree, c.cursor);
      if (path.length < 3) return { holds: false, value: null };
      const first = path[1];
      const sibling = getNode(c.tree, 0).children.find((id) => id !== first);
      if (sibling === undefined) return { holds: false, value: null };
      const mine = meanLogprobAfterFirst(c.tree, c.cursor);
      const theirs = meanLogprobAfterFirst(c.tree, deepestFirst(c.tree, sibling));
      if (mine === null || theirs === null) return { holds: false, value: null };
      return result(mine - theirs, (v) => v < 0);
    }
  }
}
