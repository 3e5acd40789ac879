/**
 * The write-ahead journal that makes every acknowledged change durable at once: each change to the
 * session (new nodes with their edges — token, method, settings key, draw key —, node patches, the
 * cursor, prompt and settings; never the distribution records) is written synchronously to
 * localStorage, one key per entry, before the next frame. The debounced IndexedDB snapshot (with the
 * records) folds it in: a snapshot remembers the last entry it holds, and entries up to it are then
 * removed. The next load replays the entries after the snapshot (`replayJournal`).
 *
 * localStorage is synchronous, so an entry written in the store's change handler survives a reload
 * or a closed tab that comes right after; IndexedDB writes started on `pagehide` are not guaranteed
 * to finish (the 11-of-12 lost steps of issue #19).
 */
import { z } from 'zod';
import { changedSince, type GenerationTree, type TreeNode } from '../engine/tree.ts';
import type { SessionFile } from './sessionSchema.ts';
import type { AppState } from './store.ts';

const PREFIX = 'token-by-token:journal:';
/** The number of the last entry folded away, so numbering never restarts below a snapshot's. */
const FLOOR = 'token-by-token:journal-floor';

/** A node as the journal holds it: depth and children follow from the parent. */
const jNode = z.object({
  id: z.number().int().min(1),
  parent: z.number().int().min(0),
  edge: z.object({}).passthrough(),
  rerolls: z.number().int().min(0),
  stop: z.enum(['eos', 'max-length', 'user']).nullable(),
});

const entrySchema = z.object({
  /** The page (tab) that wrote the entry: a chain is one tab's entries after its snapshot or base. */
  tab: z.string().max(64).optional(),
  /** The whole session without records: replaces everything before it. */
  base: z.object({}).passthrough().optional(),
  /** Nodes appended, in id order. */
  nodes: z.array(jNode).optional(),
  /** Existing nodes whose re-roll count or stop changed: [id, rerolls, stop]. */
  patches: z.array(z.tuple([z.number().int().min(0), z.number().int().min(0), z.enum(['eos', 'max-length', 'user']).nullable()])).optional(),
  cursor: z.number().int().min(0).optional(),
  /** Prompt, conversation and settings when they changed (the fields of a session file). */
  meta: z.object({}).passthrough().optional(),
});

export type JournalEntry = z.infer<typeof entrySchema>;

/** The state fields a journal entry is computed from. */
export type JournaledState = Pick<AppState, 'tree' | 'cursor' | 'prompt' | 'chat' | 'strategy' | 'sampling' | 'orderName' | 'beam' | 'seed' | 'maxNewTokens' | 'topN'>;

const SETTINGS_FIELDS = ['strategy', 'sampling', 'orderName', 'beam', 'seed', 'maxNewTokens', 'topN'] as const;

/**
 * The entry that takes `prev` to `next`, or null when nothing saved changed. A tree that is not
 * `prev`'s tree grown by appended nodes and re-roll/stop patches (a new prompt, a restored history
 * entry) gives a `base` entry built by `base()`.
 * Cost: proportional to the nodes changed when the tree operations' trail links the two trees
 * (`changedSince`), else one reference comparison per existing node.
 */
export function journalEntry(prev: JournaledState, next: JournaledState, base: () => Omit<SessionFile, 'records'> | null): JournalEntry | null {
  const e: JournalEntry = {};
  if (next.tree !== prev.tree) {
    const grown = growth(prev.tree, next.tree);
    if (!grown) {
      const b = base();
      return b ? { base: b } : null;
    }
    if (grown.nodes.length) e.nodes = grown.nodes;
    if (grown.patches.length) e.patches = grown.patches;
  }
  if (next.cursor !== prev.cursor) e.cursor = next.cursor;
  const meta: Record<string, unknown> = {};
  if (next.prompt !== prev.prompt) meta.prompt = next.prompt;
  if (next.chat !== prev.chat) meta.chat = next.chat;
  if (SETTINGS_FIELDS.some((k) => next[k] !== prev[k])) {
    const { strategy, sampling, orderName, beam, seed, maxNewTokens, topN } = next;
    meta.settings = { strategy, sampling, orderName, beam, seed, maxNewTokens, topN };
  }
  if (Object.keys(meta).length) e.meta = meta;
  return Object.keys(e).length ? e : null;
}

/** Appended nodes and patched nodes when `next` grew from `prev`; null when it is another tree. */
function growth(prev: GenerationTree, next: GenerationTree): { nodes: z.infer<typeof jNode>[]; patches: [number, number, TreeNode['stop']][] } | null {
  if (next.promptIds !== prev.promptIds && next.promptIds.join() !== prev.promptIds.join()) return null;
  const patches: [number, number, TreeNode['stop']][] = [];
  // the tree operations' trail names the nodes they patched and how many nodes prev held, so prev's
  // nodes are not read (prev may share next's array and would rebuild its own, engine/tree.ts);
  // without a trail, compare every node
  const changed = changedSince(prev, next);
  if (changed) {
    for (const i of [...new Set(changed.patched)].sort((a, b) => a - b)) if (i < changed.prevLength) patches.push([i, next.nodes[i].rerolls, next.nodes[i].stop]);
  } else {
    if (next.nodes.length < prev.nodes.length) return null;
    for (let i = 0; i < prev.nodes.length; i++) {
      const a = prev.nodes[i];
      const b = next.nodes[i];
      if (a === b) continue;
      // only children (derived), re-rolls and stop may change on an existing node
      if (a.edge !== b.edge || a.parent !== b.parent) return null;
      if (a.rerolls !== b.rerolls || a.stop !== b.stop) patches.push([i, b.rerolls, b.stop]);
    }
  }
  const prevLength = changed ? changed.prevLength : prev.nodes.length;
  const nodes = next.nodes.slice(prevLength).map((n) => ({ id: n.id, parent: n.parent!, edge: { ...n.edge! }, rerolls: n.rerolls, stop: n.stop }));
  return { nodes, patches };
}

/**
 * Applies journal entries to a saved session value (untrusted; validated afterwards by parseSession).
 * Replay starts from the last base entry (or the snapshot) and applies only the entries of the tab
 * that wrote it, so two open tabs never mix their changes (the tab that started last wins, as
 * before the journal). Replay stops at the first entry that does not fit (a malformed or
 * out-of-order entry); what came before it is kept.
 * @param saved the IndexedDB snapshot (a session file value) or null when there is none
 * @param savedTab the tab that wrote the snapshot (null: unknown, the first entry's tab is taken)
 * @returns the session value with the entries applied, null when there is nothing to restore, and how
 *   many entries were applied
 */
export function replayJournal(saved: unknown, entries: readonly unknown[], savedTab: string | null = null): { value: unknown; applied: number } {
  let chain = savedTab;
  let s = saved && typeof saved === 'object' ? (structuredClone(saved) as Record<string, unknown>) : null;
  let applied = 0;
  // a base entry replaces everything before it: start from the last one
  let from = 0;
  entries.forEach((raw, i) => {
    if (raw && typeof raw === 'object' && 'base' in raw) from = i;
  });
  applied = from;
  for (const raw of entries.slice(from)) {
    const r = entrySchema.safeParse(raw);
    if (!r.success) break;
    const e = r.data;
    if (e.base) {
      s = { ...structuredClone(e.base), records: {} };
      chain = e.tab ?? null;
    } else if (chain === null) chain = e.tab ?? null;
    else if ((e.tab ?? null) !== chain) {
      applied++; // another tab's change: not part of this chain
      continue;
    }
    if (!s) break;
    const tree = s.tree as { nodes: Record<string, unknown>[] } | undefined;
    if (!tree || !Array.isArray(tree.nodes)) break;
    let ok = true;
    for (const n of e.nodes ?? []) {
      const parent = tree.nodes[n.parent] as { depth: number; children: number[] } | undefined;
      if (n.id !== tree.nodes.length || !parent) {
        ok = false;
        break;
      }
      tree.nodes.push({ id: n.id, parent: n.parent, depth: parent.depth + 1, edge: n.edge, children: [], rerolls: n.rerolls, stop: n.stop });
      parent.children = [...parent.children, n.id];
    }
    for (const [id, rerolls, stop] of e.patches ?? []) {
      const node = tree.nodes[id];
      if (!node) {
        ok = false;
        break;
      }
      node.rerolls = rerolls;
      node.stop = stop;
    }
    if (!ok) break;
    if (e.cursor !== undefined) s.cursor = e.cursor;
    if (e.meta) Object.assign(s, e.meta);
    applied++;
  }
  return { value: s, applied };
}

/** Storage the journal writes to (window.localStorage in the app; a Map-backed one in Node tests). */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
  key(index: number): string | null;
  readonly length: number;
}

/** The journal in one storage: entries numbered from 1 upwards, across page loads. */
export class Journal {
  /** This page's id, written into each entry. */
  readonly tab: string = typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID() : Math.random().toString(36).slice(2);
  private seq = 0;
  private readonly written: number[] = [];

  constructor(private readonly storage: KeyValueStorage) {
    for (const n of this.keys()) this.written.push(n);
    this.written.sort((a, b) => a - b);
    const floor = Number(this.storage.getItem(FLOOR) ?? 0);
    this.seq = Math.max(this.written.length ? this.written[this.written.length - 1] : 0, Number.isSafeInteger(floor) ? floor : 0);
  }

  /** The number of the last entry written (0 before any). */
  get last(): number {
    return this.seq;
  }

  private keys(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.storage.length; i++) {
      const k = this.storage.key(i);
      if (k?.startsWith(PREFIX)) {
        const n = Number(k.slice(PREFIX.length));
        if (Number.isInteger(n) && n > 0) out.push(n);
      }
    }
    return out;
  }

  /**
   * Writes an entry synchronously.
   * @throws DOMException QuotaExceededError when localStorage is full (the entry is not kept)
   */
  append(entry: JournalEntry): number {
    const n = this.seq + 1;
    this.storage.setItem(PREFIX + n, JSON.stringify({ ...entry, tab: this.tab }));
    this.seq = n;
    this.written.push(n);
    return n;
  }

  /** Entries after `after` (the snapshot's last entry), in order, parsed but not validated. */
  entriesAfter(after: number): unknown[] {
    const out: unknown[] = [];
    for (const n of this.written) {
      if (n <= after) continue;
      try {
        out.push(JSON.parse(this.storage.getItem(PREFIX + n) ?? 'null'));
      } catch {
        out.push(null); // replay stops here
      }
    }
    return out;
  }

  /** Removes the entries a snapshot now holds (numbers ≤ `upTo`). */
  fold(upTo: number): void {
    if (Number.isFinite(upTo)) this.storage.setItem(FLOOR, String(Math.max(upTo, Number(this.storage.getItem(FLOOR) ?? 0) || 0)));
    while (this.written.length && this.written[0] <= upTo) this.storage.removeItem(PREFIX + this.written.shift()!);
  }

  /** Removes every entry (a new session). */
  clear(): void {
    this.fold(Infinity);
  }
}
