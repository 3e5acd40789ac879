/**
 * Append and replace by hand: the actions behind the query box's "append after the cursor" and
 * "replace this token", and the distributions they need beyond the tree's own nodes.
 *
 * Appending a typed word appends every token of the tokenizer's own split, one hand-chosen edge
 * each (a branch when the cursor already has other children). Before anything is chosen, the
 * probabilities of those tokens at the cursor are computed (P(t1 | text) · P(t2 | text, t1) · …) by
 * fresh prefills on scratch cache ids that are forgotten afterwards, so the tree is untouched.
 * All worker traffic goes through `tokenizeText` and `scratchRecord`.
 *
 * A small vanilla store of its own holds the last append query (components read it with
 * {@link useAppendQuery}, never write it).
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { useStore } from 'zustand';
import { sequenceIds } from '../engine/tree.ts';
import { stageProb, type DistributionRecord } from '../engine/distribution.ts';
import { EngineError } from '../engine/errors.ts';
import { appStore } from './store.ts';
import { controller } from './controller.ts';
import { displayNodeOf, stepSettings } from './selectors.ts';
import { spellAfter } from './spelling.ts';

/** The last append query: the typed text, its tokens by the tokenizer's own split, their probabilities at the cursor. */
export interface AppendQuery {
  text: string;
  /** The node the probabilities were computed at (the cursor when asked). */
  at: number;
  /** Sequence key of `at` (the answer is stale once the tree changes under it). */
  seqKey: string;
  ids: number[];
  /** True when the spelling with a leading space was chosen. */
  spaced: boolean;
  /** Model probability of each token given the text and the tokens before it (0..1). */
  probs: number[];
  /** Product of the tokens' model probabilities (chain rule). */
  prob: number;
}

export const appendStore: StoreApi<{ query: AppendQuery | null; busy: boolean }> = createStore(() => ({ query: null as AppendQuery | null, busy: false }));

/** React hook: the last append query. */
export function useAppendQuery<T>(selector: (s: { query: AppendQuery | null; busy: boolean }) => T): T {
  return useStore(appendStore, selector);
}

// ------------------------------------------------------------------ the one seam to the worker

/** The model's plain tokenizer (no special tokens added). */
export async function tokenizeText(text: string): Promise<number[]> {
  return (await controller.ctx.link.tokenize(text, false)).ids;
}

/**
 * The distribution record after `ids` (a fresh prefill on the link's scratch lane, forgotten
 * afterwards; the tree is untouched): the top-N tokens by model probability, then `extraIds`.
 */
export async function scratchRecord(ids: number[], extraIds: number[]): Promise<DistributionRecord> {
  const s = appStore.getState();
  const r = await controller.ctx.link.scratchStep(ids, { strategy: s.strategy, settings: stepSettings(s), topN: s.topN, extraIds, drawKey: null });
  return r.record;
}

// ------------------------------------------------------------------ distributions beyond the tree

function report(e: unknown): void {
  if (e instanceof EngineError && e.code === 'cancelled') return;
  const error = e instanceof EngineError ? { code: e.code, message: e.message } : { code: 'unknown' as const, message: e instanceof Error ? e.message : String(e) };
  appStore.setState({ error });
}

/** Model probability of a token in a record (0 when it is not there). */
function probOf(rec: DistributionRecord, tokenId: number): number {
  const j = Array.from(rec.tokenIds).indexOf(tokenId);
  return j < 0 ? 0 : stageProb(rec, 0, j);
}

/**
 * Model probability of each token of `tokenIds` appended one after another after node `nodeId`:
 * entry i is P(token i | the node's text, tokens 0 … i−1). No tree change.
 */
export async function pathProbs(nodeId: number, tokenIds: readonly number[]): Promise<number[]> {
  const ids = sequenceIds(appStore.getState().tree, nodeId);
  const out: number[] = [];
  for (let i = 0; i < tokenIds.length; i++) out.push(probOf(await scratchRecord([...ids, ...tokenIds.slice(0, i)], [tokenIds[i]]), tokenIds[i]));
  return out;
}

/**
 * The distribution record after node `nodeId` followed by `extra` tokens (top-N by model
 * probability, as the chart's), without changing the tree.
 */
export async function recordAfter(nodeId: number, extra: readonly number[]): Promise<DistributionRecord> {
  if (extra.length === 0) {
    await controller.ensureRecord(nodeId);
    const held = appStore.getState().records[nodeId]?.record;
    if (held) return held;
  }
  return scratchRecord([...sequenceIds(appStore.getState().tree, nodeId), ...extra], []);
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
    const { ids, spaced } = await spellAfter(tokenizeText, s, at, text);
    const probs = ids.length > 0 ? await pathProbs(at, ids) : [];
    if (token !== queryToken) return;
    const prob = probs.reduce((a, p) => a * p, 1);
    appendStore.setState({ query: { text, at, seqKey, ids, spaced, probs, prob } });
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
