/**
 * The vocabulary's byte strings as a trie in flat arrays, so a mask is one walk: tokens sharing a
 * prefix share the automaton steps of that prefix, and a subtree is skipped as soon as the automaton
 * dies. Built once per vocabulary (O(total bytes)).
 */

/** A byte trie of token strings. Node 0 is the root (the empty string). */
export interface VocabTrie {
  nodeCount: number;
  /** Children of node n are nodes childStart[n] .. childStart[n + 1] − 1 (contiguous, sorted by byte). */
  childStart: Int32Array;
  /** The byte on the edge into node n (undefined for the root). */
  label: Uint8Array;
  /** Tokens whose bytes end at node n are tokenIds[tokenStart[n] .. tokenStart[n + 1] − 1]. */
  tokenStart: Int32Array;
  tokenIds: Int32Array;
  /** Number of token ids (the vocabulary size). */
  vocabSize: number;
}

/**
 * Builds the trie.
 * @param bytes bytes[id] = the token's UTF-8 bytes; null or empty for tokens that are not text (specials)
 *   — they are left out of the trie, so no walk ever allows them
 */
export function buildVocabTrie(bytes: readonly (Uint8Array | null)[]): VocabTrie {
  // pass 1: pointer trie with a hash of (node, byte) → child
  const child = new Map<number, number>();
  const parentOf: number[] = [-1];
  const labelOf: number[] = [0];
  const endsAt = new Int32Array(bytes.length).fill(-1);
  for (let id = 0; id < bytes.length; id++) {
    const b = bytes[id];
    if (!b || b.length === 0) continue;
    let n = 0;
    for (let i = 0; i < b.length; i++) {
      const key = n * 256 + b[i];
      let c = child.get(key);
      if (c === undefined) {
        c = parentOf.length;
        parentOf.push(n);
        labelOf.push(b[i]);
        child.set(key, c);
      }
      n = c;
    }
    endsAt[id] = n;
  }
  const count = parentOf.length;
  // pass 2: renumber breadth-first so every node's children are contiguous and sorted by byte
  const kids: number[][] = Array.from({ length: count }, () => []);
  for (let n = 1; n < count; n++) kids[parentOf[n]].push(n);
  const newId = new Int32Array(count);
  const order: number[] = [0];
  const childStart = new Int32Array(count + 1);
  for (let i = 0; i < order.length; i++) {
    const n = order[i];
    const ks = kids[n].sort((a, b) => labelOf[a] - labelOf[b]);
    // breadth-first: node i's children are pushed right after node i − 1's, so they end where node i + 1's start
    childStart[i] = order.length;
    for (const k of ks) order.push(k);
  }
  childStart[count] = count;
  for (let i = 0; i < count; i++) newId[order[i]] = i;
  const label = new Uint8Array(count);
  for (let i = 0; i < count; i++) label[i] = labelOf[order[i]];
  // tokens per node (CSR)
  const tokenStart = new Int32Array(count + 1);
  for (let id = 0; id < bytes.length; id++) if (endsAt[id] >= 0) tokenStart[newId[endsAt[id]] + 1]++;
  for (let i = 0; i < count; i++) tokenStart[i + 1] += tokenStart[i];
  const fill = tokenStart.slice(0, count);
  const tokenIds = new Int32Array(tokenStart[count]);
  for (let id = 0; id < bytes.length; id++) if (endsAt[id] >= 0) tokenIds[fill[newId[endsAt[id]]]++] = id;
  return { nodeCount: count, childStart, label, tokenStart, tokenIds, vocabSize: bytes.length };
}
