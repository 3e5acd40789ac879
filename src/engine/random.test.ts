import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { drawUniform } from './random.ts';

// Known answers from tools/model/random_reference.py (an independent Python implementation).
const known: { key: [number, number, number, number]; u: number }[] = JSON.parse(
  readFileSync(new URL('../../tools/model/reference/random-draws.json', import.meta.url), 'utf8'),
);

describe('drawUniform(key)', () => {
  it.each(known)('matches the Python reference for key $key', ({ key, u }) => {
    const [seed, depth, reroll, stream] = key;
    expect(drawUniform({ seed, depth, reroll, stream })).toBe(u);
  });

  it('is a pure function of the key', () => {
    const k = { seed: 3, depth: 5, reroll: 0, stream: 0 };
    expect(drawUniform(k)).toBe(drawUniform({ ...k }));
    expect(drawUniform({ ...k, reroll: 1 })).not.toBe(drawUniform(k));
  });

  it('is roughly uniform over 20,000 keys', () => {
    const bins = new Array(10).fill(0);
    for (let d = 0; d < 20000; d++) bins[Math.floor(drawUniform({ seed: 1, depth: d, reroll: 0, stream: 0 }) * 10)]++;
    for (const b of bins) expect(Math.abs(b - 2000)).toBeLessThan(200);
  });

  it.each([[-1], [1.5], [2 ** 32], [NaN]])('rejects seed %s', (seed) => {
    expect(() => drawUniform({ seed, depth: 0, reroll: 0, stream: 0 })).toThrow(RangeError);
  });
});
