/**
 * The vocabulary's byte strings as a trie in flat arrays, laid out in depth-first preorder, so a
 * mask is one linear scan: tokens sharing a prefix share the automaton steps of that prefix, and a
 * subtree is jumped over as soon as the automaton dies. Built once per vocabulary by sorting the
 * byte strings (O(total bytes · log V)).
 */

/** A byte trie of token strings in preorder. Node 0 is the root (the empty string). */
export interface VocabTrie {
  nodeCount: number;
  /** The byte on the edge into node n (0 for the root). */
  label: Uint8Array;
  /** Depth of node n = length of the byte string it spells (0 for the root). */
  depth: Int32Array;
  /** Number of nodes in n's subtree, n included: the subtree is nodes n .. n + size[n] − 1. */
  size: Int32Array;
  /** Tokens whose bytes end at node n are tokenIds[tokenStart[n] .. tokenStart[n + 1] − 1]. */
  tokenStart: Int32Array;
  tokenIds: Int32Array;
  /** Longest token in bytes (the deepest node). */
  maxDepth: number;
  /** Number of token ids (the vocabulary size). */
  vocabSize: number;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/**
 * Builds the trie.
 * @param bytes bytes[id] = the token's UTF-8 bytes; null or empty for tokens that are not text (specials)
 *   — they are left out of the trie, so no walk ever allows them
 */
export function buildVocabTrie(bytes: readonly (Uint8Array | null)[]): VocabTrie {
  const ids: number[] = [];
  let total = 0;
  for (let id = 0; id < bytes.length; id++) {
    const b = bytes[id];
    if (b && b.length > 0) {
      ids.push(id);
      total += b.length;
    }
  }
  // sorted byte strings: each token's new nodes follow the longest prefix it shares with the previous one, in preorder
  ids.sort((x, y) => compareBytes(bytes[x] as Uint8Array, bytes[y] as Uint8Array) || x - y);
  const cap = total + 1;
  const label = new Uint8Array(cap);
  const depth = new Int32Array(cap);
  const parent = new Int32Array(cap);
  const endNode = new Int32Array(ids.length);
  parent[0] = -1;
  let count = 1;
  const path: number[] = [0]; // path[d] = node at depth d on the current branch
  let prev: Uint8Array | null = null;
  let maxDepth = 0;
  for (let j = 0; j < ids.length; j++) {
    const b = bytes[ids[j]] as Uint8Array;
    let lcp = 0;
    if (prev) while (lcp < prev.length && lcp < b.length && prev[lcp] === b[lcp]) lcp++;
    path.length = lcp + 1;
    for (let d = lcp; d < b.length; d++) {
      label[count] = b[d];
      depth[count] = d + 1;
      parent[count] = path[d];
      path.push(count);
      count++;
    }
    endNode[j] = path[b.length];
    if (b.length > maxDepth) maxDepth = b.length;
    prev = b;
  }
  // subtree sizes: children come after their parent in preorder, so one backward pass sums them
  const size = new Int32Array(count).fill(1);
  for (let n = count - 1; n > 0; n--) size[parent[n]] += size[n];
  const tokenStart = new Int32Array(count + 1);
  for (let j = 0; j < ids.length; j++) tokenStart[endNode[j] + 1]++;
  for (let n = 0; n < count; n++) tokenStart[n + 1] += tokenStart[n];
  const fill = tokenStart.slice(0, count);
  const tokenIds = new Int32Array(ids.length);
  for (let j = 0; j < ids.length; j++) tokenIds[fill[endNode[j]]++] = ids[j];
  return {
    nodeCount: count,
    label: label.slice(0, count),
    depth: depth.slice(0, count),
    size,
    tokenStart,
    tokenIds,
    maxDepth,
    vocabSize: bytes.length,
  };
}
