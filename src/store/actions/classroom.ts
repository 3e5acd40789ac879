/** The worker side of the classroom (src/store/classroom.ts): Monte-Carlo samples and continuation trees. */
import type { McHistogram } from '../../engine/monteCarlo.ts';
import type { McTreeNode } from '../../engine/mcTree.ts';
import { getNode } from '../../engine/tree.ts';
import type { ActionContext } from './context.ts';

/**
 * N Monte-Carlo samples from node `nodeId`'s final distribution under the sampling settings
 * (temperature, top-k, top-p, min-p, repetition penalty, whatever the strategy), with the seed
 * setting and the node's depth in the draw keys (streams in engine/monteCarlo.ts).
 * @returns null when the tree was replaced meanwhile
 * @throws EngineError from the worker (e.g. no model), RangeError for n out of range
 */
export async function monteCarlo(ctx: ActionContext, nodeId: number, n: number, topM = 50): Promise<McHistogram | null> {
  const s = ctx.s;
  const ticket = ctx.link.ticket();
  const r = await ctx.link.mcSample(s.tree, nodeId, { settings: s.sampling, n, seed: s.seed, depth: getNode(s.tree, nodeId).depth, topM });
  if (!ctx.link.isCurrent(ticket)) return null;
  ctx.set({ forwardCount: r.forwardCount });
  return r.histogram;
}

/**
 * N continuations of up to `length` tokens from node `nodeId` under the sampling settings, merged
 * into a tree with visit counts (one batched forward pass per level in the worker; steps asked for
 * meanwhile wait in the worker's queue). `cancelMonteCarloTree` stops it between levels.
 * @returns null when the tree was replaced meanwhile
 * @throws EngineError `cancelled` when stopped
 */
export async function monteCarloTree(ctx: ActionContext, nodeId: number, n: number, length: number): Promise<McTreeNode[] | null> {
  const s = ctx.s;
  const ticket = ctx.link.ticket();
  const req = ctx.link.mcTree(s.tree, nodeId, { settings: s.sampling, n, length, seed: s.seed, depth: getNode(s.tree, nodeId).depth });
  ctx.mc.treeRequest = req.requestId;
  const r = await req.done;
  if (!ctx.link.isCurrent(ticket)) return null;
  ctx.set({ forwardCount: r.forwardCount });
  return r.nodes;
}

/** Stops the running Monte-Carlo continuations (they answer with an error `cancelled`). */
export function cancelMonteCarloTree(ctx: ActionContext): void {
  ctx.link.cancelMcTree(ctx.mc.treeRequest);
}
