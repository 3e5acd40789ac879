/**
 * The decoder's caches keyed by tree node (the main thread's node ids): one backend prefix cache
 * (KV snapshot) per node within a memory budget, and the last-position logits of the most recently
 * used nodes. A node whose snapshot is missing is rebuilt with one multi-token forward from the
 * nearest ancestor that still has one (a checkpoint), else from the empty prefix (prefill). Every
 * dropped snapshot is released to the backend exactly once.
 *
 * Each entry also remembers the token ids it covers (as a length and a hash), so an entry asked for
 * with other ids — a node id reused by the main thread for another sequence — is never served: it
 * counts as stale (`staleHits`, for tests) and is recomputed.
 */
import { EngineError } from '../engine/errors.ts';
import type { ModelBackend, PrefixCache } from './backend.ts';

/** Logits rows kept (least recently used dropped first). */
const LOGITS_LRU = 64;

interface Snapshot {
  cache: PrefixCache;
  /** Hash of the ids it covers (cache.length of them). */
  hash: number;
  lastUsed: number;
}

interface LogitsEntry {
  logits: Float32Array;
  length: number;
  hash: number;
}

/** Where a node's logits came from: a forward from the empty prefix, one on a snapshot, or the logits cache. */
export type Phase = 'prefill' | 'decode' | 'cached';

/** FNV-1a–style hashes of every prefix of `ids`: out[n] covers ids[0..n). */
function prefixHashes(ids: readonly number[]): Uint32Array {
  const out = new Uint32Array(ids.length + 1);
  let h = 0x811c9dc5;
  out[0] = h;
  for (let i = 0; i < ids.length; i++) {
    h = Math.imul(h ^ (ids[i] + 1), 0x01000193) >>> 0;
    out[i + 1] = h;
  }
  return out;
}

export class NodeCache {
  private readonly snapshots = new Map<number, Snapshot>();
  private readonly logits = new Map<number, LogitsEntry>();
  /** Bytes of the snapshots held (kept as they are stored and dropped, so eviction need not add them up). */
  private held = 0;
  private clock = 0;
  /** Entries found for a node but covering other ids than asked (recomputed, never served). */
  staleHits = 0;
  readonly staleDetails: string[] = [];

  /**
   * @param budget bytes of snapshots kept (beyond it the least recently used are dropped down to 90 % of it; never the one just stored)
   */
  constructor(
    private readonly backend: ModelBackend,
    private readonly budget: number,
  ) {}

  private stale(what: string, nodeId: number): void {
    this.staleHits++;
    if (this.staleDetails.length < 20) this.staleDetails.push(`${what} of node ${nodeId} covers other token ids than the request`);
  }

  /** The snapshot of a node (its prefix cache covering all its ids), if held. */
  snapshotOf(nodeId: number): PrefixCache | null {
    return this.snapshots.get(nodeId)?.cache ?? null;
  }

  /**
   * Last-position logits of node `path.at(-1)` whose full sequence is `ids` (Float32Array of length
   * vocabSize, raw scores of the backend's kind): from the logits cache, else one forward of the
   * missing tokens on the nearest ancestor's snapshot (prefill when there is none). The node's
   * snapshot is stored.
   * @param path node ids from the root (the prompt node) to the node; ids.length − (path.length − 1) is the prompt length
   * @throws EngineError `empty-prompt` for no ids, `context-overflow` beyond the context
   */
  async logitsAt(path: readonly number[], ids: readonly number[]): Promise<{ logits: Float32Array; ms: number; phase: Phase }> {
    const nodeId = path[path.length - 1];
    const hashes = prefixHashes(ids);
    const cached = this.logits.get(nodeId);
    if (cached) {
      if (cached.length === ids.length && cached.hash === hashes[ids.length]) {
        this.rememberLogits(nodeId, cached);
        return { logits: cached.logits, ms: 0, phase: 'cached' };
      }
      this.stale('cached logits', nodeId);
      this.logits.delete(nodeId);
    }
    if (ids.length === 0) throw new EngineError('empty-prompt', 'the prompt is empty and the model has no BOS token');
    const context = this.backend.info.contextLength;
    if (ids.length > context) throw new EngineError('context-overflow', `sequence of ${ids.length} tokens exceeds the context of ${context}`);
    const promptLength = ids.length - (path.length - 1);
    let base: Snapshot | null = null;
    for (let i = path.length - 1; i >= 0; i--) {
      const s = this.snapshots.get(path[i]);
      if (!s || s.cache.length !== promptLength + i) continue;
      // the node's own snapshot without its logits (evicted): recompute from an ancestor
      if (i === path.length - 1) {
        this.drop(path[i]);
        continue;
      }
      if (s.hash !== hashes[s.cache.length]) {
        this.stale('KV snapshot', path[i]);
        this.drop(path[i]);
        continue;
      }
      base = s;
      break;
    }
    if (base) base.lastUsed = ++this.clock;
    const pastLength = base ? base.cache.length : 0;
    const tokens = ids.slice(pastLength);
    const out = await this.backend.forward([{ prefix: base ? base.cache : null, tokens }]);
    const row = out.rows[0];
    if (row.coverage !== 'full') throw new EngineError('invalid-setting', 'this backend reports only the top tokens; a step needs the whole vocabulary');
    const V = this.backend.info.vocabSize;
    const last = row.positions === 1 ? row.values : row.values.slice((row.positions - 1) * V, row.positions * V);
    this.store(nodeId, out.caches![0], hashes[ids.length]);
    this.rememberLogits(nodeId, { logits: last, length: ids.length, hash: hashes[ids.length] });
    return { logits: last, ms: out.ms, phase: base ? 'decode' : 'prefill' };
  }

  /**
   * Logits and snapshot of a node, for a lane that continues from it (beam search, continuations):
   * as `logitsAt`, recomputed when the logits were cached but the snapshot was evicted.
   */
  async startOf(path: readonly number[], ids: readonly number[]): Promise<{ logits: Float32Array; cache: PrefixCache }> {
    const nodeId = path[path.length - 1];
    let r = await this.logitsAt(path, ids);
    let cache = this.snapshotOf(nodeId);
    if (!cache || cache.length !== ids.length) {
      this.logits.delete(nodeId);
      r = await this.logitsAt(path, ids);
      cache = this.snapshotOf(nodeId)!;
    }
    this.snapshots.get(nodeId)!.lastUsed = ++this.clock;
    return { logits: r.logits, cache };
  }

  private store(nodeId: number, cache: PrefixCache, hash: number): void {
    this.drop(nodeId);
    this.snapshots.set(nodeId, { cache, hash, lastUsed: ++this.clock });
    this.held += cache.bytes;
    this.evict(nodeId);
  }

  private drop(nodeId: number): void {
    const s = this.snapshots.get(nodeId);
    if (!s) return;
    this.held -= s.cache.bytes;
    this.backend.release(s.cache);
    this.snapshots.delete(nodeId);
  }

  /** Drops least-recently-used snapshots beyond the budget (never `keep`). */
  private evict(keep: number): void {
    if (this.held <= this.budget) return;
    // down to 90 % of the budget: one sort serves many stores (a long exploration stays cheap)
    const order = [...this.snapshots.entries()].filter(([id]) => id !== keep).sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    for (const [id] of order) {
      if (this.held <= this.budget * 0.9) break;
      this.drop(id);
    }
  }

  private rememberLogits(nodeId: number, e: LogitsEntry): void {
    this.logits.delete(nodeId);
    this.logits.set(nodeId, e);
    if (this.logits.size > LOGITS_LRU) this.logits.delete(this.logits.keys().next().value!);
  }

  /** Drops the caches of the given nodes (or all). */
  forget(nodeIds: readonly number[] | 'all'): void {
    const ids = nodeIds === 'all' ? [...this.snapshots.keys()] : nodeIds;
    for (const id of ids) this.drop(id);
    if (nodeIds === 'all') this.logits.clear();
    else for (const id of nodeIds) this.logits.delete(id);
  }

  /** Snapshots held and their bytes. */
  stats(): { snapshots: number; cacheBytes: number } {
    let bytes = 0;
    for (const s of this.snapshots.values()) bytes += s.cache.bytes;
    return { snapshots: this.snapshots.size, cacheBytes: bytes };
  }
}
