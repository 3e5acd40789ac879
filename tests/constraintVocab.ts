/**
 * Vocabularies for the constraint tests and bench (test support, not used by the app): the embedded
 * model's byte-level vocabulary read from its tokenizer.json, a small hand-made one, and synthetic
 * byte vocabularies of a given size.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pieceBytes } from '../src/engine/tokens.ts';

/** A vocabulary as the constraint stage sees it. */
export interface ByteVocab {
  bytes: (Uint8Array | null)[];
  /** EOS / end-of-turn ids. */
  stopIds: number[];
}

const utf8 = new TextEncoder();

/** The embedded model's vocabulary (byte-level BPE; added special tokens have no bytes). */
export function embeddedVocab(): ByteVocab {
  const path = fileURLToPath(new URL('../public/models/tiny-bilingual-gpt2/tokenizer.json', import.meta.url));
  const tok = JSON.parse(readFileSync(path, 'utf8')) as { model: { vocab: Record<string, number> }; added_tokens: { id: number; content: string; special: boolean }[] };
  const size = Math.max(...Object.values(tok.model.vocab), ...tok.added_tokens.map((t) => t.id)) + 1;
  const bytes: (Uint8Array | null)[] = new Array(size).fill(null);
  for (const [piece, id] of Object.entries(tok.model.vocab)) bytes[id] = pieceBytes(piece, 'byte-level');
  const stopIds: number[] = [];
  for (const t of tok.added_tokens) {
    bytes[t.id] = null;
    if (t.content === '<|endoftext|>') stopIds.push(t.id);
  }
  return { bytes, stopIds };
}

/** Every single byte, some words and multi-byte characters (also split mid-character), one EOS and one other special. */
export function smallVocab(): ByteVocab {
  const bytes: (Uint8Array | null)[] = [];
  for (let b = 0; b < 256; b++) bytes.push(Uint8Array.of(b));
  const words = ['yes', 'no', ' yes', 'ye', 'ab', 'abab', 'ba', '12', '345', '0.', '.5', 'e+', '{"', '":', '",', '"}', '[1', ', ', 'true', 'false', 'null', '中', '中文', 'é', 'αβ', '😀'];
  for (const w of words) bytes.push(utf8.encode(w));
  const zh = utf8.encode('中');
  bytes.push(zh.subarray(0, 2), zh.subarray(2)); // a character split over two tokens
  bytes.push(null); // EOS
  bytes.push(null); // another special (never allowed)
  return { bytes, stopIds: [bytes.length - 2] };
}

/** mulberry32 (test support). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A synthetic byte vocabulary of `size` tokens shaped like a BPE vocabulary: the 256 single bytes, then
 * ASCII words (letters, some with a leading space), digit runs, punctuation pairs and UTF-8 CJK strings,
 * lengths 2–12 bytes, distinct; the last id is EOS.
 */
export function syntheticVocab(size: number, seed = 1): ByteVocab {
  const r = rng(seed);
  const bytes: (Uint8Array | null)[] = [];
  for (let b = 0; b < 256; b++) bytes.push(Uint8Array.of(b));
  const seen = new Set<string>();
  const letters = 'etaoinshrdlucmfwypvbgkjqxz';
  while (bytes.length < size - 1) {
    const kind = r();
    let s: string;
    const len = 2 + Math.floor(r() * r() * 10);
    if (kind < 0.7) {
      s = r() < 0.5 ? ' ' : '';
      for (let i = 0; i < len; i++) s += letters[Math.floor(r() * r() * 26)];
    } else if (kind < 0.8) {
      s = '';
      for (let i = 0; i < Math.min(len, 4); i++) s += String(Math.floor(r() * 10));
    } else if (kind < 0.9) {
      s = '';
      for (let i = 0; i < Math.min(len, 3); i++) s += '{}[]",:. \n'[Math.floor(r() * 10)];
    } else {
      s = '';
      for (let i = 0; i < Math.min(len, 4); i++) s += String.fromCodePoint(0x4e00 + Math.floor(r() * 2000));
    }
    if (seen.has(s)) continue;
    seen.add(s);
    bytes.push(utf8.encode(s));
  }
  bytes.push(null);
  return { bytes, stopIds: [size - 1] };
}
