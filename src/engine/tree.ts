import type { DrawKey } from './random.ts';
import type { Strategy } from './settings.ts';
import { EngineError } from './errors.ts';

/**
 * Most nodes a generation tree holds (root included). Enforced where the tree grows ({@link addChild})
 * and where a saved session is read (sessionSchema.ts), so every tree that can be built can be saved
 * and restored. A 50,000-node session is about 15 MB of JSON without its distributions.
 */
export const MAX_TREE_NODES = 50_000;

/**
 * The generation tree: every visited token sequence is a path from the root
 * (the prompt). Plain data plus pure operations; the store holds one of these.
 */

/**
 * How an edge's token was chosen. 'speculative': a token a speculative-decoding round kept (an
 * accepted draft, the resampled or the bonus token; draw streams 4–6, see engine/speculative.ts).
 */
export type ChoiceMethod = 'sampled' | 'greedy' | 'beam' | 'manual' | 'speculative';
export type StopReason = 'eos' | 'max-length' | 'user';

/** What the edge into a node records. */
export interface Edge {
  tokenId: number;
  method: ChoiceMethod;
  /** Canonical string of the settings that produced this choice (see settingsKey). */
  settingsKey: string;
  /** The draw key, for sampled edges. */
  drawKey: DrawKey | null;
  /** The uniform draw u used, for sampled edges. */
  u: number | null;
  /** Model probability of this token at its step (softmax of raw logits). */
  prob: number;
  /** Probability after all processors. */
  finalProb: number;
  /** Natural log of `prob`. */
  logprob: number;
  /** 1-based rank by model probability. */
  rank: number;
}

export interface TreeNode {
  id: number;
  parent: number | null;
  /** Generated tokens before this node's step: 0 for the root. */
  depth: number;
  /** null for the root. */
  edge: Edge | null;
  children: number[];
  /** Re-rolls done at this node's step (part of the draw key of its children). */
  rerolls: number;
  /** Set when generation stopped here. */
  stop: StopReason | null;
}

export interface GenerationTree {
  promptIds: number[];
  nodes: TreeNode[];
}

/**
 * Which nodes each tree operation replaced, keyed by the tree it returned, which of them it patched
 * (re-rolls or stop: updateNode), and how many nodes the tree it came from held: lets a reader that
 * holds an earlier tree find what changed without comparing every node, and without reading the
 * earlier tree's nodes (which would rebuild them, see {@link write}; the durability journal does this
 * after every step). Weak on both ends, so no tree is kept alive by it.
 */
const trails = new WeakMap<GenerationTree, { from: WeakRef<GenerationTree>; ids: number[]; patched: number[]; fromLength: number }>();

function trail(next: GenerationTree, from: GenerationTree, ids: number[], patched: number[], fromLength: number): GenerationTree {
  if (typeof WeakRef !== 'undefined') trails.set(next, { from: new WeakRef(from), ids, patched, fromLength });
  return next;
}

/**
 * Ids of the nodes replaced or added on the way from `prev` to `next` by addChild / updateNode
 * (`ids`), those whose re-rolls or stop were set (`patched`, a subset; the others only gained
 * children), and how many nodes `prev` held when it was made, or null when `next` was not made from
 * `prev` by those operations (or the trail is gone): then compare.
 * Cost: one step per operation, whatever the tree size; `prev`'s nodes are not read.
 */
export function changedSince(prev: GenerationTree, next: GenerationTree): { ids: number[]; patched: number[]; prevLength: number } | null {
  const ids: number[] = [];
  const patched: number[] = [];
  let prevLength = next.nodes.length;
  let t: GenerationTree | undefined = next;
  for (let guard = 0; t && t !== prev && guard < 10_000; guard++) {
    const step = trails.get(t);
    if (!step) return null;
    ids.push(...step.ids);
    patched.push(...step.patched);
    prevLength = step.fromLength;
    t = step.from.deref();
  }
  return t === prev ? { ids, patched, prevLength } : null;
}

/** A tree holding only the root (the prompt). */
export function createTree(promptIds: readonly number[]): GenerationTree {
  return {
    promptIds: [...promptIds],
    nodes: [{ id: 0, parent: null, depth: 0, edge: null, children: [], rerolls: 0, stop: null }],
  };
}

export function getNode(tree: GenerationTree, id: number): TreeNode {
  const n = tree.nodes[id];
  if (!n) throw new RangeError(`no node ${id}`);
  return n;
}

/** Node ids from the root to `id`, inclusive. */
export function pathTo(tree: GenerationTree, id: number): number[] {
  const out: number[] = [];
  for (let n: TreeNode | undefined = getNode(tree, id); n; n = n.parent === null ? undefined : tree.nodes[n.parent]) {
    out.push(n.id);
  }
  return out.reverse();
}

/** Generated token ids along the path to `id` (prompt excluded). */
export function generatedIds(tree: GenerationTree, id: number): number[] {
  return pathTo(tree, id)
    .slice(1)
    .map((nid) => tree.nodes[nid].edge!.tokenId);
}

/** Prompt + generated ids up to `id`. */
export function sequenceIds(tree: GenerationTree, id: number): number[] {
  return [...tree.promptIds, ...generatedIds(tree, id)];
}

/**
 * Canonical key of the settings that decide a choice, so a child is reused
 * only when it was made the same way.
 */
export function settingsKey(strategy: Strategy, settings: object): string {
  return `${strategy}:${JSON.stringify(settings, Object.keys(settings).sort())}`;
}

/** Same draw key? */
export function sameDrawKey(a: DrawKey | null, b: DrawKey | null): boolean {
  if (a === null || b === null) return a === b;
  return a.seed === b.seed && a.depth === b.depth && a.reroll === b.reroll && a.stream === b.stream;
}

/** The child of `parentId` whose token is `tokenId`, whatever chose it, or null (hand-picked and beam tokens). */
export function childWithToken(tree: GenerationTree, parentId: number, tokenId: number): TreeNode | null {
  for (const cid of getNode(tree, parentId).children) if (tree.nodes[cid].edge!.tokenId === tokenId) return tree.nodes[cid];
  return null;
}

/**
 * An existing child made with the same token choice rule (method, settings and
 * draw key), or null.
 */
export function findReusableChild(
  tree: GenerationTree,
  parentId: number,
  want: { method: ChoiceMethod; settingsKey: string; drawKey: DrawKey | null },
): TreeNode | null {
  for (const cid of getNode(tree, parentId).children) {
    const e = tree.nodes[cid].edge!;
    if (e.method === want.method && e.settingsKey === want.settingsKey && sameDrawKey(e.drawKey, want.drawKey)) {
      return tree.nodes[cid];
    }
  }
  return null;
}

/**
 * Shared node arrays (issue #19: a step on a 10,000-node tree must cost about what it costs on a small
 * one, so a new tree cannot copy the node array). Each array made here is "owned" by the newest tree
 * over it, its head. An operation on the head writes into the array in place and hands it to the new
 * tree; the old tree's `nodes` becomes a getter that, when first read, rebuilds the old content (the
 * array cut to the old length, with the slots overwritten since put back from the undo entries). So a
 * tree held elsewhere (prompt history, a compare pane, a session being saved) still reads exactly what
 * it held. An operation on any other tree copies, as before, and the copy's new tree is its head.
 */
const heads = new WeakMap<TreeNode[], GenerationTree>();

/** A tree superseded in place: how many nodes it held, the slots its successor overwrote (old values), the successor. */
interface Superseded {
  length: number;
  undo: [number, TreeNode][];
  next: GenerationTree;
}
const superseded = new WeakMap<GenerationTree, Superseded>();

/** Rebuilds a superseded tree's own nodes: the head's array up to its length, overwritten slots restored (newest link first). */
function materialize(tree: GenerationTree): TreeNode[] {
  const links: Superseded[] = [];
  let t: GenerationTree = tree;
  for (let s = superseded.get(t); s; s = superseded.get(t)) {
    links.push(s);
    t = s.next;
  }
  const out = t.nodes.slice(0, links[0].length);
  for (let i = links.length - 1; i >= 0; i--) for (const [id, node] of links[i].undo) if (id < out.length) out[id] = node;
  return out;
}

/** A superseded tree's nodes, rebuilt once; its link is then dropped (older trees' walks stop at its rebuilt array). */
function own(tree: GenerationTree): TreeNode[] {
  const nodes = materialize(tree);
  superseded.delete(tree);
  return nodes;
}

/**
 * The tree after writing `writes` (id → new node) and appending `added` to `tree`'s nodes: in place
 * when `tree` is the head of its array (then `tree` keeps reading its own content through a getter),
 * else on a copy.
 */
function write(tree: GenerationTree, writes: [number, TreeNode][], added: TreeNode[]): GenerationTree {
  const nodes = tree.nodes;
  const inPlace = Object.getOwnPropertyDescriptor(tree, 'nodes')?.value === nodes && heads.get(nodes) === tree;
  const length = nodes.length;
  const undo: [number, TreeNode][] = inPlace ? writes.map(([id]) => [id, nodes[id]]) : [];
  const target = inPlace ? nodes : nodes.slice();
  for (const [id, node] of writes) target[id] = node;
  for (const n of added) target.push(n);
  const next: GenerationTree = { ...tree, nodes: target };
  if (inPlace) {
    superseded.set(tree, { length, undo, next });
    let mine: TreeNode[] | null = null;
    Object.defineProperty(tree, 'nodes', { enumerable: true, configurable: true, get: () => (mine ??= own(tree)) });
  }
  heads.set(target, next);
  return next;
}

/**
 * Adds a child under `parentId`. Immutable to readers: the returned tree is new, and `tree` keeps
 * reading exactly its own nodes (see {@link write}: the array is shared and written in place when
 * `tree` is the newest tree over it, so a step costs the same on 10 or 10,000 nodes).
 * @returns the new tree and the child's id
 * @throws EngineError `tree-full` when the tree already holds {@link MAX_TREE_NODES} nodes
 */
export function addChild(tree: GenerationTree, parentId: number, edge: Edge): { tree: GenerationTree; id: number } {
  const parent = getNode(tree, parentId);
  if (tree.nodes.length >= MAX_TREE_NODES) throw new EngineError('tree-full', `${MAX_TREE_NODES}`);
  const id = tree.nodes.length;
  const child: TreeNode = { id, parent: parentId, depth: parent.depth + 1, edge, children: [], rerolls: 0, stop: null };
  const next = write(tree, [[parentId, { ...parent, children: [...parent.children, id] }]], [child]);
  return { tree: trail(next, tree, [parentId, id], [], id), id };
}

/** Returns a tree where node `id` has `patch` applied (immutable to readers, like {@link addChild}). */
export function updateNode(tree: GenerationTree, id: number, patch: Partial<Pick<TreeNode, 'rerolls' | 'stop'>>): GenerationTree {
  const length = tree.nodes.length;
  const next = write(tree, [[id, { ...getNode(tree, id), ...patch }]], []);
  return trail(next, tree, [id], [id], length);
}

/** Sum of the model log-probabilities along the path (nats), and the token count. */
export function pathLogprob(tree: GenerationTree, id: number): { sum: number; count: number } {
  let sum = 0;
  let count = 0;
  for (const nid of pathTo(tree, id).slice(1)) {
    sum += tree.nodes[nid].edge!.logprob;
    count++;
  }
  return { sum, count };
}

/** Perplexity exp(−mean logprob) of the generated path; 1 for an empty path. */
export function pathPerplexity(tree: GenerationTree, id: number): number {
  const { sum, count } = pathLogprob(tree, id);
  return count === 0 ? 1 : Math.exp(-sum / count);
}
