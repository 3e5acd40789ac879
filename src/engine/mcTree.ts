/**
 * Multi-step Monte-Carlo: N continuations of length ≤ L sampled from a node with the
 * current settings, merged into a prefix tree with visit counts. This file holds the
 * bookkeeping; the worker runs one batched forward pass per level (one row per distinct
 * prefix) and calls `growLevel` with each row's logits.
 *
 * Continuation i's j-th token uses u = drawUniform(mcContinuationKey(seed, depth, i, j)).
 */
import { drawUniform } from './random.ts';
import { stageDistributions } from './fastStep.ts';
import { inverseCdfSampler, mcContinuationKey } from './monteCarlo.ts';
import type { SamplingSettings } from './settings.ts';

/** A node of the continuation tree; node 0 is the start (no token). */
export interface McTreeNode {
  id: number;
  /** -1 for the start node. */
  parent: number;
  /** The token on the edge from the parent (-1 for the start node). */
  tokenId: number;
  /** 0 for the start node, j + 1 for the j-th sampled token. */
  depth: number;
  /** How many of the N continuations pass through this node. */
  visits: number;
  /** Model probability (softmax of raw logits) of the edge's token given the parent's prefix. */
  prob: number;
  /** Final probability (after the processors; what was sampled from). */
  finalProb: number;
  /** True when the edge's token is a stop token, EOS or end-of-turn (the continuation ends here). */
  eos: boolean;
  children: number[];
}

/** A prefix still being extended: its tree node, full token ids and the continuations (sample indices) in it. */
export interface McFrontierRow {
  node: number;
  ids: number[];
  samples: number[];
}

/** The start of a tree: one node visited by all `n` continuations. */
export function startMcTree(n: number): McTreeNode[] {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`n must be an integer ≥ 1: ${n}`);
  return [{ id: 0, parent: -1, tokenId: -1, depth: 0, visits: n, prob: 1, finalProb: 1, eos: false, children: [] }];
}

/**
 * Samples the next token of every continuation in the frontier and adds the new nodes (in place).
 * @param nodes the tree so far (mutated: children and new nodes appended)
 * @param frontier rows to extend; logitsRows[r] are the raw logits (length vocabSize) after row r's prefix
 * @param position 0-based index of the token being sampled
 * @param stopTokenIds ids that end a continuation (EOS and end-of-turn: the decoder's stop rule)
 * @returns the next frontier: one row per new node whose token is not a stop token, in node order
 */
export function growLevel(
  nodes: McTreeNode[],
  frontier: readonly McFrontierRow[],
  logitsRows: readonly ArrayLike<number>[],
  settings: SamplingSettings,
  seed: number,
  depth: number,
  position: number,
  stopTokenIds: readonly number[],
): McFrontierRow[] {
  if (logitsRows.length !== frontier.length) throw new RangeError(`growLevel: ${logitsRows.length} logits rows for ${frontier.length} prefixes`);
  const next: McFrontierRow[] = [];
  frontier.forEach((row, r) => {
    const { rawProbs: raw, finalProbs: fin } = stageDistributions(logitsRows[r], row.ids, settings);
    const sample = inverseCdfSampler(fin);
    const byToken = new Map<number, number[]>();
    for (const i of row.samples) {
      const t = sample(drawUniform(mcContinuationKey(seed, depth, i, position)));
      const list = byToken.get(t);
      if (list) list.push(i);
      else byToken.set(t, [i]);
    }
    // children by visits, most visited first (ties: lower token id)
    const groups = [...byToken.entries()].sort((a, b) => b[1].length - a[1].length || a[0] - b[0]);
    for (const [t, samples] of groups) {
      const id = nodes.length;
      const eos = stopTokenIds.includes(t);
      nodes.push({ id, parent: row.node, tokenId: t, depth: position + 1, visits: samples.length, prob: raw[t], finalProb: fin[t], eos, children: [] });
      nodes[row.node].children.push(id);
      if (!eos) next.push({ node: id, ids: [...row.ids, t], samples });
    }
  });
  return next;
}
