/**
 * Benchmark of the constraint mask against the distribution math (P5's `computeStep`), on synthetic
 * byte vocabularies shaped like BPE vocabularies (GPT-2: 50,257; Qwen2: 151,936). Issue #21's
 * targets: mask time per step ÷ distribution math ≤ 1.0 at 50,257 and ≤ 1.5 at 151,936.
 */
import { computeStep } from '../fastStep.ts';
import { drawUniform } from '../random.ts';
import { HF_ORDER } from '../settings.ts';
import { constraintMasker, type ConstraintSpec } from './constraint.ts';
import type { TokenMasker } from './tokenMask.ts';
import { buildVocabTrie } from './vocabTrie.ts';

/** A vocabulary as the constraint stage sees it. */
export interface ByteVocab {
  /** bytes[id] = the token's bytes; null for special tokens. */
  bytes: (Uint8Array | null)[];
  /** EOS / end-of-turn ids. */
  stopIds: number[];
}

/** mulberry32, a small seeded generator for synthetic data (not the app's draw generator). */
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

const utf8 = new TextEncoder();

/**
 * A synthetic byte vocabulary of `size` tokens: the 256 single bytes, then distinct ASCII words
 * (frequent letters first, half with a leading space), digit runs, JSON punctuation runs and CJK
 * strings, 2–12 bytes; the last id is EOS (no bytes).
 */
export function syntheticVocab(size: number, seed = 1): ByteVocab {
  const r = rng(seed);
  const bytes: (Uint8Array | null)[] = [];
  for (let b = 0; b < 256; b++) bytes.push(Uint8Array.of(b));
  const seen = new Set<string>();
  const letters = 'etaoinshrdlucmfwypvbgkjqxz';
  while (bytes.length < size - 1) {
    const kind = r();
    const len = 2 + Math.floor(r() * r() * 10);
    let s = '';
    if (kind < 0.7) {
      if (r() < 0.5) s = ' ';
      for (let i = 0; i < len; i++) s += letters[Math.floor(r() * r() * 26)];
    } else if (kind < 0.8) {
      for (let i = 0; i < Math.min(len, 4); i++) s += String(Math.floor(r() * 10));
    } else if (kind < 0.9) {
      for (let i = 0; i < Math.min(len, 3); i++) s += '{}[]",:. \n'[Math.floor(r() * 10)];
    } else {
      for (let i = 0; i < Math.min(len, 4); i++) s += String.fromCodePoint(0x4e00 + Math.floor(r() * 2000));
    }
    if (seen.has(s)) continue;
    seen.add(s);
    bytes.push(utf8.encode(s));
  }
  bytes.push(null);
  return { bytes, stopIds: [size - 1] };
}

/** The constraint the bench follows: a JSON object with strings, numbers, an enum and an array. */
export const BENCH_SCHEMA: ConstraintSpec = {
  kind: 'json',
  text: JSON.stringify({
    type: 'object',
    properties: {
      name: { type: 'string', maxLength: 16 },
      age: { type: 'integer' },
      city: { enum: ['Paris', 'Beijing', 'Lagos'] },
      scores: { type: 'array', items: { type: 'number' }, maxItems: 3 },
    },
    required: ['name', 'age', 'city', 'scores'],
  }),
};

/** Per-step times (ms) of one bench run. */
export interface MaskBench {
  vocabSize: number;
  trieNodes: number;
  /** Trie + automaton build (once per vocabulary and constraint). */
  buildMs: number;
  /** Mask by a fresh trie walk (the first visit of a state). */
  walkMs: number[];
  /** The stage as a step pays it when the state's mask is cached: lookup + masking the logits. */
  applyMs: number[];
  /** computeStep on the same logits (P5's settings). */
  mathMs: number[];
  /** Bytes of the followed text (the path is greedy under the mask). */
  text: string;
}

/**
 * Follows the constraint greedily for `steps` steps over Zipf-like logits (P5's shape, fresh noise each step), timing at each step the
 * walk, the cached mask + application, and computeStep.
 * @param now the clock in ms (the engine has no timer of its own)
 */
export function benchMask(vocab: ByteVocab, steps: number, now: () => number, spec: ConstraintSpec = BENCH_SCHEMA): MaskBench {
  const V = vocab.bytes.length;
  const t0 = now();
  const trie = buildVocabTrie(vocab.bytes);
  // whitespace runs of at most 1: greedy decoding over noise would otherwise pad forever
  const masker = constraintMasker(spec, trie, vocab.stopIds, { maxWhitespace: 1 }) as TokenMasker;
  const buildMs = now() - t0;
  const logits = new Float32Array(V);
  const base = new Float32Array(V);
  for (let i = 0; i < V; i++) base[i] = 12 - 1.2 * Math.log(1 + Math.floor(drawUniform({ seed: 6, depth: i, reroll: 0, stream: 1 }) * V));
  const noise = rng(5);
  const context = Array.from({ length: 200 }, (_, i) => (i * 7919) % V);
  const settings = { temperature: 0.8, topK: 50, topP: 0.9, minP: 0.05, repetitionPenalty: 1.3, order: HF_ORDER };
  const work = new Float64Array(V);
  const out: number[] = [];
  const walkMs: number[] = [];
  const applyMs: number[] = [];
  const mathMs: number[] = [];
  let state = 0;
  let sink = 0;
  for (let step = 0; step < steps; step++) {
    for (let i = 0; i < V; i++) logits[i] = base[i] + 4 * (noise() - 0.5);
    const a = now();
    sink += masker.walk(state)[0];
    walkMs.push(now() - a);
    masker.mask(state);
    work.set(logits);
    const b = now();
    masker.applyToLogits(work, state);
    applyMs.push(now() - b);
    const c = now();
    const { record } = computeStep(logits, context, settings, 50, [], { kind: 'sample', u: drawUniform({ seed: 1, depth: step, reroll: 0, stream: 0 }) });
    mathMs.push(now() - c);
    sink += record.restMass[0];
    // greedy under the mask
    let best = -1;
    for (let i = 0; i < V; i++) if (work[i] > -Infinity && (best < 0 || work[i] > work[best])) best = i;
    if (vocab.stopIds.includes(best)) break;
    state = masker.advance(state, vocab.bytes[best]);
    out.push(...(vocab.bytes[best] as Uint8Array));
  }
  if (sink === -1) walkMs.push(0); // keeps the work observable
  return { vocabSize: V, trieNodes: trie.nodeCount, buildMs, walkMs, applyMs, mathMs, text: new TextDecoder().decode(Uint8Array.from(out)) };
}

/**
 * The costliest mask: a fresh walk at the state after `prefix` (inside a JSON string almost every
 * token is allowed, so the walk visits nearly the whole trie), alternated `reps` times with
 * computeStep on P5's logits of the same size.
 * @returns per-repetition ms of the walk and of computeStep, and how many tokens the mask allows
 */
export function benchWorstWalk(vocab: ByteVocab, prefix: string, reps: number, now: () => number, spec: ConstraintSpec = BENCH_SCHEMA): { walkMs: number[]; mathMs: number[]; allowed: number } {
  const V = vocab.bytes.length;
  const masker = constraintMasker(spec, buildVocabTrie(vocab.bytes), vocab.stopIds, { maxWhitespace: 1 }) as TokenMasker;
  const state = masker.advance(0, utf8.encode(prefix));
  if (state < 0) throw new RangeError(`prefix is outside the constraint: ${prefix}`);
  const logits = new Float32Array(V);
  for (let i = 0; i < V; i++) logits[i] = 12 - 1.2 * Math.log(1 + Math.floor(drawUniform({ seed: 6, depth: i, reroll: 0, stream: 1 }) * V)) + (drawUniform({ seed: 5, depth: i, reroll: 0, stream: 1 }) - 0.5);
  const context = Array.from({ length: 200 }, (_, i) => (i * 7919) % V);
  const settings = { temperature: 0.8, topK: 50, topP: 0.9, minP: 0.05, repetitionPenalty: 1.3, order: HF_ORDER };
  const walkMs: number[] = [];
  const mathMs: number[] = [];
  let allowed = 0;
  let sink = 0;
  for (let r = 0; r < reps; r++) {
    const a = now();
    const mask = masker.walk(state);
    walkMs.push(now() - a);
    if (r === 0) for (let i = 0; i < V; i++) allowed += mask[i];
    const b = now();
    sink += computeStep(logits, context, settings, 50, [], { kind: 'sample', u: drawUniform({ seed: 1, depth: r, reroll: 0, stream: 0 }) }).record.restMass[0];
    mathMs.push(now() - b);
  }
  if (sink === -1) walkMs.push(0);
  return { walkMs, mathMs, allowed };
}
