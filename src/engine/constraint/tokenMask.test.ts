import { describe, expect, it } from 'vitest';
import { compileConstraint, constraintMasker, type ConstraintSpec } from './constraint.ts';
import type { ByteDfa } from './byteDfa.ts';
import { ConstraintError } from './errors.ts';
import { TokenMasker } from './tokenMask.ts';
import { buildVocabTrie } from './vocabTrie.ts';
import { embeddedVocab, rng, smallVocab, type ByteVocab } from '../../../tests/constraintVocab.ts';

/** Oracle: each token's bytes run through the automaton one by one; stop tokens allowed exactly at accepting states. */
function bruteForceMask(dfa: ByteDfa, vocab: ByteVocab, state: number): Uint8Array {
  const allowed = new Uint8Array(vocab.bytes.length);
  for (let id = 0; id < vocab.bytes.length; id++) {
    const b = vocab.bytes[id];
    if (vocab.stopIds.includes(id)) {
      allowed[id] = dfa.accepting[state];
      continue;
    }
    if (!b || b.length === 0) continue;
    let s = state;
    for (let i = 0; i < b.length && s >= 0; i++) s = dfa.next[s * 256 + b[i]];
    if (s >= 0) allowed[id] = 1;
  }
  return allowed;
}

const specs: ConstraintSpec[] = [
  { kind: 'choice', text: 'yes\nno\n中文' },
  { kind: 'regex', text: '(ab)+[0-9]{1,3}' },
  { kind: 'regex', text: '[^x]{0,4}é?' },
  { kind: 'json', text: JSON.stringify({ type: 'object', properties: { a: { type: 'integer' }, b: { type: 'boolean' }, c: { enum: ['中', 'x'] } }, required: ['a'] }) },
  { kind: 'json', text: JSON.stringify({ type: 'array', items: { type: 'number' }, maxItems: 3 }) },
];

describe.each([
  ['small vocabulary', smallVocab()],
  ['embedded model vocabulary', embeddedVocab()],
])('TokenMasker on the %s', (_name, vocab) => {
  const trie = buildVocabTrie(vocab.bytes);

  it.each(specs.map((s) => [s.kind, s.text, s] as const))('%s %s: mask equals the brute-force check along random paths', (_k, _t, spec) => {
    const masker = constraintMasker(spec, trie, vocab.stopIds) as TokenMasker;
    const r = rng(spec.text.length);
    let checked = 0;
    for (let path = 0; path < 8; path++) {
      let state = 0;
      for (let step = 0; step < 12; step++) {
        const mask = masker.mask(state);
        expect(Array.from(mask)).toEqual(Array.from(bruteForceMask(masker.dfa, vocab, state)));
        checked++;
        // EOS allowed exactly when the text is complete
        for (const id of vocab.stopIds) expect(mask[id] === 1).toBe(masker.isComplete(state));
        const ids: number[] = [];
        for (let id = 0; id < mask.length; id++) if (mask[id] && !vocab.stopIds.includes(id)) ids.push(id);
        if (ids.length === 0) {
          expect(masker.isComplete(state)).toBe(true);
          break;
        }
        state = masker.advance(state, vocab.bytes[ids[Math.floor(r() * ids.length)]]);
        expect(state).toBeGreaterThanOrEqual(0);
      }
    }
    expect(checked).toBeGreaterThan(8);
  });
});

describe('buildVocabTrie(bytes)', () => {
  it('holds every token with bytes exactly once, at the node its bytes spell; preorder with subtree sizes', () => {
    const vocab = smallVocab();
    vocab.bytes.push(Uint8Array.of(0x61, 0x62)); // a duplicate of "ab"
    const trie = buildVocabTrie(vocab.bytes);
    const seen = new Map<number, string>();
    // rebuild each node's string from the preorder layout: a node's parent is the last node one level up
    const path: number[] = [];
    for (let n = 1; n < trie.nodeCount; n++) {
      const d = trie.depth[n];
      path.length = d - 1;
      path.push(trie.label[n]);
      for (let j = trie.tokenStart[n]; j < trie.tokenStart[n + 1]; j++) seen.set(trie.tokenIds[j], path.join(','));
      // the subtree is contiguous: every node inside is deeper, the next one after it is not
      for (let m = n + 1; m < n + trie.size[n]; m++) expect(trie.depth[m]).toBeGreaterThan(d);
      if (n + trie.size[n] < trie.nodeCount) expect(trie.depth[n + trie.size[n]]).toBeLessThanOrEqual(d);
    }
    vocab.bytes.forEach((b, id) => expect(seen.get(id)).toBe(b ? Array.from(b).join(',') : undefined));
    expect(trie.size[0]).toBe(trie.nodeCount);
  });
});

describe('applyToLogits', () => {
  it('sets disallowed logits to −Infinity and counts them', () => {
    const vocab = smallVocab();
    const masker = constraintMasker({ kind: 'choice', text: 'yes\nno' }, buildVocabTrie(vocab.bytes), vocab.stopIds) as TokenMasker;
    const logits = new Float32Array(vocab.bytes.length).fill(1);
    const masked = masker.applyToLogits(logits, 0);
    const kept = Array.from(logits.keys()).filter((i) => logits[i] === 1);
    // 'y', 'n', 'ye', 'yes', 'no'
    expect(kept.map((i) => new TextDecoder().decode(vocab.bytes[i] as Uint8Array)).sort()).toEqual(['n', 'no', 'y', 'ye', 'yes']);
    expect(masked).toBe(vocab.bytes.length - 5);
  });

  it('throws constraint-dead-end when the vocabulary cannot spell a continuation', () => {
    // a vocabulary without the byte "b"
    const bytes = [Uint8Array.of(0x61), null];
    const dfa = compileConstraint({ kind: 'regex', text: 'ab' }) as ByteDfa;
    const masker = new TokenMasker(dfa, buildVocabTrie(bytes), [1]);
    const logits = new Float64Array(2);
    const s = masker.advance(0, bytes[0]);
    expect(() => masker.applyToLogits(logits, s)).toThrow(ConstraintError);
  });
});

describe('compileConstraint(spec)', () => {
  it('none compiles to no automaton', () => expect(compileConstraint({ kind: 'none', text: 'ignored' })).toBeNull());
  it('a schema that is not JSON is a syntax error', () => expect(() => compileConstraint({ kind: 'json', text: '{' })).toThrow(/not valid JSON/));
});
