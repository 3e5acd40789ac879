/**
 * UTF-8 byte sequences of a code-point range: [lo, hi] becomes a list of sequences of byte ranges
 * such that the concatenated byte ranges match exactly the UTF-8 encodings of the code points in the
 * range. Surrogates (U+D800–U+DFFF) have no UTF-8 encoding and are dropped. The algorithm is that of
 * Rust's `regex-syntax` `Utf8Sequences` (split at encoding-length boundaries, then until every
 * continuation byte spans its full range or a single prefix).
 */

/** An inclusive byte range. */
export type ByteRange = readonly [min: number, max: number];

/** UTF-8 encoding of one code point (no surrogates). */
export function encodeUtf8(cp: number): number[] {
  if (cp < 0x80) return [cp];
  if (cp < 0x800) return [0xc0 | (cp >> 6), 0x80 | (cp & 0x3f)];
  if (cp < 0x10000) return [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)];
  return [0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)];
}

/**
 * Byte-range sequences for the code points lo..hi.
 * @throws RangeError when the range is empty or outside 0..0x10FFFF
 */
export function utf8Sequences(lo: number, hi: number): ByteRange[][] {
  if (!(Number.isInteger(lo) && Number.isInteger(hi) && 0 <= lo && lo <= hi && hi <= 0x10ffff)) {
    throw new RangeError(`code point range must satisfy 0 ≤ lo ≤ hi ≤ 0x10FFFF: ${lo}..${hi}`);
  }
  const out: ByteRange[][] = [];
  const stack: [number, number][] = [[lo, hi]];
  outer: while (stack.length > 0) {
    const [s, e] = stack.pop() as [number, number];
    if (s <= 0xdfff && e >= 0xd800) {
      if (s < 0xd800) stack.push([s, 0xd7ff]);
      if (e > 0xdfff) stack.push([0xe000, e]);
      continue;
    }
    for (const max of [0x7f, 0x7ff, 0xffff]) {
      if (s <= max && max < e) {
        stack.push([max + 1, e], [s, max]);
        continue outer;
      }
    }
    if (e <= 0x7f) {
      out.push([[s, e]]);
      continue;
    }
    for (let i = 1; i < 4; i++) {
      const m = (1 << (6 * i)) - 1;
      if ((s & ~m) !== (e & ~m)) {
        if ((s & m) !== 0) {
          stack.push([(s | m) + 1, e], [s, s | m]);
          continue outer;
        }
        if ((e & m) !== m) {
          stack.push([e & ~m, e], [s, (e & ~m) - 1]);
          continue outer;
        }
      }
    }
    const a = encodeUtf8(s);
    const b = encodeUtf8(e);
    out.push(a.map((x, j) => [x, b[j]] as const));
  }
  return out;
}
