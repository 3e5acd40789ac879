/**
 * Counter-based uniform draws: u is a pure function of a draw key, so stepping
 * back and forward replays the same token, and other branches never shift it.
 *
 * Algorithm `splitmix64-chain-v1`: with SplitMix64's finaliser
 *   mix(z) = z ^= z>>>30; z *= 0xBF58476D1CE4E5B9; z ^= z>>>27; z *= 0x94D049BB133111EB; z ^= z>>>31
 * and step(x) = mix(x + 0x9E3779B97F4A7C15)  (all mod 2^64),
 *   h = step(step(step(step(seed) ^ depth) ^ reroll) ^ stream)
 *   u = (h >>> 11) · 2^-53   ∈ [0, 1)
 * `tools/model/random_reference.py` is an independent implementation used by the
 * known-answer test.
 */
export const RANDOM_ALGORITHM = 'splitmix64-chain-v1';

const MASK = (1n << 64n) - 1n;
const GOLDEN = 0x9e3779b97f4a7c15n;

/** Everything a draw depends on. All fields are non-negative integers < 2^32. */
export interface DrawKey {
  /** User seed. */
  seed: number;
  /** Number of generated tokens before this draw (0 for the first new token). */
  depth: number;
  /** How many times the user re-rolled this node's draw (0 at first). */
  reroll: number;
  /** 0 for the generation path; 1.. for Monte-Carlo samples. */
  stream: number;
}

function step(x: bigint): bigint {
  let z = (x + GOLDEN) & MASK;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK;
  return z ^ (z >> 31n);
}

function checkField(name: string, v: number): bigint {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
    throw new RangeError(`draw key ${name} must be an integer in [0, 2^32): ${v}`);
  }
  return BigInt(v);
}

/**
 * The uniform draw u ∈ [0, 1) for a key (53 random bits).
 * @throws RangeError when a key field is not an integer in [0, 2^32).
 */
export function drawUniform(key: DrawKey): number {
  let h = step(checkField('seed', key.seed));
  h = step(h ^ checkField('depth', key.depth));
  h = step(h ^ checkField('reroll', key.reroll));
  h = step(h ^ checkField('stream', key.stream));
  return Number(h >> 11n) / 2 ** 53;
}
