/**
 * The constraint stage on the decoder's side: one vocabulary trie per model, one compiled masker
 * per constraint (kept for the few most recent), and the mask for a node's text. The constraint
 * covers the generated text only — the tokens after the prompt. The compiler (refa, ≈ 230 kB gzip)
 * is imported on first use, so the worker bundle does not carry it until a constraint is set.
 */
import type { ConstraintSpec } from '../engine/constraint/constraint.ts';
import { ConstraintError } from '../engine/constraint/errors.ts';
import type { TokenMasker } from '../engine/constraint/tokenMask.ts';
import { buildVocabTrie, type VocabTrie } from '../engine/constraint/vocabTrie.ts';
import type { ModelInfo } from '../worker/protocol.ts';

/** Compiled constraints kept per model. */
const MASKERS_KEPT = 4;

export class ConstraintMasks {
  private readonly bytes: (Uint8Array | null)[];
  private readonly stopIds: number[];
  private trie: VocabTrie | null = null;
  private readonly maskers = new Map<string, TokenMasker>();

  constructor(info: ModelInfo) {
    // special tokens are not text: never allowed (stop tokens follow the completeness rule)
    this.bytes = Array.from({ length: info.vocabSize }, (_, i) =>
      info.special[i] ? null : info.vocabBytes.subarray(info.vocabOffsets[i], info.vocabOffsets[i + 1]),
    );
    this.stopIds = [info.eosTokenId, info.endOfTurnTokenId].filter((t): t is number => t !== null);
  }

  /** The compiled masker of a constraint (null for none). @throws ConstraintError when it does not compile */
  async masker(spec: ConstraintSpec | null | undefined): Promise<TokenMasker | null> {
    if (!spec || spec.kind === 'none') return null;
    const key = `${spec.kind}\u0000${spec.text}`;
    let m = this.maskers.get(key);
    if (!m) {
      const { constraintMasker } = await import('../engine/constraint/constraint.ts');
      this.trie ??= buildVocabTrie(this.bytes);
      m = constraintMasker(spec, this.trie, this.stopIds) as TokenMasker;
      if (this.maskers.size >= MASKERS_KEPT) this.maskers.delete(this.maskers.keys().next().value as string);
      this.maskers.set(key, m);
    }
    return m;
  }

  /**
   * The mask after `ids` (prompt + generated), or null for no constraint.
   * @param promptLength how many of `ids` are the prompt (the constraint starts after them)
   * @throws ConstraintError `constraint-dead-end` when the generated text already left the language
   *   (a token chosen by hand against the constraint)
   */
  async allowedAt(spec: ConstraintSpec | null | undefined, ids: readonly number[], promptLength: number): Promise<Uint8Array | null> {
    const m = await this.masker(spec);
    if (!m) return null;
    let state = 0;
    for (let i = promptLength; i < ids.length && state >= 0; i++) state = m.advance(state, this.bytes[ids[i]]);
    if (state < 0) throw new ConstraintError('constraint-dead-end', 'the text so far is outside the constraint');
    return m.mask(state);
  }
}
