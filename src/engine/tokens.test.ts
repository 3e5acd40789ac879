import { describe, expect, it } from 'vitest';
import { displayTokens, pieceBytes, visibleText } from './tokens.ts';

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

describe('displayTokens', () => {
  it('a CJK char split over two tokens appears once, on the completing token', () => {
    const b = enc.encode('卍'); // e5 8d 8d
    const d = displayTokens([b.slice(0, 2), b.slice(2)]);
    expect(d[0]).toMatchObject({ text: '', hex: 'e5 8d', partial: true });
    expect(d[1]).toMatchObject({ text: '卍', hex: '8d', partial: true });
  });
  it('whitespace glyphs', () => {
    expect(visibleText(' a\n\tb\r')).toBe('␣a↵⇥b␍');
    const d = displayTokens([enc.encode(' hello')]);
    expect(d[0]).toMatchObject({ text: '␣hello', rawText: ' hello', partial: false });
  });
  it('emoji over 4 tokens', () => {
    const b = enc.encode('🦀');
    const d = displayTokens([b.slice(0, 1), b.slice(1, 2), b.slice(2, 3), b.slice(3)]);
    expect(d.map((t) => t.text)).toEqual(['', '', '', '🦀']);
    expect(d.every((t) => t.partial)).toBe(true);
  });
  it('markup is returned as plain text (rendering escapes it)', () => {
    expect(displayTokens([enc.encode('<img src=x onerror=alert(1)>')])[0].rawText).toBe('<img src=x onerror=alert(1)>');
  });
});

describe('visibleText(invisible characters)', () => {
  it('names zero-width and bidi controls so they cannot hide or reorder text', () => {
    expect(visibleText('a\u202eb\u200bc')).toBe('a⟦RLO⟧b⟦ZWSP⟧c');
  });
});
