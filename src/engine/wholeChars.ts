/**
 * Whole characters from byte tokens, for the quiz and the class vote.
 *
 * A byte-level tokenizer spells a rare character (智 = e6 99 ba) as several tokens, so a step's
 * distribution may offer "e6 99" — a byte, not something a student can guess. These helpers merge
 * consecutive byte tokens into the character they complete: an option is a token path whose bytes
 * (after the context's unfinished bytes) end on a character boundary, and its probability is the
 * product of the model probabilities of the tokens along the path (chain rule:
 * P(智) = P(e6 99 | context) · P(ba | context, e6 99)). Only the tokenizer's own path for a text
 * counts: other token paths that spell the same character (e.g. three single bytes) are ignored,
 * so the sum over all spellings is not what is shown.
 *
 * Pure: no model, no tokenizer; the caller fetches the distributions and tokenizations.
 */

/** Length of a UTF-8 sequence from its lead byte; 0 for a continuation or invalid byte. */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead < 0xe0) return 2;
  if (lead >= 0xe0 && lead < 0xf0) return 3;
  if (lead >= 0xf0 && lead < 0xf5) return 4;
  return 0;
}

const isContinuation = (b: number) => b >= 0x80 && b < 0xc0;

/**
 * Where a run of bytes ends: on a character boundary (`whole`), inside a character that later
 * bytes can still finish (`incomplete`), or on bytes that can never form a character (`invalid`,
 * e.g. a continuation byte with no lead, or a lead byte followed by a non-continuation).
 * The empty run is `whole`.
 */
export type Utf8End = 'whole' | 'incomplete' | 'invalid';

/** Classifies a run of bytes (see {@link Utf8End}). */
export function utf8End(bytes: ArrayLike<number>): Utf8End {
  let i = 0;
  while (i < bytes.length) {
    const len = sequenceLength(bytes[i]);
    if (len === 0) return 'invalid';
    for (let j = 1; j < len; j++) {
      if (i + j >= bytes.length) return 'incomplete';
      if (!isContinuation(bytes[i + j])) return 'invalid';
    }
    i += len;
  }
  return 'whole';
}

/**
 * The unfinished character at the end of a text's bytes: the bytes after the last character
 * boundary when they are a valid, incomplete start of a character; empty otherwise (the text ends
 * on a boundary, or its tail is invalid and can never be finished).
 * @param bytes the context's bytes (prompt and generated tokens, in order)
 */
export function pendingTail(bytes: ArrayLike<number>): number[] {
  // a character is at most 4 bytes: look at the last 3 for a lead byte
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const b = bytes[bytes.length - back];
    if (isContinuation(b)) continue;
    const len = sequenceLength(b);
    if (len > back) return Array.from({ length: back }, (_, k) => bytes[bytes.length - back + k]);
    return [];
  }
  return [];
}

/** One candidate token path from a step. */
export interface TokenPath {
  /** Token ids after the context, in order. */
  tokenIds: number[];
  /** Product of the model probabilities of the tokens along the path (0..1). */
  prob: number;
}

/** A whole-character (or whole-word) option. */
export interface WholeOption extends TokenPath {
  /** The decoded text of the path (the context's unfinished bytes included). */
  text: string;
}

const strict = new TextDecoder('utf-8', { fatal: true });

/**
 * Sorts candidate paths into those that end on a character boundary (with their text), those that
 * stop inside a character (to be extended by one more token), and drops invalid ones.
 * @param pending the context's unfinished bytes ({@link pendingTail})
 * @param bytesOf the bytes of a token (special tokens: their own spelling's bytes)
 */
export function splitPaths(
  paths: readonly TokenPath[],
  pending: readonly number[],
  bytesOf: (tokenId: number) => ArrayLike<number>,
): { whole: WholeOption[]; open: TokenPath[] } {
  const whole: WholeOption[] = [];
  const open: TokenPath[] = [];
  for (const p of paths) {
    const bytes = [...pending];
    for (const id of p.tokenIds) bytes.push(...Array.from(bytesOf(id)));
    const end = utf8End(bytes);
    if (end === 'whole') whole.push({ ...p, text: strict.decode(Uint8Array.from(bytes)) });
    else if (end === 'incomplete') open.push(p);
  }
  return { whole, open };
}

/**
 * Extends an open path by each token of the distribution after it.
 * @param next the distribution after context + path: token ids with model probabilities
 * @returns one path per next token, probability multiplied (chain rule)
 */
export function extendPath(path: TokenPath, next: readonly { tokenId: number; prob: number }[]): TokenPath[] {
  return next.map((n) => ({ tokenIds: [...path.tokenIds, n.tokenId], prob: path.prob * n.prob }));
}

/**
 * The options a student sees: whole paths that are the tokenizer's own spelling of their text
 * (other spellings are dropped, not added), one per text, most probable first (ties: shorter path,
 * then lower first id).
 * @param isOwnPath true when tokenizing `text` after the context gives exactly `tokenIds`
 * @throws RangeError when a probability is outside [0, 1]
 */
export function wholeOptions(whole: readonly WholeOption[], isOwnPath: (text: string, tokenIds: readonly number[]) => boolean): WholeOption[] {
  const byText = new Map<string, WholeOption>();
  for (const o of whole) {
    if (!(o.prob >= 0 && o.prob <= 1)) throw new RangeError(`path probability must be in [0, 1]: ${o.prob}`);
    if (!isOwnPath(o.text, o.tokenIds)) continue;
    const held = byText.get(o.text);
    if (!held || o.prob > held.prob) byText.set(o.text, o);
  }
  return [...byText.values()].sort((a, b) => b.prob - a.prob || a.tokenIds.length - b.tokenIds.length || a.tokenIds[0] - b.tokenIds[0]);
}

/**
 * A stable numeric key for an option: the token id when the option is one token, else a negative
 * number from its position in `options` (−1 for the first). Votes and quiz answers are keyed by it.
 */
export function optionKey(option: TokenPath, index: number): number {
  return option.tokenIds.length === 1 ? option.tokenIds[0] : -1 - index;
}

/**
 * The first node, walking from `from` towards the cursor along `path` (node ids root → cursor),
 * whose context ends on a character boundary; null when every node from `from` on ends inside a
 * character (the next whole-character step is not generated yet).
 * @param pendingAt the context's unfinished bytes at a node ({@link pendingTail})
 */
export function nextWholePosition(path: readonly number[], from: number, pendingAt: (nodeId: number) => readonly number[]): number | null {
  const start = path.indexOf(from);
  if (start < 0) throw new RangeError(`node ${from} is not on the path`);
  for (let i = start; i < path.length; i++) if (pendingAt(path[i]).length === 0) return path[i];
  return null;
}
