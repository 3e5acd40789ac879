/**
 * Vocabularies for the constraint tests and bench (test support, not used by the app): the embedded
 * model's byte-level vocabulary read from its tokenizer.json and a small hand-made one (synthetic
 * vocabularies of a given size are in src/engine/constraint/benchMask.ts).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pieceBytes } from '../src/engine/tokens.ts';
import type { ByteVocab } from '../src/engine/constraint/benchMask.ts';

export { rng, syntheticVocab, type ByteVocab } from '../src/engine/constraint/benchMask.ts';


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
