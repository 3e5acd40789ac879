/**
 * Append and replace by hand: the actions behind the query box's "append after the cursor" and
 * "replace this token", and the distributions they need beyond the tree's own nodes.
 *
 * Appending a typed word appends every token of the tokenizer's own split, one hand-chosen edge
 * each (a branch when the cursor already has other children). Before anything is chosen, the
 * probabilities of those tokens at the cursor are computed (P(t1 | text) · P(t2 | text, t1) · …) on
 * scratch cache ids that are forgotten afterwards, so the tree is untouched.
 *
 * A small vanilla store of its own holds the last append query (components read it with
 * {@link useAppendQuery}, never write it).
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { useStore } from 'zustand';
import { pathTo, sequenceIds } from '../engine/tree.ts';
import { stageProb, type DistributionRecord, type TokenStat } from '../engine/distribution.ts';
import { EngineError } from '../engine/errors.ts';
import type { WorkerClient } from '../worker/client.ts';
import { appStore } from './store.ts';
import { controller, displayNodeOf, stepSettings } from './controller.ts';
import { spellAfter } from './spelling.ts';

/** The last append query: the typed text, its tokens by the tokenizer's own split, their statistics at the cursor. */
export interface AppendQuery {
  text: string;
  /** The node the probabilities were computed at (the cursor when asked). */
  at: number;
  /** Sequence key of `at` (the answer is stale once the tree changes under it). */
  seqKey: string;
  ids: number[];
  /** True when the spelling with a leading space was chosen. */
  spaced: boolean;
  /** One entry per token: its statistics given the text before it (model and final probability, ranks). */
  stats: TokenStat[];
  /** Product of the tokens' model probabilities (chain rule). */
  prob: number;
}

export const appendStore: StoreApi<{ query: AppendQuery | null; busy: boolean }> = createStore(() => ({ query: null as AppendQuery | null, busy: false }));

/** React hook: the last append query. */
export function useAppendQuery<T>(selector: (s: { query: AppendQuery | null; busy: boolean }) => T): T {
  return useStore(appendStore, selector);
}

/** Scratch worker cache ids, far from the tree's (epoch · 2^20 + id) and compare's (−2^40 − …). */
let scratchCounter = 0;
const SCRATCH_BASE = -(2 ** 45);
function scratchId(): number {
  return SCRATCH_BASE - scratchCounter++;
}

function client(): WorkerClient {
  const c = controller.compareAccess().client;
  if (!c) throw new EngineError('model-load', 'no model is loaded');
  return c;
}

function report(e: unknown): void {
  if (e instanceof EngineError && e.code === 'cancelled') return;
  const error = e instanceof EngineError ? { code: e.code, message: e.message } : { code: 'unknown' as const, message: e instanceof Error ? e.message : String(e) };
  appStore.setState({ error });
}

/**
 * Runs `body` with worker cache ids for positions after node `nodeId`: `pathFor(k)` is the cache
 * path of the node plus k scratch positions. The scratch caches are forgotten afterwards.
 */
async function withScratch<T>(nodeId: number, body: (pathFor: (k: number) => number[], c: WorkerClient) => Promise<T>): Promise<T> {
  const access = controller.compareAccess();
  const c = client();
  const s = appStore.getState();
  const base = pathTo(s.tree, nodeId).map((id) => access.cacheId(id));
  const scratch: number[] = [];
  const pathFor = (k: number) => {
    while (scratch.length < k) scratch.push(scratchId());
    return [...base, ...scratch.slice(0, k)];
  };
  try {
    return await body(pathFor, c);
  } finally {
    if (scratch.length > 0) await c.request({ type: 'forget', nodeIds: scratch }, ['done']).catch(() => undefined);
  }
}

/**
 * Statistics of each token of `tokenIds` appended one after another after node `nodeId`: entry i
 * is token i's statistics given the text and tokens 0 … i−1. No tree change.
 */
export async function pathStats(nodeId: number, tokenIds: readonly number[]): Promise<TokenStat[]> {
  const s = appStore.getState();
  const ids = sequenceIds(s.tree, nodeId);
  return withScratch(nodeId, async (pathFor, c) => {
    const out: TokenStat[] = [];
    for (let i = 0; i < tokenIds.length; i++) {
      const r = await c.request(
        { type: 'query', nodeId: pathFor(i).at(-1)!, path: pathFor(i), ids: [...ids, ...tokenIds.slice(0, i)], settings: stepSettings(s), strategy: s.strategy, tokenIds: [tokenIds[i]] },
        ['query-result'],
      );
      out.push(r.stats[0]);
    }
    return out;
  });
}

/**
 * The distribution record after node `nodeId` followed by `extra` tokens (top-N by model
 * probability, as the chart's), without changing the tree.
 */
export async function recordAfter(nodeId: number, extra: readonly number[]): Promise<DistributionRecord> {
  const s = appStore.getState();
  if (extra.length === 0) {
    await controller.ensureRecord(nodeId);
    const held = appStore.getState().records[nodeId]?.record;
    if (held) return held;
  }
  const ids = [...sequenceIds(s.tree, nodeId), ...extra];
  return withScratch(nodeId, async (pathFor, c) => {
    const r = await c.request(
      { type: 'step', nodeId: pathFor(extra.length).at(-1)!, path: pathFor(extra.length), ids, strategy: s.strategy, settings: stepSettings(s), topN: s.topN, extraIds: [], drawKey: null, choose: 'none' },
      ['step-result'],
    );
    return r.record;
  });
}

/** The top entries of a record as (token, model probability), most probable first. */
export function topEntries(rec: DistributionRecord, n: number): { tokenId: number; prob: number }[] {
  return Array.from({ length: Math.min(n, rec.tokenIds.length) }, (_, j) => ({ tokenId: rec.tokenIds[j], prob: stageProb(rec, 0, j) }));
}

let queryToken = 0;

/** Asks what appending `text` after the cursor would mean: its tokens and their probabilities there (shown before choosing). */
export async function queryAppend(text: string): Promise<void> {
  const token = ++queryToken;
  const s = appStore.getState();
  if (text === '' || !s.info || s.readOnly || s.tree.promptIds.length === 0) {
    appendStore.setState({ query: null });
    return;
  }
  const at = s.cursor;
  const seqKey = sequenceIds(s.tree, at).join(',');
  try {
    const { ids, spaced } = await spellAfter(client(), s, at, text);
    const stats = ids.length > 0 ? await pathStats(at, ids) : [];
    if (token !== queryToken) return;
    const prob = stats.reduce((a, st) => a * st.prob, 1);
    appendStore.setState({ query: { text, at, seqKey, ids, spaced, stats, prob } });
  } catch (e) {
    if (token === queryToken) report(e);
  }
}

/** Appends tokens after the cursor, one hand-chosen edge each; stops at the first that cannot be appended. */
export async function appendTokens(tokenIds: readonly number[]): Promise<void> {
  if (appendStore.getState().busy) return;
  appendStore.setState({ busy: true });
  try {
    for (const id of tokenIds) {
      const before = appStore.getState().cursor;
      await controller.appendToken(id);
      const after = appStore.getState();
      if (after.cursor === before || after.tree.nodes[after.cursor]?.edge?.tokenId !== id) break;
    }
  } finally {
    appendStore.setState({ busy: false, query: null });
  }
}

/**
 * Replaces the token the chart shows (a branch at the shown step) with `tokenIds[0]`, then appends
 * the rest of them: a word of several tokens replaces the token with the whole word.
 */
export async function replaceTokens(tokenIds: readonly number[]): Promise<void> {
  if (tokenIds.length === 0) return;
  const s = appStore.getState();
  const at = displayNodeOf(s);
  await controller.chooseToken(tokenIds[0]);
  const now = appStore.getState();
  const n = now.tree.nodes[now.cursor];
  if (n?.parent !== at || n.edge?.tokenId !== tokenIds[0]) return;
  if (tokenIds.length > 1) await appendTokens(tokenIds.slice(1));
}
