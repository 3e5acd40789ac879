/**
 * Whole-character options for the quiz and the class vote (the merging rule is
 * engine/wholeChars.ts): byte tokens at a step are extended by the distributions after them until
 * they complete a character, probabilities multiplied along the tokenizer's own path. The extra
 * distributions come from the worker on scratch caches (store/appendTokens.ts); results are kept per
 * step in a small store of their own.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { useStore } from 'zustand';
import { sequenceIds } from '../engine/tree.ts';
import { extendPath, pendingTail, splitPaths, wholeOptions, type TokenPath, type WholeOption } from '../engine/wholeChars.ts';
import { EngineError } from '../engine/errors.ts';
import { appStore, type AppState } from './store.ts';
import { recordAfter, tokenizeText, topEntries } from './appendTokens.ts';

/** How many open (unfinished-character) paths are extended per level, and how many levels. */
const MAX_OPEN = 6;
const MAX_LEVELS = 3;
/** Continuations looked at after an open path. */
const NEXT_TOP = 12;

interface WholeState {
  /** key (sequence key | top-N) → options, most probable first; 'pending' while computed. */
  options: Record<string, WholeOption[] | 'pending'>;
}

export const wholeStore: StoreApi<WholeState> = createStore<WholeState>(() => ({ options: {} }));

export function useWholeOptions(key: string | null): WholeOption[] | 'pending' | undefined {
  return useStore(wholeStore, (w) => (key === null ? undefined : w.options[key]));
}

/** The key of a step's options (the options depend on the step's tokens and how many top tokens are looked at). */
export function wholeKey(s: Pick<AppState, 'tree' | 'topN'>, nodeId: number): string {
  return `${sequenceIds(s.tree, nodeId).join(',')}|${s.topN}`;
}

/** Bytes of a token as text: special tokens by their own spelling. */
function bytesOfToken(s: Pick<AppState, 'info'>, id: number): Uint8Array {
  const info = s.info!;
  if (info.special[id] === 1) return new TextEncoder().encode(info.vocabPieces[id]);
  return info.vocabBytes.subarray(info.vocabOffsets[id], info.vocabOffsets[id + 1]);
}

/** The unfinished character's bytes at the end of node `nodeId`'s text (empty on a character boundary). */
export function pendingAtNode(s: Pick<AppState, 'tree' | 'info'>, nodeId: number): number[] {
  if (!s.info) return [];
  const ids = sequenceIds(s.tree, nodeId).slice(-4).filter((id) => s.info!.special[id] !== 1);
  const bytes: number[] = [];
  for (const id of ids) bytes.push(...bytesOfToken(s, id));
  return pendingTail(bytes);
}

/**
 * Computes (once per step) the whole-character options at node `nodeId`: the top tokens of its
 * distribution, byte tokens extended until they finish a character, only the tokenizer's own
 * spelling of each text kept. Errors go to the app's error slot (never thrown).
 */
export async function ensureWholeOptions(nodeId: number): Promise<void> {
  const s = appStore.getState();
  if (!s.info || s.tree.promptIds.length === 0 || !s.tree.nodes[nodeId]) return;
  const key = wholeKey(s, nodeId);
  if (wholeStore.getState().options[key]) return;
  const set = (v: WholeOption[] | 'pending' | undefined) => {
    const next = { ...wholeStore.getState().options };
    if (v === undefined) delete next[key];
    else next[key] = v;
    wholeStore.setState({ options: next });
  };
  set('pending');
  try {
    const pending = pendingAtNode(s, nodeId);
    const bytesOf = (id: number) => bytesOfToken(s, id);
    const first = await recordAfter(nodeId, []);
    let paths: TokenPath[] = topEntries(first, s.topN).map((e) => ({ tokenIds: [e.tokenId], prob: e.prob }));
    const whole: WholeOption[] = [];
    for (let level = 0; level < MAX_LEVELS && paths.length > 0; level++) {
      const split = splitPaths(paths, pending, bytesOf);
      whole.push(...split.whole);
      const open = split.open.sort((a, b) => b.prob - a.prob).slice(0, MAX_OPEN);
      paths = [];
      if (level === MAX_LEVELS - 1) break;
      for (const p of open) paths.push(...extendPath(p, topEntries(await recordAfter(nodeId, p.tokenIds), NEXT_TOP)));
    }
    // the tokenizer's own spelling of each text (the character or word on its own)
    const own = new Map<string, number[]>();
    for (const text of new Set(whole.map((w) => w.text))) own.set(text, await tokenizeText(text));
    const isOwn = (text: string, ids: readonly number[]) => {
      if (ids.length === 1 && s.info!.special[ids[0]] === 1) return true;
      const o = own.get(text);
      if (!o) return false;
      // with an unfinished character in the context, its first bytes are already in the text: compare the tail
      return pending.length > 0 ? o.length >= ids.length && o.slice(o.length - ids.length).join() === ids.join() : o.join() === ids.join();
    };
    set(wholeOptions(whole, isOwn));
  } catch (e) {
    set(undefined);
    if (e instanceof EngineError && e.code === 'cancelled') return;
    appStore.setState({ error: e instanceof EngineError ? { code: e.code, message: e.message } : { code: 'unknown', message: e instanceof Error ? e.message : String(e) } });
  }
}
