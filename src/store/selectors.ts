/**
 * Selectors: what components and actions read from the app state, as pure functions of it (no
 * worker, no side effects). Components use them with `useApp(selector)`; actions with `ctx.s`.
 */
import type { ConstraintSpec } from '../engine/constraint/constraint.ts';
import { pathTo, settingsKey } from '../engine/tree.ts';
import type { SamplingSettings } from '../engine/settings.ts';
import type { ChatMessage } from '../domain/types.ts';
import { encodeShare, MAX_SHARE_BRANCHES, MAX_SHARE_CHARS, type ShareEdge, type SharePayload } from './shareLink.ts';
import type { AppState } from './store.ts';

/** The node whose distribution the chart shows: the cursor's parent (how its token was chosen), or the root. */
export function displayNodeOf(s: Pick<AppState, 'tree' | 'cursor'>): number {
  const n = s.tree.nodes[s.cursor];
  return n && n.parent !== null ? n.parent : 0;
}

/** Settings key of the current strategy (greedy ignores the sampling warpers). */
export function currentKey(s: Pick<AppState, 'strategy' | 'sampling' | 'beam' | 'orderName' | 'seed' | 'constraint'>): string {
  // a constraint changes every step's distribution: part of the key when one is set (keys without one are unchanged)
  const c = activeConstraint(s);
  const ck = c ? { constraint: `${c.kind}\u0000${c.text}` } : {};
  if (s.strategy === 'greedy') return settingsKey('greedy', { repetitionPenalty: s.sampling.repetitionPenalty, ...ck });
  if (s.strategy === 'beam') return settingsKey('beam', { ...s.beam });
  return settingsKey('sample', { ...s.sampling, order: s.orderName, seed: s.seed, ...ck });
}

/** The constraint steps, runs and queries use (issue #21; beam search ignores it), or null for none. */
export function activeConstraint(s: Pick<AppState, 'strategy' | 'constraint'>): ConstraintSpec | null {
  return s.strategy !== 'beam' && s.constraint && s.constraint.kind !== 'none' ? s.constraint : null;
}

/** The sampling settings a worker step uses (beam search: its own repetition penalty). */
export function stepSettings(s: Pick<AppState, 'strategy' | 'sampling' | 'beam'>): SamplingSettings {
  return s.strategy === 'beam' ? { ...s.sampling, repetitionPenalty: s.beam.repetitionPenalty } : s.sampling;
}

/**
 * The messages a chat template receives: an empty system message is left out (the template then
 * renders no system turn); every other message is kept as typed.
 */
export function templateMessages(chat: readonly ChatMessage[]): ChatMessage[] {
  return chat.filter((m) => m.role !== 'system' || m.content.trim() !== '').map((m) => ({ role: m.role, content: m.content }));
}

/** True when generation can continue from the cursor (a model worker is up, no stop holds, room left). */
export function canStep(s: AppState): boolean {
  if (s.readOnly) return false;
  if (!s.workerReady || !s.info || s.promptError || s.tree.promptIds.length === 0) return false;
  const n = s.tree.nodes[s.cursor];
  if (!n || n.stop === 'eos') return false;
  // a max-length stop holds only while the limit does (the user may raise max new tokens)
  return n.depth < s.maxNewTokens && s.tree.promptIds.length + n.depth < s.info.contextLength;
}

/** A finished beam search has steps not shown yet (Step ▶ walks through them). */
export function beamViewCanAdvance(s: Pick<AppState, 'beamRun' | 'strategy'>): boolean {
  const run = s.beamRun;
  return s.strategy === 'beam' && !!run?.hypotheses && run.viewStep < run.steps.length - 1;
}

/** True when Step ▶ can do something: generate, or show the next step of a finished beam search. */
export function canAdvance(s: AppState): boolean {
  return beamViewCanAdvance(s) || canStep(s);
}

let shareMemo: { info: unknown; tree: unknown; cursor: number; prompt: string; chat: unknown; special: boolean; readOnly: unknown; value: SharedFragment } | null = null;

/** A share fragment and how many of the other explored branches it carries, of all there are. */
interface SharedFragment {
  fragment: string | null;
  kept: number;
  total: number;
}

function sharedFragment(s: AppState): SharedFragment {
  const c = shareMemo;
  if (c && c.info === s.info && c.tree === s.tree && c.cursor === s.cursor && c.prompt === s.prompt && c.chat === s.chat && c.special === s.chatAllowSpecial && c.readOnly === s.readOnly) return c.value;
  const value = encodeShareFragment(s);
  shareMemo = { info: s.info, tree: s.tree, cursor: s.cursor, prompt: s.prompt, chat: s.chat, special: s.chatAllowSpecial, readOnly: s.readOnly, value };
  return value;
}

/** The current path and the other explored branches (up to the link's size limit) as a share fragment (`share=…`), or null. */
export function shareFragment(s: AppState): string | null {
  return sharedFragment(s).fragment;
}

/** How many explored branches besides the current path the share link carries. */
export function shareBranchesKept(s: AppState): number {
  return sharedFragment(s).kept;
}

/** How many explored branches there are besides the current path (leaves other than the cursor). */
export function shareBranchesTotal(s: AppState): number {
  return sharedFragment(s).total;
}

function encodeShareFragment(s: AppState): SharedFragment {
  if (!s.info || s.tree.promptIds.length === 0 || s.readOnly) return { fragment: null, kept: 0, total: 0 };
  const toShare = (id: number): ShareEdge => {
    const e = s.tree.nodes[id].edge!;
    if (e.method === 'sampled') return { t: e.tokenId, m: 's', k: e.settingsKey, r: e.drawKey?.reroll ?? 0 };
    if (e.method === 'greedy') return { t: e.tokenId, m: 'g', k: e.settingsKey };
    return { t: e.tokenId, m: e.method === 'beam' ? 'b' : 'm' };
  };
  const path = pathTo(s.tree, s.cursor).slice(1).map(toShare);
  let payload: SharePayload = { v: 1, model: s.info.id, prompt: s.prompt, ...(s.chat ? { chat: s.chat } : {}), ...(s.chat && s.chatAllowSpecial ? { special: true as const } : {}), path };
  let fragment = encodeShare(payload);
  // the other explored branches (every leaf but the cursor), while the link stays under its size limit
  const leaves = s.tree.nodes.filter((n) => n.id !== 0 && n.children.length === 0 && n.id !== s.cursor).map((n) => n.id);
  let kept = 0;
  for (const leaf of leaves) {
    if (kept >= MAX_SHARE_BRANCHES) break;
    const next: SharePayload = { ...payload, branches: [...(payload.branches ?? []), pathTo(s.tree, leaf).slice(1).map(toShare)] };
    const encoded = encodeShare(next);
    if (encoded.length > MAX_SHARE_CHARS) break;
    payload = next;
    fragment = encoded;
    kept++;
  }
  return { fragment, kept, total: leaves.length };
}
