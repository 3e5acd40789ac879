/**
 * Token → bytes → display text. Byte-level BPE pieces (GPT-2's byte-to-unicode
 * alphabet, e.g. `Ġ` for a space) and SentencePiece pieces (`▁`, `<0xE5>`) both
 * become raw bytes; {@link displayTokens} applies the one byte rule (each chip shows its own bytes;
 * a character split over several tokens is shown once, on a bracket spanning them).
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

/** Length of a UTF-8 sequence from its lead byte; 0 for a byte that cannot start one (continuation, C0, C1, F5..FF). */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead < 0xe0) return 2;
  if (lead >= 0xe0 && lead < 0xf0) return 3;
  if (lead >= 0xf0 && lead < 0xf5) return 4;
  return 0;
}

/**
 * The range the second byte of a sequence must fall in (Unicode Table 3-7, "Well-Formed UTF-8 Byte
 * Sequences"); later continuation bytes are always 80..BF.
 */
function secondByteRange(lead: number): [number, number] {
  if (lead === 0xe0) return [0xa0, 0xbf];
  if (lead === 0xed) return [0x80, 0x9f];
  if (lead === 0xf0) return [0x90, 0xbf];
  if (lead === 0xf4) return [0x80, 0x8f];
  return [0x80, 0xbf];
}

/** Why bytes can never form a character (Unicode Table 3-7). */
export type ByteProblem =
  /** a lead byte followed by a byte that is not a continuation byte (or by a special token) */
  | 'interrupted'
  /** a continuation byte (80..BF) with no lead byte before it */
  | 'stray'
  /** C0, C1, or E0/F0 followed by a too-small second byte: an overlong encoding */
  | 'overlong'
  /** F5..FF, or F4 followed by 90..BF: beyond U+10FFFF */
  | 'out-of-range'
  /** ED followed by A0..BF: a UTF-16 surrogate (U+D800..U+DFFF) */
  | 'surrogate';

/** One stretch of a chip's own bytes, in order; the parts of a chip together hold exactly its bytes. */
export type ChipPart =
  /** whole characters, entirely inside this chip */
  | { kind: 'text'; raw: string; text: string }
  /** bytes of one character split over several chips (or still waiting for its last bytes) */
  | { kind: 'split'; hex: string; group: number }
  /** bytes that can never form a character; `lead` is the byte the problem is about (upper-case hex) */
  | { kind: 'invalid'; hex: string; problem: ByteProblem; lead: string };

/** This chip's piece of the bracket drawn under the chips of one split character. */
export interface BracketPiece {
  /** Index of the split character in the sequence. */
  group: number;
  /** The character with whitespace glyphs ('' while it still waits for bytes). */
  text: string;
  /** The character itself ('' while it still waits for bytes). */
  raw: string;
  /** The first chip of the bracket (shown here), and the last. */
  first: boolean;
  last: boolean;
  /** True while the character has not received all its bytes (the sequence ends mid-character). */
  open: boolean;
}

/** How one token of a sequence is displayed (the one byte rule). */
export interface TokenDisplay {
  /**
   * The chip's text: its whole characters with whitespace glyphs, and every other byte it holds as
   * upper-case hex. It depends on the token's bytes alone, never on its neighbours.
   */
  text: string;
  /** The token's whole characters only, without glyphs ('' for a token of loose bytes). */
  rawText: string;
  /** The token's own bytes as lower-case hex, e.g. `e5 8d`. */
  hex: string;
  /** True when the chip holds bytes of a character split over several chips (or still incomplete). */
  partial: boolean;
  /** True when the chip holds bytes that can never form a character. */
  invalid: boolean;
  /** The chip's bytes in order, by kind. */
  parts: ChipPart[];
  /** Brackets of split characters this chip takes part in (at most two: one ending, one starting). */
  brackets: BracketPiece[];
}

const decoder = new TextDecoder('utf-8', { fatal: false });
const hex2 = (b: number) => b.toString(16).padStart(2, '0');

/** Options of {@link displayTokens}. */
export interface DisplayOptions {
  /**
   * Treat continuation bytes at the very start as the end of a character begun before the sequence
   * (a chart row, a token alone): partial instead of invalid. Default false.
   */
  openStart?: boolean;
}

type ByteClass =
  | { kind: 'char'; start: number; end: number }
  | { kind: 'pending'; start: number; end: number }
  | { kind: 'invalid'; start: number; end: number; problem: ByteProblem };

/**
 * Splits a byte stream into characters, invalid stretches and a trailing incomplete character.
 * `barriers` are stream positions a character may not cross (where a special token stands).
 */
function classify(bytes: Uint8Array, barriers: ReadonlySet<number>, openStart: boolean): ByteClass[] {
  const out: ByteClass[] = [];
  let i = 0;
  const n = bytes.length;
  const isCont = (b: number) => b >= 0x80 && b <= 0xbf;
  if (openStart) {
    let j = 0;
    while (j < n && j < 3 && isCont(bytes[j])) j++;
    if (j > 0) {
      out.push({ kind: 'pending', start: 0, end: j });
      i = j;
    }
  }
  while (i < n) {
    const b = bytes[i];
    const len = sequenceLength(b);
    if (len === 1) {
      out.push({ kind: 'char', start: i, end: i + 1 });
      i++;
      continue;
    }
    if (len === 0) {
      const problem: ByteProblem = isCont(b) ? 'stray' : b === 0xc0 || b === 0xc1 ? 'overlong' : 'out-of-range';
      out.push({ kind: 'invalid', start: i, end: i + 1, problem });
      i++;
      continue;
    }
    // a lead byte: take continuation bytes while they fit Table 3-7
    let j = i + 1;
    let problem: ByteProblem | null = null;
    while (j < i + len) {
      if (j >= n) break;
      if (barriers.has(j)) {
        problem = 'interrupted';
        break;
      }
      const c = bytes[j];
      if (!isCont(c)) {
        problem = 'interrupted';
        break;
      }
      if (j === i + 1) {
        const [lo, hi] = secondByteRange(b);
        if (c < lo || c > hi) {
          // the whole would-be sequence (lead plus the continuation bytes it would take) is invalid
          problem = b === 0xed ? 'surrogate' : b === 0xf4 ? 'out-of-range' : 'overlong';
          let k = j;
          while (k < i + len && k < n && isCont(bytes[k]) && !barriers.has(k)) k++;
          j = k;
          break;
        }
      }
      j++;
    }
    if (problem) {
      out.push({ kind: 'invalid', start: i, end: j, problem });
      i = j;
    } else if (j < i + len) {
      out.push({ kind: 'pending', start: i, end: j }); // the stream ended mid-character
      i = j;
    } else {
      out.push({ kind: 'char', start: i, end: j });
      i = j;
    }
  }
  return out;
}

/**
 * Display records for a sequence of tokens given each token's bytes — the one byte rule:
 * - each chip shows its own bytes: characters wholly inside it as text (whitespace as glyphs), every
 *   other byte as upper-case hex; a chip never shows U+FFFD or another chip's bytes, and an ASCII token
 *   always shows its own text;
 * - a character split over several chips is shown once, on a bracket spanning those chips
 *   ({@link TokenDisplay.brackets}); each of those chips is `partial`;
 * - bytes that can never form a character (Unicode Table 3-7: a lead byte interrupted by a
 *   non-continuation byte, a continuation byte with no lead, overlong, beyond U+10FFFF, surrogates)
 *   are `invalid`, with the problem in `parts`.
 * A sequence that ends mid-character leaves its last bracket open (partial, not invalid).
 * @param tokenBytes one Uint8Array per token, in order; `null` for a special token, which shows no bytes
 *   here and interrupts a character
 */
export function displayTokens(tokenBytes: readonly (Uint8Array | null)[], options: DisplayOptions = {}): TokenDisplay[] {
  let total = 0;
  for (const b of tokenBytes) total += b ? b.length : 0;
  const all = new Uint8Array(total);
  const owner = new Int32Array(total);
  const starts: number[] = [];
  const barriers = new Set<number>();
  let pos = 0;
  tokenBytes.forEach((b, t) => {
    starts.push(pos);
    if (!b) {
      barriers.add(pos);
      return;
    }
    all.set(b, pos);
    owner.fill(t, pos, pos + b.length);
    pos += b.length;
  });
  const out: TokenDisplay[] = tokenBytes.map((b) => ({
    text: '',
    rawText: '',
    hex: b ? bytesHex(b) : '',
    partial: false,
    invalid: false,
    parts: [],
    brackets: [],
  }));
  const addText = (t: number, raw: string) => {
    const parts = out[t].parts;
    const last = parts[parts.length - 1];
    if (last?.kind === 'text') last.raw += raw;
    else parts.push({ kind: 'text', raw, text: '' });
  };
  let group = 0;
  for (const c of classify(all, barriers, options.openStart ?? false)) {
    const first = owner[c.start];
    const last = owner[c.end - 1];
    if (c.kind === 'invalid') {
      const lead = hex2(all[c.start]).toUpperCase();
      for (let k = c.start; k < c.end; k++) {
        const t = owner[k];
        out[t].parts.push({ kind: 'invalid', hex: hex2(all[k]), problem: c.problem, lead });
        out[t].invalid = true;
      }
      continue;
    }
    if (c.kind === 'char' && first === last) {
      addText(first, decoder.decode(all.subarray(c.start, c.end)));
      continue;
    }
    // a character over several chips, or bytes still waiting for the rest of their character
    const open = c.kind === 'pending';
    const raw = open ? '' : decoder.decode(all.subarray(c.start, c.end));
    for (let k = c.start; k < c.end; k++) {
      const t = owner[k];
      const parts = out[t].parts;
      const prev = parts[parts.length - 1];
      if (prev?.kind === 'split' && prev.group === group) prev.hex += ' ' + hex2(all[k]);
      else parts.push({ kind: 'split', hex: hex2(all[k]), group });
      out[t].partial = true;
    }
    for (let t = first; t <= last; t++) {
      if (!tokenBytes[t]) continue;
      out[t].brackets.push({ group, text: visibleText(raw), raw, first: t === first, last: t === last, open });
    }
    group++;
  }
  for (const d of out) {
    const pieces: string[] = [];
    for (const p of d.parts) {
      if (p.kind === 'text') {
        p.text = visibleText(p.raw);
        d.rawText += p.raw;
        pieces.push(p.text);
      } else pieces.push(p.hex.toUpperCase());
    }
    // hex stretches are set apart from text by a thin space so "a" + E5 reads "a E5"
    d.text = pieces.join('\u2009');
  }
  return out;
}

/**
 * The plain text of a byte sequence, for copying and exports where text must be valid: each maximal
 * invalid subpart becomes one U+FFFD (WHATWG decode, as TextDecoder does).
 */
export function plainText(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** "not valid UTF-8" explanation keys, one per {@link ByteProblem}, for the UI to translate. */
export const BYTE_PROBLEMS: readonly ByteProblem[] = ['interrupted', 'stray', 'overlong', 'out-of-range', 'surrogate'];

/**
 * What a run of chips reads as, in order: whole characters, each split character once (from its
 * bracket), invalid bytes as upper-case hex, a character still waiting for bytes as its hex. For
 * one-line renderings of a sequence (beam hypotheses, option lists).
 */
export function runText(displays: readonly TokenDisplay[]): string {
  let out = '';
  for (const d of displays) {
    for (const p of d.parts) {
      if (p.kind === 'text') out += p.text;
      else if (p.kind === 'invalid') out += `\u27e8${p.hex.toUpperCase()}\u27e9`;
      else {
        const b = d.brackets.find((x) => x.group === p.group);
        if (b?.open) out += `\u27e8${p.hex.toUpperCase()}\u27e9`;
        else if (b?.first) out += b.text;
      }
    }
    if (d.parts.length === 0) out += d.text; // a special token
  }
  return out;
}
