/**
 * The constraint stage's mask: at automaton state s, token t is allowed when its bytes lead from s to
 * a live state (one from which a complete text is still reachable). Stop tokens (EOS, end-of-turn)
 * are allowed exactly when s is accepting (the text is complete); other tokens without bytes
 * (specials) never are. The mask depends on s only, so it is computed once per state by one walk
 * of the vocabulary trie and cached.
 */
import type { ByteDfa } from './byteDfa.ts';
import { ConstraintError } from './errors.ts';
import type { VocabTrie } from './vocabTrie.ts';

/** States whose masks are kept (least recently used dropped first). */
export const MASK_CACHE_STATES = 64;

/** A compiled constraint over one vocabulary. */
export class TokenMasker {
  readonly dfa: ByteDfa;
  readonly trie: VocabTrie;
  private readonly stopIds: readonly number[];
  private readonly cache = new Map<number, Uint8Array>();
  /** Trie nodes visited by the walks so far (for the bench and the view). */
  visitedNodes = 0;

  /**
   * @param stopIds token ids that end generation (EOS, end-of-turn)
   */
  constructor(dfa: ByteDfa, trie: VocabTrie, stopIds: readonly number[]) {
    this.dfa = dfa;
    this.trie = trie;
    this.stopIds = stopIds;
  }

  /** Whether the text that led to `state` is complete (a word of the language). */
  isComplete(state: number): boolean {
    return state >= 0 && this.dfa.accepting[state] === 1;
  }

  /**
   * allowed[id] = 1 when token id may follow at `state`. The returned array is shared (cached): do not modify.
   * @throws RangeError for a state outside the automaton
   */
  mask(state: number): Uint8Array {
    if (!(Number.isInteger(state) && state >= 0 && state < this.dfa.stateCount)) throw new RangeError(`constraint state out of range: ${state}`);
    const hit = this.cache.get(state);
    if (hit) {
      this.cache.delete(state);
      this.cache.set(state, hit);
      return hit;
    }
    const allowed = this.walk(state);
    if (this.cache.size >= MASK_CACHE_STATES) this.cache.delete(this.cache.keys().next().value as number);
    this.cache.set(state, allowed);
    return allowed;
  }

  /** One trie walk from `state` (no cache): a preorder scan that jumps over the subtree of every node the automaton rejects. */
  walk(state: number): Uint8Array {
    const { label, depth, size, tokenStart, tokenIds, vocabSize, nodeCount, maxDepth } = this.trie;
    const next = this.dfa.next;
    const allowed = new Uint8Array(vocabSize);
    // at[d] = automaton state after the first d bytes of the current branch
    const at = new Int32Array(maxDepth + 1);
    at[0] = state;
    let visited = 0;
    let n = 1;
    while (n < nodeCount) {
      const d = depth[n];
      const t = next[at[d - 1] * 256 + label[n]];
      if (t < 0) {
        n += size[n];
        continue;
      }
      at[d] = t;
      for (let j = tokenStart[n]; j < tokenStart[n + 1]; j++) allowed[tokenIds[j]] = 1;
      visited++;
      n++;
    }
    this.visitedNodes += visited;
    // stop tokens follow the completeness rule even if the caller gave them bytes
    for (const id of this.stopIds) allowed[id] = this.dfa.accepting[state];
    return allowed;
  }

  /**
   * The state after token `tokenId` was appended at `state`.
   * @param bytes the token's bytes (null for a special token)
   * @returns the next state, or −1 when the token leaves the language (a stop token returns −1 too: the text ends)
   */
  advance(state: number, bytes: Uint8Array | null): number {
    if (!bytes || bytes.length === 0) return -1;
    let s = state;
    for (let i = 0; i < bytes.length && s >= 0; i++) s = this.dfa.next[s * 256 + bytes[i]];
    return s;
  }

  /**
   * Applies the mask to logits in place: disallowed tokens get −Infinity (as Hugging Face's
   * processors mask tokens). Run it before temperature and the filters, so they see only allowed tokens.
   * @param logits Float32Array | Float64Array of length vocabSize (raw or penalised logits)
   * @returns the number of tokens masked
   * @throws ConstraintError `constraint-dead-end` when no token is allowed (the vocabulary cannot spell
   *   any continuation)
   */
  applyToLogits(logits: Float32Array | Float64Array, state: number): number {
    const allowed = this.mask(state);
    if (logits.length !== allowed.length) throw new RangeError(`logits have ${logits.length} entries, the vocabulary ${allowed.length}`);
    let masked = 0;
    let kept = 0;
    for (let i = 0; i < logits.length; i++) {
      if (allowed[i]) {
        if (logits[i] > -Infinity) kept++;
      } else {
        logits[i] = -Infinity;
        masked++;
      }
    }
    if (kept === 0) throw new ConstraintError('constraint-dead-end', `no token can continue the text at state ${state}`);
    return masked;
  }
}
