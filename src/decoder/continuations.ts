/**
 * Monte-Carlo continuations (protocol 'mc-tree'): N continuations of up to `length` tokens from a
 * node, merged into a prefix tree (engine/mcTree.ts), on the shared level loop — level j is one
 * batched forward with one row per distinct prefix. A continuation ends at the stop rule's tokens.
 */
import { EngineError } from '../engine/errors.ts';
import { growLevel, startMcTree, type McFrontierRow, type McTreeNode } from '../engine/mcTree.ts';
import { validateSamplingSettings } from '../engine/settings.ts';
import type { WorkerRequest } from '../worker/protocol.ts';
import type { ModelBackend } from './backend.ts';
import { runLevels } from './levels.ts';
import type { NodeCache } from './nodeCache.ts';
import { stopTokenIds } from './stopRule.ts';

export type McTreeRequest = Extract<WorkerRequest, { type: 'mc-tree' }>;

/**
 * @param cancelled checked before each level
 * @returns the tree's nodes (node 0 is the start)
 * @throws RangeError for invalid n, length or settings; EngineError `cancelled` when `cancelled()` turned true
 */
export async function continuationTree(backend: ModelBackend, nodes: NodeCache, req: McTreeRequest, cancelled: () => boolean): Promise<McTreeNode[]> {
  validateSamplingSettings(req.settings);
  if (!Number.isInteger(req.n) || req.n < 1 || req.n > 1000) throw new RangeError(`n must be an integer in [1, 1000]: ${req.n}`);
  const length = Math.min(req.length, backend.info.contextLength - req.ids.length);
  if (!Number.isInteger(length) || length < 1) throw new RangeError(`length must be an integer ≥ 1 within the context: ${req.length}`);
  const start = await nodes.startOf(req.path, req.ids);
  const stops = stopTokenIds(backend.info);
  const tree = startMcTree(req.n);
  let frontier: McFrontierRow[] = [{ node: 0, ids: req.ids.slice(), samples: Array.from({ length: req.n }, (_, i) => i) }];
  await runLevels(backend, start.cache, start.logits, (j, scores) => {
    if (cancelled()) throw new EngineError('cancelled', 'Monte-Carlo continuations stopped');
    const next = growLevel(tree, frontier, scores, req.settings, req.seed, req.depth, j, stops);
    if (next.length === 0 || j === length - 1) return null;
    // each new row continues from its parent row's cache
    const parentRow = new Map(frontier.map((r, i) => [r.node, i]));
    const rows = next.map((r) => ({ parent: parentRow.get(tree[r.node].parent)!, tokenId: r.ids[r.ids.length - 1] }));
    frontier = next;
    return rows;
  });
  return tree;
}
