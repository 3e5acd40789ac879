/** Attention view actions (issue #20): open/close, pick a layer or head, fetch a node's readout. */
import { pathTo, sequenceIds } from '../../engine/tree.ts';
import { EngineError } from '../../engine/errors.ts';
import { attentionStore, keepReadout, readoutKey } from '../attention.ts';
import { StaleResult } from '../link.ts';
import type { ActionContext } from './context.ts';
import type { Readout } from '../../decoder/readout.ts';

/** Opens or closes the view; the worker computes readouts with each forward only while it is open. */
export async function setAttentionOpen(ctx: ActionContext, open: boolean): Promise<void> {
  attentionStore.setState({ open, error: null });
  if (ctx.s.source?.kind === 'server') {
    attentionStore.setState({ unavailable: 'server' });
    return;
  }
  if (!ctx.link.ready) return;
  try {
    await ctx.link.readouts(open);
  } catch {
    // a worker being replaced: the view asks again when the model is ready (loadReadout)
  }
}

export function pickAttention(layer: number, head: number | 'mean'): void {
  attentionStore.setState({ layer, head });
}

/**
 * Fetches node `nodeId`'s readout unless held (kept from the step's forward while the view is open,
 * else recomputed from the node's parent's KV snapshot). A model without attention outputs sets
 * `unavailable` with the reason.
 */
/** Readout keys of the nodes on the cursor's path (kept however many others are fetched). */
function pathKeys(ctx: ActionContext): Set<string> {
  const s = ctx.s;
  if (!s.info || !s.tree.nodes[s.cursor]) return new Set();
  return new Set(pathTo(s.tree, s.cursor).map((id) => readoutKey(s.info!.id, sequenceIds(s.tree, id))));
}

/** Keeps a readout that came with a step's answer for node `nodeId` (the view was open). */
export function keepStepReadout(ctx: ActionContext, nodeId: number, r: Readout): void {
  const s = ctx.s;
  if (!s.info || !s.tree.nodes[nodeId]) return;
  keepReadout(readoutKey(s.info.id, sequenceIds(s.tree, nodeId)), r, pathKeys(ctx));
}

/** Requests in flight by readout key (a second ask for the same node waits for the first). */
const inFlight = new Map<string, Promise<void>>();

export async function loadReadout(ctx: ActionContext, nodeId: number): Promise<void> {
  const s = ctx.s;
  if (!s.info || !ctx.link.ready || s.tree.promptIds.length === 0 || !s.tree.nodes[nodeId]) return;
  if (s.source?.kind === 'server') {
    attentionStore.setState({ unavailable: 'server' });
    return;
  }
  // a session recorded with another model shows its file's records only: nothing is recomputed
  if (s.readOnly) {
    attentionStore.setState({ unavailable: 'read-only' });
    return;
  }
  const key = readoutKey(s.info.id, sequenceIds(s.tree, nodeId));
  const a = attentionStore.getState();
  if (a.readouts.has(key)) {
    keepReadout(key, a.readouts.get(key)!, pathKeys(ctx));
    return;
  }
  const running = inFlight.get(key);
  if (running) return running;
  const p = fetchReadout(ctx, nodeId, key).finally(() => inFlight.delete(key));
  inFlight.set(key, p);
  return p;
}

async function fetchReadout(ctx: ActionContext, nodeId: number, key: string): Promise<void> {
  const s = ctx.s;
  attentionStore.setState({ pending: key, unavailable: null });
  const ticket = ctx.link.ticket();
  try {
    await ctx.link.readouts(true);
    const r = await ctx.link.readout(s.tree, nodeId);
    ctx.link.check(ticket);
    keepReadout(key, r.readout, pathKeys(ctx));
  } catch (e) {
    if (e instanceof StaleResult) {
      attentionStore.setState({ pending: null });
      return;
    }
    if (e instanceof EngineError && e.code === 'invalid-setting') attentionStore.setState({ unavailable: 'no-outputs', pending: null });
    else attentionStore.setState({ error: e instanceof Error ? e.message : String(e), pending: null });
  }
}
