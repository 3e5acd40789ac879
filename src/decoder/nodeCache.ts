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
import type { ForwardOptions, ModelBackend, PrefixCache } from './backend.ts';
import { positionCount, positionScores } from './topScores.ts';
import { readoutOf, type Readout } from './readout.ts';
import { prefixHashes } from './prefixHash.ts';

/** Logits rows kept (least recently used dropped first). */
const LOGITS_LRU = 64;
/** Attention / lens readouts kept (least recently used dropped first); older ones are recomputed on demand. */
const READOUT_LRU = 32;

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

export class NodeCache {
  private readonly snapshots = new Map<number, Snapshot>();
  private readonly logits = new Map<number, LogitsEntry>();
  private readonly readouts = new Map<number, { readout: Readout; length: number; hash: number }>();
  /**
   * While true (the attention view is open), every forward also asks the backend for attention and
   * the logit lens, and keeps the readout of the node it computes (issue #20). False: forwards are
   * exactly as before (no extra outputs fetched).
   */
  readoutsOn = false;
  /** Bytes of the snapshots held (kept as they are stored and dropped, so eviction need not add them up). */
  private held = 0;
  private clock = 0;
  /** Entries found for a node but covering other ids than asked (recomputed, never served). */
  staleHits = 0;
  /** Snapshots dropped to stay within the budget. */
  evictions = 0;
  /** Forwards that recomputed a node whose snapshot had been dropped for the budget (and the tokens they ran). */
  rebuilds = 0;
  rebuiltTokens = 0;
  private readonly evicted = new Set<number>();
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
    const out = await this.backend.forward([{ prefix: base ? base.cache : null, tokens }], this.readoutOptions());
    if (this.evicted.delete(nodeId)) {
      this.rebuilds++;
      this.rebuiltTokens += tokens.length;
    }
    const row = out.rows[0];
    const V = this.backend.info.vocabSize;
    const n = positionCount(row);
    // a top-N row becomes a dense vector with its reported mass beside it (topScores.ts)
    const last = row.coverage === 'full' && n > 1 ? row.values.slice((n - 1) * V, n * V) : positionScores(row, n - 1, V);
    this.store(nodeId, out.caches![0], hashes[ids.length]);
    this.rememberLogits(nodeId, { logits: last, length: ids.length, hash: hashes[ids.length] });
    if (out.attention) this.rememberReadout(nodeId, { readout: readoutOf(out, ids.length), length: ids.length, hash: hashes[ids.length] });
    return { logits: last, ms: out.ms, phase: base ? 'decode' : 'prefill' };
  }

  private readoutOptions(): ForwardOptions | undefined {
    if (!this.readoutsOn || !this.backend.capabilities.attention) return undefined;
    return { attention: true, lens: this.backend.capabilities.lens === true };
  }

  private rememberReadout(nodeId: number, e: { readout: Readout; length: number; hash: number }): void {
    this.readouts.delete(nodeId);
    this.readouts.set(nodeId, e);
    if (this.readouts.size > READOUT_LRU) this.readouts.delete(this.readouts.keys().next().value!);
  }

  /** The readout kept for node `path.at(-1)` covering exactly `ids`, else null (nothing computed). */
  heldReadout(path: readonly number[], ids: readonly number[]): Readout | null {
    const held = this.readouts.get(path[path.length - 1]);
    return held && held.length === ids.length && held.hash === prefixHashes(ids)[ids.length] ? held.readout : null;
  }

  /**
   * The attention / lens readout of node `path.at(-1)` whose sequence is `ids`: kept from the
   * forward that computed the node (while `readoutsOn`), else recomputed — one forward of the
   * missing tokens on the nearest ancestor's KV snapshot (the node's own snapshot already covers its
   * last token), without keeping a cache.
   * @throws EngineError `invalid-setting` when the backend gives no attention; as `logitsAt` otherwise
   */
  async readoutAt(path: readonly number[], ids: readonly number[]): Promise<Readout> {
    if (!this.backend.capabilities.attention) throw new EngineError('invalid-setting', 'this model gives no attention weights');
    const nodeId = path[path.length - 1];
    const hashes = prefixHashes(ids);
    const held = this.readouts.get(nodeId);
    if (held && held.length === ids.length && held.hash === hashes[ids.length]) {
      this.rememberReadout(nodeId, held);
      return held.readout;
    }
    if (ids.length === 0) throw new EngineError('empty-prompt', 'the prompt is empty and the model has no BOS token');
    const promptLength = ids.length - (path.length - 1);
    let base: Snapshot | null = null;
    for (let i = path.length - 2; i >= 0; i--) {
      const s = this.snapshots.get(path[i]);
      if (s && s.cache.length === promptLength + i && s.hash === hashes[s.cache.length]) {
        base = s;
        break;
      }
    }
    if (base) base.lastUsed = ++this.clock;
    const out = await this.backend.forward([{ prefix: base ? base.cache : null, tokens: ids.slice(base ? base.cache.length : 0) }], {
      keepCache: false,
      attention: true,
      lens: this.backend.capabilities.lens === true,
    });
    const readout = readoutOf(out, ids.length);
    this.rememberReadout(nodeId, { readout, length: ids.length, hash: hashes[ids.length] });
    return readout;
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
      this.evictions++;
      this.evicted.add(id);
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
    if (nodeIds === 'all') {
      this.logits.clear();
      this.evicted.clear();
      this.readouts.clear();
      return;
    }
    for (const id of nodeIds) {
      this.logits.delete(id);
      this.evicted.delete(id);
      this.readouts.delete(id);
    }
  }

  /** Snapshots held and their bytes, the budget, and the eviction and rebuild counters. */
  stats(): { snapshots: number; cacheBytes: number; budgetBytes: number; evictions: number; rebuilds: number; rebuiltTokens: number } {
    let bytes = 0;
    for (const s of this.snapshots.values()) bytes += s.cache.bytes;
    return { snapshots: this.snapshots.size, cacheBytes: bytes, budgetBytes: this.budget, evictions: this.evictions, rebuilds: this.rebuilds, rebuiltTokens: this.rebuiltTokens };
  }
}
