/**
 * Token → bytes → display text. Byte-level BPE pieces (GPT-2's byte-to-unicode
 * alphabet, e.g. `Ġ` for a space) and SentencePiece pieces (`▁`, `<0xE5>`) both
 * become raw bytes; display text is built from bytes across a sequence so a
 * character split over several tokens appears once, on the token that completes it.
 */

/** How a tokenizer spells bytes in its vocabulary. */
export type PieceEncoding = 'byte-level' | 'sentencepiece' | 'plain';

let unicodeToByte: Map<string, number> | null = null;

/** GPT-2's reversible byte ↔ printable-unicode table, inverted: char → byte. */
export function byteLevelTable(): Map<string, number> {
  if (unicodeToByte) return unicodeToByte;
  const bs: number[] = [];
  for (let b = 33; b <= 126; b++) bs.push(b);
  for (let b = 161; b <= 172; b++) bs.push(b);
  for (let b = 174; b <= 255; b++) bs.push(b);
  const cs = bs.slice();
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n);
      n++;
    }
  }
  unicodeToByte = new Map(bs.map((b, i) => [String.fromCodePoint(cs[i]), b]));
  return unicodeToByte;
}

const utf8 = new TextEncoder();

/**
 * The raw bytes a vocabulary piece stands for.
 * @param piece the token string as stored in the vocabulary (e.g. `Ġthe`, `▁the`, `<0xE5>`)
 */
export function pieceBytes(piece: string, encoding: PieceEncoding): Uint8Array {
  if (encoding === 'byte-level') {
    const table = byteLevelTable();
    const out: number[] = [];
    for (const ch of piece) {
      const b = table.get(ch);
      if (b === undefined) out.push(...utf8.encode(ch));
      else out.push(b);
    }
    return Uint8Array.from(out);
  }
  if (encoding === 'sentencepiece') {
    const m = /^<0x([0-9A-Fa-f]{2})>$/.exec(piece);
    if (m) return Uint8Array.of(parseInt(m[1], 16));
    return utf8.encode(piece.replaceAll('\u2581', ' '));
  }
  return utf8.encode(piece);
}

/** Lower-case hex of bytes separated by spaces, e.g. `e5 8d`. */
export function bytesHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** Zero-width and bidirectional control characters, shown by name so they never hide or reorder text. */
const INVISIBLE: Record<number, string> = {
  0x200b: 'ZWSP', 0x200c: 'ZWNJ', 0x200d: 'ZWJ', 0x200e: 'LRM', 0x200f: 'RLM', 0x2060: 'WJ', 0xfeff: 'BOM', 0x00ad: 'SHY',
  0x202a: 'LRE', 0x202b: 'RLE', 0x202c: 'PDF', 0x202d: 'LRO', 0x202e: 'RLO', 0x2066: 'LRI', 0x2067: 'RLI', 0x2068: 'FSI', 0x2069: 'PDI',
};

/** Visible glyphs for whitespace and control characters: ␣ ↵ ⇥, control pictures, ⟦RLO⟧-style names. */
export function visibleText(text: string): string {
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (INVISIBLE[c]) out += `\u27e6${INVISIBLE[c]}\u27e7`;
    else if (ch === ' ') out += '\u2423';
    else if (ch === '\n') out += '\u21b5';
    else if (ch === '\t') out += '\u21e5';
    else if (c < 0x20) out += String.fromCodePoint(0x2400 + c);
    else if (c === 0x7f) out += '\u2421';
    else out += ch;
  }
  return out;
}

/** Length of a UTF-8 sequence from its lead byte; 0 for a continuation or invalid byte. */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead < 0xe0) return 2;
  if (lead >= 0xe0 && lead < 0xf0) return 3;
  if (lead >= 0xf0 && lead < 0xf5) return 4;
  return 0;
}

/** How one token of a sequence is displayed. */
export interface TokenDisplay {
  /** Text this token completes, with whitespace glyphs; '' when it only holds part of a character. */
  text: string;
  /** The same text without glyphs. */
  rawText: string;
  /** The token's own bytes as hex, e.g. `e5 8d`. */
  hex: string;
  /** True when the token holds only part of a multi-byte character (starts or ends mid-character). */
  partial: boolean;
  /** Bytes still waiting for later tokens after this one, as hex ('' when none). */
  pendingHex: string;
}

const decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * Display records for a sequence of tokens given each token's bytes. Bytes of a
 * character split across tokens are carried forward; the character appears on
 * the token that completes it. Invalid bytes are shown as U+FFFD.
 * @param tokenBytes one Uint8Array per token, in order
 * @param carry bytes pending from tokens before this sequence (e.g. the prompt's tail)
 */
export function displayTokens(tokenBytes: readonly Uint8Array[], carry: Uint8Array = new Uint8Array(0)): TokenDisplay[] {
  let pending = Array.from(carry);
  return tokenBytes.map((own) => {
    const startsMid = pending.length > 0 || (own.length > 0 && own[0] >= 0x80 && own[0] < 0xc0);
    const buf = [...pending, ...own];
    // find the end of the last complete sequence
    let i = 0;
    let complete = 0;
    while (i < buf.length) {
      const len = sequenceLength(buf[i]);
      if (len === 0) {
        i += 1; // invalid byte: decoded as U+FFFD
        complete = i;
        continue;
      }
      if (i + len > buf.length) break;
      let ok = true;
      for (let j = 1; j < len; j++) if (buf[i + j] < 0x80 || buf[i + j] >= 0xc0) ok = false;
      i += ok ? len : 1;
      complete = i;
    }
    const rawText = decoder.decode(Uint8Array.from(buf.slice(0, complete)));
    pending = buf.slice(complete);
    return {
      text: visibleText(rawText),
      rawText,
      hex: bytesHex(own),
      partial: pending.length > 0 || (startsMid && own.length > 0),
      pendingHex: bytesHex(Uint8Array.from(pending)),
    };
  });
}
