/**
 * Property tests: sampling at T = 2 under a constraint, over random seeds, on the embedded model's
 * vocabulary with seeded random logits (the mask does not depend on where the logits come from).
 * Every finished text must be in the language as an independent checker sees it: JavaScript's own
 * RegExp (full match, `u` flag) for regexes, ajv (JSON Schema draft-07 validator) for schemas.
 */
import { describe, expect, it } from 'vitest';
import Ajv from 'ajv';
import { constraintMasker, type ConstraintSpec } from './constraint.ts';
import type { TokenMasker } from './tokenMask.ts';
import { buildVocabTrie } from './vocabTrie.ts';
import { drawUniform } from '../random.ts';
import { sampleToken } from '../sampling.ts';
import { embeddedVocab, rng } from '../../../tests/constraintVocab.ts';

const vocab = embeddedVocab();
const trie = buildVocabTrie(vocab.bytes);
const decoder = new TextDecoder('utf-8', { fatal: true });
const T = 2;

interface Generated {
  text: string;
  complete: boolean;
}

/** Samples until a stop token or maxSteps: logits ~ seeded noise, masked, divided by T, softmax, inverse-CDF draw. */
function generate(masker: TokenMasker, seed: number, maxSteps: number): Generated {
  const r = rng(seed);
  const out: number[] = [];
  let state = 0;
  for (let step = 0; step < maxSteps; step++) {
    const logits = new Float64Array(vocab.bytes.length);
    for (let i = 0; i < logits.length; i++) logits[i] = 4 * (r() + r() + r() - 1.5);
    masker.applyToLogits(logits, state);
    let max = -Infinity;
    for (const l of logits) max = Math.max(max, l);
    const probs = new Float64Array(logits.length);
    let sum = 0;
    for (let i = 0; i < logits.length; i++) sum += probs[i] = Math.exp((logits[i] - max) / T);
    for (let i = 0; i < probs.length; i++) probs[i] /= sum;
    const id = sampleToken(probs, drawUniform({ seed, depth: step, reroll: 0, stream: 0 })).tokenId;
    if (vocab.stopIds.includes(id)) {
      expect(masker.isComplete(state)).toBe(true);
      return { text: decoder.decode(Uint8Array.from(out)), complete: true };
    }
    const b = vocab.bytes[id] as Uint8Array;
    state = masker.advance(state, b);
    // every step keeps the text a prefix of some word of the language
    expect(state).toBeGreaterThanOrEqual(0);
    out.push(...b);
  }
  return { text: new TextDecoder().decode(Uint8Array.from(out)), complete: false };
}

const SEEDS = Array.from({ length: 30 }, (_, i) => i + 1);

describe('regex constraint at T = 2: every finished text is a JavaScript RegExp full match', () => {
  it.each([
    ['yes|no|maybe', true],
    ['[A-Z][a-z]{2,7} [0-9]{1,4}', true],
    ['[a-z]{1,8}@[a-z]{2,6}\\.(com|org)', true],
    ['(中文|english|français){1,3}', true],
    ['-?[0-9]{1,5}(\\.[0-9]{1,3})?', true],
    ['\\p{Script=Han}{1,4}。', true],
    ['(ab|c)+d', false],
  ])('%s', (source, finite) => {
    const masker = constraintMasker({ kind: 'regex', text: source }, trie, vocab.stopIds) as TokenMasker;
    const re = new RegExp(`^(?:${source})$`, 'u');
    let complete = 0;
    for (const seed of SEEDS) {
      const g = generate(masker, seed, 80);
      if (!g.complete) continue;
      complete++;
      expect(re.test(g.text), g.text).toBe(true);
    }
    // a finite language always ends (each token adds at least one byte)
    if (finite) expect(complete).toBe(SEEDS.length);
    else expect(complete).toBeGreaterThan(0);
  });
});

describe('JSON-schema constraint at T = 2: every finished text parses and validates with ajv', () => {
  const schemas: [string, object, number | undefined][] = [
    [
      'object with typed properties',
      { type: 'object', properties: { name: { type: 'string', maxLength: 8 }, age: { type: 'integer' }, member: { type: 'boolean' } }, required: ['name', 'age'], additionalProperties: false },
      undefined,
    ],
    ['array of an enum', { type: 'array', items: { enum: ['red', 'green', 'blue'] }, minItems: 1, maxItems: 4 }, 2],
    [
      'nested to depth 4 with patterns',
      {
        type: 'object',
        properties: {
          user: { type: 'object', properties: { id: { type: 'integer' }, tags: { type: 'array', items: { type: 'object', properties: { t: { type: 'string', pattern: '^[a-z]{1,5}$' } }, required: ['t'] }, maxItems: 3 } }, required: ['id', 'tags'] },
          score: { type: 'number' },
          note: { type: 'null' },
        },
        required: ['user'],
      },
      1,
    ],
    ['escapes, const and numbers', { type: 'object', properties: { s: { type: 'string', minLength: 1, maxLength: 4 }, v: { const: [2, 'x'] }, n: { type: 'number' } }, required: ['s', 'v', 'n'] }, 1],
  ];
  it.each(schemas)('%s', (_name, schema, maxWhitespace) => {
    const spec: ConstraintSpec = { kind: 'json', text: JSON.stringify(schema) };
    const masker = constraintMasker(spec, trie, vocab.stopIds, { maxWhitespace }) as TokenMasker;
    const validate = new Ajv({ strict: true }).compile(schema);
    let complete = 0;
    for (const seed of SEEDS) {
      const g = generate(masker, seed, 150);
      if (!g.complete) continue;
      complete++;
      const value: unknown = JSON.parse(g.text);
      expect(validate(value), `${g.text} ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    expect(complete).toBeGreaterThanOrEqual(SEEDS.length * 0.8);
  });
});
