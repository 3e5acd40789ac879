/**
 * Hashes of token-id prefixes (FNV-1a style over ids + 1, 32-bit): the node cache keys every entry
 * by the length and hash of the ids it covers, so an entry asked for with other ids is never served.
 * A caller that keeps a sequence's prefix hashes as the sequence grows (the worker's main-lane path
 * register, worker/pathDelta.ts) hands them over with {@link rememberPrefixHashes}, and a lookup then
 * costs nothing instead of one pass over a 2,000-token path per request (issue #19).
 */

/** Hash of the empty prefix. */
export const PREFIX_HASH_SEED = 0x811c9dc5;

/** Hash of `prefix + [id]` from the hash `h` of `prefix` (unsigned 32-bit). */
export function extendPrefixHash(h: number, id: number): number {
  return Math.imul(h ^ (id + 1), 0x01000193) >>> 0;
}

const known = new WeakMap<readonly number[], Uint32Array>();

/**
 * Records `hashes` (length ids.length + 1, out[n] covers ids[0..n)) as the prefix hashes of `ids`.
 * `ids` must never change afterwards: it is frozen here (a write throws).
 * @throws RangeError when the lengths do not match
 */
export function rememberPrefixHashes(ids: readonly number[], hashes: Uint32Array): void {
  if (hashes.length !== ids.length + 1) throw new RangeError(`${hashes.length} prefix hashes for ${ids.length} ids`);
  Object.freeze(ids);
  known.set(ids, hashes);
}

/** Hashes of every prefix of `ids`: out[n] covers ids[0..n) (the remembered ones, else one pass). */
export function prefixHashes(ids: readonly number[]): Uint32Array {
  const k = known.get(ids);
  if (k) return k;
  const out = new Uint32Array(ids.length + 1);
  let h = PREFIX_HASH_SEED;
  out[0] = h;
  for (let i = 0; i < ids.length; i++) {
    h = extendPrefixHash(h, ids[i]);
    out[i + 1] = h;
  }
  return out;
}
