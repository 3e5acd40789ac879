/**
 * A tree position sent to the worker as a change from the previous one (issue #19's long
 * exploration): the main lane's requests name a node by its cache-id path from the root and its
 * token ids (prompt + generated), and on a 2,000-token path copying and structured-cloning both
 * arrays for every step cost more than the step itself. Instead both ends keep the last path of the
 * main lane: a request says how many of its first nodes stay (`keep`) and sends only the rest, so a
 * step, a branch or a jump costs in proportion to how far the position moved, not to its depth.
 *
 * Messages to one worker are handled in the order they are posted, so the two registers stay equal;
 * a new worker (load, crash recovery) starts both from empty (the sender is per client).
 */
import { EngineError } from '../engine/errors.ts';
import type { GenerationTree } from '../engine/tree.ts';
import { PREFIX_HASH_SEED, extendPrefixHash, rememberPrefixHashes } from '../decoder/prefixHash.ts';

/** A position as a request carries it: with `keep`, `path` and `ids` continue the previous main-lane position. */
export interface PathRef {
  /** Cache ids from the root to the node; with `keep`, only those after the first `keep`. */
  path: number[];
  /** Prompt + generated ids of the node; with `keep` > 0, only the generated ids of the sent path nodes. */
  ids: number[];
  /** Nodes of the previous main-lane path that stay (0: everything is sent); absent: a one-off position, the register is untouched. */
  keep?: number;
}

/** The main thread's end: the last main-lane path sent to one worker (cache ids, root first). */
export class PathSender {
  private readonly path: number[] = [];
  /** The prompt ids of the tree the register was built on (tree operations keep this array; a new tree has its own). */
  private promptIds: readonly number[] | null = null;

  /**
   * The delta to node `nodeId` of `tree` from the last position sent; updates the register (the
   * request must then be posted). Cost: the nodes between `nodeId` and its deepest ancestor on the
   * previous path, plus those sent.
   * @param cid the cache id of a tree node (the node ids of one tree epoch map one-to-one to cache ids)
   */
  encode(tree: GenerationTree, nodeId: number, cid: (nodeId: number) => number): Required<PathRef> {
    // another tree (even one whose cache ids were not renumbered): nothing of the register is trusted
    if (tree.promptIds !== this.promptIds) this.path.length = 0;
    this.promptIds = tree.promptIds;
    const tail: number[] = []; // node ids, deepest first
    let n = tree.nodes[nodeId];
    if (!n) throw new RangeError(`no node ${nodeId}`);
    for (;;) {
      if (n.depth < this.path.length && this.path[n.depth] === cid(n.id)) break;
      tail.push(n.id);
      if (n.parent === null) break;
      n = tree.nodes[n.parent];
    }
    const matched = tail.length === 0 || tail[tail.length - 1] !== n.id;
    const keep = matched ? n.depth + 1 : 0;
    const path: number[] = [];
    const ids: number[] = keep === 0 ? [...tree.promptIds] : [];
    for (let i = tail.length - 1; i >= 0; i--) {
      const node = tree.nodes[tail[i]];
      path.push(cid(node.id));
      if (node.edge) ids.push(node.edge.tokenId);
    }
    this.path.length = keep;
    for (const c of path) this.path.push(c);
    return { path, ids, keep };
  }
}

/**
 * The worker's end: the last main-lane path and its ids, rebuilt from each delta, with the hash of
 * every prefix of the ids kept as they grow (so the node cache need not hash the whole path per request).
 */
export class PathReceiver {
  private readonly path: number[] = [];
  private readonly ids: number[] = [];
  /** hashes[n]: prefix hash of ids[0..n) (decoder/prefixHash.ts); valid up to ids.length. */
  private hashes = new Uint32Array(256);

  /**
   * The full path and ids a request names (copies: the request may wait in the decoder's queue
   * while later messages move the register; the ids are frozen, with their prefix hashes
   * remembered). Requests without `keep` pass through untouched.
   * @throws EngineError `unknown` when `keep` exceeds the register (the two ends disagree)
   */
  resolve(ref: PathRef): { path: number[]; ids: number[] } {
    if (ref.keep === undefined) return { path: ref.path, ids: ref.ids };
    if (ref.keep > this.path.length) {
      const held = this.path.length;
      this.path.length = 0;
      this.ids.length = 0;
      throw new EngineError('unknown', `path delta keeps ${ref.keep} nodes of a ${held}-node path`);
    }
    if (ref.keep === 0) {
      this.path.length = 0;
      this.ids.length = 0;
      this.hashes[0] = PREFIX_HASH_SEED;
    } else {
      const promptLength = this.ids.length - (this.path.length - 1);
      this.path.length = ref.keep;
      this.ids.length = promptLength + ref.keep - 1;
    }
    for (const c of ref.path) this.path.push(c);
    if (this.hashes.length < this.ids.length + ref.ids.length + 1) {
      const grown = new Uint32Array(2 * (this.ids.length + ref.ids.length + 1));
      grown.set(this.hashes.subarray(0, this.ids.length + 1));
      this.hashes = grown;
    }
    for (const t of ref.ids) {
      this.hashes[this.ids.length + 1] = extendPrefixHash(this.hashes[this.ids.length], t);
      this.ids.push(t);
    }
    const ids = this.ids.slice();
    rememberPrefixHashes(ids, this.hashes.slice(0, ids.length + 1));
    return { path: this.path.slice(), ids };
  }
}
