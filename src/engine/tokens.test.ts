import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { displayTokens, pieceBytes, visibleText, type TokenDisplay } from './tokens.ts';

const enc = new TextEncoder();

describe('pieceBytes', () => {
  it('byte-level: Ġ is a space, Ċ a newline', () => {
    expect(Array.from(pieceBytes('Ġthe', 'byte-level'))).toEqual([32, 116, 104, 101]);
    expect(Array.from(pieceBytes('Ċ', 'byte-level'))).toEqual([10]);
  });
  it('byte-level: 卍 (e5 8d 8d) spelled in GPT-2 alphabet', () => {
    // bytes e5 8d 8d map to 'å', 'į', 'į'
    expect(Array.from(pieceBytes('å', 'byte-level'))).toEqual([0xe5]);
    expect(Array.from(pieceBytes('į', 'byte-level'))).toEqual([0x8d]);
  });
  it('sentencepiece: ▁ and <0xNN>', () => {
    expect(Array.from(pieceBytes('▁a', 'sentencepiece'))).toEqual([32, 97]);
    expect(Array.from(pieceBytes('<0xE5>', 'sentencepiece'))).toEqual([0xe5]);
  });
});

describe('displayTokens (the one byte rule)', () => {
  it('a CJK char split over two tokens is shown once, on a bracket over both chips; each chip shows its own bytes', () => {
    const b = enc.encode('卍'); // e5 8d 8d
    const d = displayTokens([b.slice(0, 2), b.slice(2)]);
    expect(d[0]).toMatchObject({ text: 'E5 8D', hex: 'e5 8d', partial: true, invalid: false });
    expect(d[1]).toMatchObject({ text: '8D', hex: '8d', partial: true, invalid: false });
    expect(d[0].brackets).toEqual([{ group: 0, text: '卍', raw: '卍', first: true, last: false, open: false }]);
    expect(d[1].brackets).toEqual([{ group: 0, text: '卍', raw: '卍', first: false, last: true, open: false }]);
  });
  it('whitespace glyphs', () => {
    expect(visibleText(' a\n\tb\r')).toBe('␣a↵⇥b␍');
    const d = displayTokens([enc.encode(' hello')]);
    expect(d[0]).toMatchObject({ text: '␣hello', rawText: ' hello', partial: false, invalid: false });
  });
  it('emoji over 4 tokens: one bracket over four chips', () => {
    const b = enc.encode('🦀');
    const d = displayTokens([b.slice(0, 1), b.slice(1, 2), b.slice(2, 3), b.slice(3)]);
    expect(d.map((t) => t.text)).toEqual(['F0', '9F', 'A6', '80']);
    expect(d.every((t) => t.partial && t.brackets.length === 1 && t.brackets[0].text === '🦀')).toBe(true);
  });
  it('a lead byte interrupted by an ASCII token: the lead is invalid on its own chip, the ASCII token shows its text', () => {
    const d = displayTokens([Uint8Array.of(0xd2), enc.encode('e'), enc.encode(' word')]);
    expect(d[0]).toMatchObject({ text: 'D2', invalid: true, partial: false });
    expect(d[0].parts).toEqual([{ kind: 'invalid', hex: 'd2', problem: 'interrupted', lead: 'D2' }]);
    expect(d[1]).toMatchObject({ text: 'e', invalid: false, partial: false });
    expect(d[2]).toMatchObject({ text: '␣word', invalid: false, partial: false });
  });
  it('a special token (null) interrupts a character', () => {
    const d = displayTokens([Uint8Array.of(0xe5, 0x8d), null, Uint8Array.of(0x8d)]);
    expect(d[0].parts[0]).toMatchObject({ kind: 'invalid', problem: 'interrupted' });
    expect(d[2].parts[0]).toMatchObject({ kind: 'invalid', problem: 'stray' });
  });
  it('overlong, surrogate and out-of-range bytes are named', () => {
    const p = (b: number[]) => displayTokens([Uint8Array.from(b)])[0].parts.map((x) => (x.kind === 'invalid' ? x.problem : x.kind));
    expect(p([0xc0, 0xaf])).toEqual(['overlong', 'stray']);
    expect(p([0xe0, 0x80, 0x80])).toEqual(['overlong', 'overlong', 'overlong']);
    expect(p([0xed, 0xa0, 0x80])).toEqual(['surrogate', 'surrogate', 'surrogate']);
    expect(p([0xf4, 0x90, 0x80, 0x80])).toEqual(['out-of-range', 'out-of-range', 'out-of-range', 'out-of-range']);
    expect(p([0xff])).toEqual(['out-of-range']);
  });
  it('a sequence ending mid-character leaves an open bracket (partial, not invalid)', () => {
    const d = displayTokens([enc.encode('a'), Uint8Array.of(0xe5)]);
    expect(d[1]).toMatchObject({ text: 'E5', partial: true, invalid: false });
    expect(d[1].brackets[0]).toMatchObject({ open: true, text: '' });
  });
  it('openStart: leading continuation bytes are partial, not stray', () => {
    const d = displayTokens([Uint8Array.of(0x8d, 0x41)], { openStart: true });
    expect(d[0]).toMatchObject({ text: '8D\u2009A', partial: true, invalid: false });
  });
  it('markup is returned as plain text (rendering escapes it)', () => {
    expect(displayTokens([enc.encode('<img src=x onerror=alert(1)>')])[0].rawText).toBe('<img src=x onerror=alert(1)>');
  });
});

// ---------------------------------------------------------------------------------------------
// An independent reference, written from the Unicode Standard's Table 3-7 (Well-Formed UTF-8 Byte
// Sequences). Each row: the allowed range of byte 1, 2, 3, 4.
const TABLE_3_7: [number, number][][] = [
  [[0x00, 0x7f]],
  [[0xc2, 0xdf], [0x80, 0xbf]],
  [[0xe0, 0xe0], [0xa0, 0xbf], [0x80, 0xbf]],
  [[0xe1, 0xec], [0x80, 0xbf], [0x80, 0xbf]],
  [[0xed, 0xed], [0x80, 0x9f], [0x80, 0xbf]],
  [[0xee, 0xef], [0x80, 0xbf], [0x80, 0xbf]],
  [[0xf0, 0xf0], [0x90, 0xbf], [0x80, 0xbf], [0x80, 0xbf]],
  [[0xf1, 0xf3], [0x80, 0xbf], [0x80, 0xbf], [0x80, 0xbf]],
  [[0xf4, 0xf4], [0x80, 0x8f], [0x80, 0xbf], [0x80, 0xbf]],
];

type Unit = { kind: 'char'; start: number; end: number } | { kind: 'invalid'; at: number } | { kind: 'pending'; start: number; end: number };

/** Reference: at each position, a Table 3-7 row that matches whole is a character; a row matched up to the
 * end of the stream is a pending character; otherwise the byte is invalid and we move on by one. */
function reference(bytes: number[]): Unit[] {
  const units: Unit[] = [];
  let i = 0;
  while (i < bytes.length) {
    let matched: Unit | null = null;
    for (const row of TABLE_3_7) {
      let k = 0;
      while (k < row.length && i + k < bytes.length && bytes[i + k] >= row[k][0] && bytes[i + k] <= row[k][1]) k++;
      if (k === row.length) matched = { kind: 'char', start: i, end: i + k };
      else if (k > 0 && i + k === bytes.length) matched = { kind: 'pending', start: i, end: i + k };
      if (matched) break;
    }
    if (matched) {
      units.push(matched);
      i = matched.end;
    } else {
      units.push({ kind: 'invalid', at: i });
      i++;
    }
  }
  return units;
}

const hx = (b: number) => b.toString(16).padStart(2, '0');

/** Interesting bytes: ASCII, every kind of lead, continuation bytes at the Table 3-7 edges, never-valid bytes. */
const byteArb = fc.oneof(
  fc.constantFrom(0x41, 0x20, 0x0a, 0x7f),
  fc.constantFrom(0xc2, 0xd2, 0xdf, 0xe0, 0xe5, 0xed, 0xef, 0xf0, 0xf3, 0xf4),
  fc.constantFrom(0x80, 0x8d, 0x8f, 0x90, 0x9f, 0xa0, 0xad, 0xbf),
  fc.constantFrom(0xc0, 0xc1, 0xf5, 0xff),
  fc.integer({ min: 0, max: 255 }),
);
/** Tokens: single bytes (SentencePiece byte fallback), or multi-byte pieces, or whole characters. */
const tokenArb = fc.oneof(
  byteArb.map((b) => [b]),
  fc.array(byteArb, { minLength: 2, maxLength: 4 }),
  fc.constantFrom('卍', '🦀', 'é', ' the', '語').map((s) => Array.from(enc.encode(s))),
);

describe('displayTokens against the Table 3-7 reference (property)', () => {
  it('chips show exactly their own bytes; characters shown once; every invalid byte as hex on its own chip', () => {
    fc.assert(
      fc.property(fc.array(tokenArb, { minLength: 1, maxLength: 12 }), (tokens) => {
        const d: TokenDisplay[] = displayTokens(tokens.map((t) => Uint8Array.from(t)));
        const stream = tokens.flat();
        const owner = tokens.flatMap((t, i) => t.map(() => i));
        const units = reference(stream);
        // 1. no chip shows another chip's bytes: a chip's parts, turned back into bytes, are its own bytes
        d.forEach((chip, i) => {
          const back: number[] = [];
          for (const p of chip.parts) {
            if (p.kind === 'text') back.push(...enc.encode(p.raw));
            else back.push(...p.hex.split(' ').map((h) => parseInt(h, 16)));
          }
          expect(back).toEqual(tokens[i]);
          expect(chip.text).not.toContain('\ufffd');
          expect(chip.hex).toBe(tokens[i].map(hx).join(' '));
        });
        // 2. what the chips show, read in order (whole characters, each bracket's character once, invalid
        //    bytes), equals the reference's decoded valid characters and invalid bytes
        const shown: string[] = [];
        d.forEach((chip) => {
          for (const p of chip.parts) {
            if (p.kind === 'text') for (const ch of p.raw) shown.push(`c:${ch}`);
            else if (p.kind === 'invalid') for (const h of p.hex.split(' ')) shown.push(`x:${h}`);
            else {
              const b = chip.brackets.find((x) => x.group === p.group)!;
              if (b.first) shown.push(b.open ? 'pending' : `c:${bracketRaw(d, p.group)}`);
            }
          }
        });
        const expected = units.map((u) =>
          u.kind === 'invalid' ? `x:${hx(stream[u.at])}` : u.kind === 'pending' ? 'pending' : `c:${new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(stream.slice(u.start, u.end)))}`,
        );
        expect(shown).toEqual(expected);
        // 3. every invalid byte is flagged on the chip that holds it; every split character's chips are partial
        for (const u of units) {
          if (u.kind === 'invalid') expect(d[owner[u.at]].invalid).toBe(true);
          else if (owner[u.start] !== owner[u.end - 1] || u.kind === 'pending')
            for (let t = owner[u.start]; t <= owner[u.end - 1]; t++) expect(d[t].partial).toBe(true);
        }
        // 4. an ASCII-only token always shows its own text
        tokens.forEach((t, i) => {
          if (t.every((b) => b < 0x80)) expect(d[i].rawText).toBe(String.fromCharCode(...t));
        });
      }),
      { numRuns: 2000 },
    );
  });
});

/** The character a bracket stands for. */
function bracketRaw(d: TokenDisplay[], group: number): string {
  for (const chip of d) for (const b of chip.brackets) if (b.group === group) return b.raw;
  return '';
}

describe('visibleText(invisible characters)', () => {
  it('names zero-width and bidi controls so they cannot hide or reorder text', () => {
    expect(visibleText('a\u202eb\u200bc')).toBe('a⟦RLO⟧b⟦ZWSP⟧c');
  });
});
