import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { choiceRegex, compileRegex, runBytes } from './byteDfa.ts';
import { ConstraintError } from './errors.ts';
import { encodeUtf8, utf8Sequences } from './utf8Ranges.ts';

const utf8 = new TextEncoder();

describe('utf8Sequences(lo, hi)', () => {
  it('encodeUtf8 equals TextEncoder', () => {
    for (const cp of [0, 0x41, 0x7f, 0x80, 0x7ff, 0x800, 0xd7ff, 0xe000, 0xffff, 0x10000, 0x10ffff]) {
      expect(encodeUtf8(cp)).toEqual(Array.from(utf8.encode(String.fromCodePoint(cp))));
    }
  });

  it('matches exactly the encodings of the range (random ranges, every code point checked)', () => {
    const inSeq = (bytes: number[], seqs: (readonly [number, number])[][]) =>
      seqs.filter((s) => s.length === bytes.length && s.every(([lo, hi], i) => lo <= bytes[i] && bytes[i] <= hi)).length;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0x10ffff }), fc.integer({ min: 0, max: 3000 }), (lo, width) => {
        const hi = Math.min(0x10ffff, lo + width);
        const seqs = utf8Sequences(lo, hi);
        // every sequence's byte tuples decode to code points inside the range: check the corners
        for (const s of seqs) {
          const corners = [s.map(([a]) => a), s.map(([, b]) => b)];
          for (const c of corners) {
            const cp = new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(c)).codePointAt(0) as number;
            expect(cp >= lo && cp <= hi).toBe(true);
          }
        }
        // and every code point of the range (except surrogates) is matched by exactly one sequence
        let covered = 0;
        for (let cp = lo; cp <= hi; cp++) {
          if (cp >= 0xd800 && cp <= 0xdfff) continue;
          expect(inSeq(encodeUtf8(cp), seqs)).toBe(1);
          covered++;
        }
        const size = seqs.reduce((acc, s) => acc + s.reduce((p, [a, b]) => p * (b - a + 1), 1), 0);
        expect(size).toBe(covered);
      }),
      { numRuns: 80 },
    );
  });
});

/** JavaScript's own full match, the reference. */
const fullMatch = (source: string, text: string) => new RegExp(`^(?:${source})$`, 'u').test(text);

describe('compileRegex(source)', () => {
  const cases: [string, string[]][] = [
    ['yes|no', ['y', 'e', 's', 'n', 'o', ' ']],
    ['[0-9]{3}-[a-c]+', ['1', '2', '-', 'a', 'c', 'd']],
    ['(ab)*c?', ['a', 'b', 'c']],
    ['[α-ω]+é?', ['α', 'β', 'ω', 'é', 'e', 'x']],
    ['\\d+(\\.\\d{1,2})?', ['0', '9', '.', 'x']],
    ['[^a]{2}', ['a', 'b', '中', '😀', 'é']],
    ['\\p{Script=Han}+', ['中', '文', 'a', '😀']],
    ['^(?:x|中文)+$', ['x', '中', '文', '中文']],
  ];
  it.each(cases)('%s: accepting ⇔ JavaScript full match, and every prefix of a match stays alive', (source, alphabet) => {
    const dfa = compileRegex(source);
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...alphabet), { maxLength: 8 }), (parts) => {
        const text = parts.join('');
        const bytes = utf8.encode(text);
        const s = runBytes(dfa, 0, bytes);
        const want = fullMatch(source.replace(/^\^/, '').replace(/\$$/, ''), text);
        expect(s >= 0 && dfa.accepting[s] === 1).toBe(want);
        if (want) for (let i = 0; i <= bytes.length; i++) expect(runBytes(dfa, 0, bytes.subarray(0, i))).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 300 },
    );
  });

  it('a live state always has a way to an accepting state (no dead ends)', () => {
    const dfa = compileRegex('a[0-9]{2}(x|yz)');
    for (let s = 0; s < dfa.stateCount; s++) {
      let hasOut = false;
      for (let b = 0; b < 256; b++) if (dfa.next[s * 256 + b] >= 0) hasOut = true;
      expect(hasOut || dfa.accepting[s] === 1).toBe(true);
    }
  });

  it.each([
    ['(?=a)a', 'constraint-unsupported'],
    ['(a+)\\1', 'constraint-unsupported'],
    ['a\\bb', 'constraint-unsupported'],
    ['(', 'constraint-syntax'],
    ['[]', 'constraint-empty'],
  ])('%s → %s', (source, code) => {
    let error: unknown;
    try {
      compileRegex(source);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConstraintError);
    expect((error as ConstraintError).reason).toBe(code);
    expect((error as ConstraintError).code).toBe('invalid-setting');
  });

  it('choiceRegex escapes the syntax characters', () => {
    const dfa = compileRegex(choiceRegex(['a.b', '(x)', 'c|d']));
    const ok = (t: string) => {
      const s = runBytes(dfa, 0, utf8.encode(t));
      return s >= 0 && dfa.accepting[s] === 1;
    };
    expect([ok('a.b'), ok('(x)'), ok('c|d'), ok('axb'), ok('c'), ok('x')]).toEqual([true, true, true, false, false, false]);
  });
});
