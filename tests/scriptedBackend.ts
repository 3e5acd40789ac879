/**
 * The scripted test model as a model backend: a deterministic pure function of the last two token ids
 * over a 13-token vocabulary (letters, EOS, an end-of-turn token) instead of a neural network; raw
 * logits only (no attention or hidden states), every position, batched rows. The real decoder runs
 * on it (through the one dispatcher, tests/localClient.ts), so controller tests exercise the same
 * caches, loops and stop rule as the worker.
 */
import { EngineError } from '../src/engine/errors.ts';
import type { BackendCapabilities, BackendStats, ForwardOptions, ForwardResult, ForwardRow, ModelBackend, PrefixCache, RowScores } from '../src/decoder/backend.ts';
import type { ModelInfo } from '../src/worker/protocol.ts';

/**
 * Vocabulary: ids 0..10 are the letters a..k, 11 is EOS (also used as BOS), 12 the end-of-turn token
 * `<|im_end|>` of an instruct model (a stop token like EOS, so every lane's stop rule is exercised).
 */
export const SCRIPTED_PIECES: readonly string[] = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', '</s>', '<|im_end|>'];
export const SCRIPTED_VOCAB = SCRIPTED_PIECES.length;
export const SCRIPTED_EOS = 11;
export const SCRIPTED_EOT = 12;
export const SCRIPTED_CONTEXT = 64;

/** 32-bit integer hash (murmur3-style finaliser over two inputs). */
function mix(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b ^ 0x7f4a7c15, 0xc2b2ae35);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  h = Math.imul(h, 0x297a2d39);
  h ^= h >>> 15;
  return h >>> 0;
}

/**
 * The scripted model: next-token logits after `ids` (Float32Array of length
 * SCRIPTED_VOCAB), a pure function of the last two ids. Rows come in five
 * shapes so distributions vary: one sharp peak, quantised values with many
 * ties, smooth values, nearly flat, and a two-way tie at the top. All values
 * are multiples of 1/4 (exact in float32) except the smooth rows.
 */
export function logitsFor(ids: readonly number[]): Float32Array {
  const a = ids.length >= 2 ? ids[ids.length - 2] : -1;
  const b = ids.length >= 1 ? ids[ids.length - 1] : -1;
  let h = mix(a + 2, b + 2);
  const next = (): number => (h = mix(h, 0x5bd1e995));
  const pick = (n: number): number => next() % n;
  const out = new Float32Array(SCRIPTED_VOCAB);
  const kind = h % 5;
  switch (kind) {
    case 0: // peaked
      for (let i = 0; i < out.length; i++) out[i] = -3 + pick(17) / 4;
      out[SCRIPTED_EOS] = -2 + pick(9) / 4;
      out[pick(SCRIPTED_VOCAB)] = 9;
      break;
    case 1: // quantised: many ties
      for (let i = 0; i < out.length; i++) out[i] = [-1, 0, 0.5, 2][pick(4)];
      break;
    case 2: // smooth
      for (let i = 0; i < out.length; i++) out[i] = (next() / 2 ** 32) * 6 - 3;
      out[SCRIPTED_EOS] = -1.5 + (next() / 2 ** 32) * 2;
      break;
    case 3: // nearly flat: two tied favourites
      out.fill(0.25);
      out[pick(SCRIPTED_VOCAB)] = 1.5;
      out[pick(SCRIPTED_VOCAB)] = 1.5;
      break;
    default: {
      // two-way tie at the top, negative tail
      for (let i = 0; i < out.length; i++) out[i] = -4 + pick(17) / 4;
      const x = pick(SCRIPTED_VOCAB - 1);
      out[x] = 5;
      out[(x + 1 + pick(SCRIPTED_VOCAB - 2)) % (SCRIPTED_VOCAB - 1)] = 5;
      break;
    }
  }
  return out;
}

/** The scripted tokenizer: letters a..k become ids 0..10; every other character (special tokens' text included) is ignored; no special tokens added. */
export function scriptedTokenize(text: string): number[] {
  const ids: number[] = [];
  for (const ch of text) {
    const i = SCRIPTED_PIECES.indexOf(ch);
    if (i >= 0 && i < SCRIPTED_EOS) ids.push(i);
  }
  return ids;
}

/** ModelInfo of the scripted model, as the worker would report it. */
export function scriptedModelInfo(id: string, sourceKind: ModelInfo['sourceKind'], contextLength = SCRIPTED_CONTEXT): ModelInfo {
  const enc = new TextEncoder();
  const chunks = SCRIPTED_PIECES.map((p) => enc.encode(p));
  const offsets = new Uint32Array(SCRIPTED_VOCAB + 1);
  let off = 0;
  chunks.forEach((c, i) => {
    offsets[i] = off;
    off += c.length;
  });
  offsets[SCRIPTED_VOCAB] = off;
  const vocabBytes = new Uint8Array(off);
  chunks.forEach((c, i) => vocabBytes.set(c, offsets[i]));
  const special = new Uint8Array(SCRIPTED_VOCAB);
  special[SCRIPTED_EOS] = 1;
  special[SCRIPTED_EOT] = 1;
  return {
    id,
    sourceKind,
    modelType: 'scripted',
    vocabSize: SCRIPTED_VOCAB,
    contextLength,
    bosTokenId: SCRIPTED_EOS,
    eosTokenId: SCRIPTED_EOS,
    device: 'wasm',
    dtype: 'fp32',
    threads: 1,
    crossOriginIsolated: false,
    fallbackReason: null,
    vocabBytes,
    vocabOffsets: offsets,
    vocabPieces: [...SCRIPTED_PIECES],
    special,
    pieceEncoding: 'plain',
    // no template (the scripted tokenizer reads letters only), but the end-of-turn token is in the vocabulary
    hasChatTemplate: false,
    endOfTurnTokenId: SCRIPTED_EOT,
    modelCard: null,
    fingerprint: null,
  };
}

/**
 * A scripted "KV cache": how many ids it covers and the last two of them (the model is a function of
 * the last two ids, so that is all a continuation needs; keeping every id would make each forward
 * cost the whole sequence, which a real KV cache does not on the main thread's side).
 */
class ScriptedCache implements PrefixCache {
  released = false;
  constructor(
    readonly length: number,
    readonly tail: readonly number[],
  ) {}
  get bytes(): number {
    return this.length * 64;
  }
}

export class ScriptedBackend implements ModelBackend {
  info: ModelInfo;
  readonly capabilities: BackendCapabilities = {
    scores: 'logits',
    vocabulary: 'full',
    positions: 'all',
    tokens: 'ids',
    maxRows: 1024,
    attention: false,
    hiddenStates: false,
    constraints: [],
  };
  private forwardCount = 0;
  private disposedTwice = 0;
  private live = 0;

  constructor(info: ModelInfo = scriptedModelInfo('scripted', 'embedded')) {
    this.info = info;
  }

  async tokenize(text: string): Promise<number[]> {
    return scriptedTokenize(text);
  }

  async decode(ids: readonly number[]): Promise<string> {
    return ids.map((i) => SCRIPTED_PIECES[i] ?? '').join('');
  }

  /** One "forward pass": for every row, the logits after each new token on top of the prefix's ids (asynchronous, as an ONNX run). */
  async forward(rows: readonly ForwardRow[], options: ForwardOptions = {}): Promise<ForwardResult> {
    if (options.attention || options.hiddenStates || options.constraint) throw new EngineError('invalid-setting', 'the scripted model gives logits only');
    const V = SCRIPTED_VOCAB;
    const all = options.positions === 'all';
    const seqs = rows.map((r) => {
      const c = r.prefix as ScriptedCache | null;
      if (c?.released) throw new EngineError('unknown', 'forward on a released cache');
      const from = c ? c.length : 0;
      const length = from + r.tokens.length;
      if (length > this.info.contextLength) {
        throw new EngineError('context-overflow', `sequence of ${length} tokens exceeds the context of ${this.info.contextLength}`);
      }
      // the prefix's last ids, then the new tokens: window[w] is the id at position length − window.length + w
      const window = [...(c ? c.tail : []), ...r.tokens];
      return { window, from, length };
    });
    await Promise.resolve(); // the ONNX run is asynchronous: other messages may be handled meanwhile
    this.forwardCount++;
    const scores: RowScores[] = seqs.map(({ window, from, length }) => {
      const first = all ? from : length - 1;
      const values = new Float32Array((length - first) * V);
      for (let t = first; t < length; t++) {
        const w = t - (length - window.length);
        values.set(logitsFor(window.slice(Math.max(0, w - 1), w + 1)), (t - first) * V);
      }
      return { coverage: 'full', kind: 'logits', positions: length - first, values };
    });
    let caches: PrefixCache[] | null = null;
    if (options.keepCache !== false) {
      caches = seqs.map(({ window, length }) => new ScriptedCache(length, window.slice(-2)));
      this.live += caches.length;
    }
    return { rows: scores, caches, ms: 1 };
  }

  release(cache: PrefixCache): void {
    const c = cache as ScriptedCache;
    if (c.released) {
      this.disposedTwice++;
      return;
    }
    c.released = true;
    this.live--;
  }

  stats(): BackendStats {
    // two "tensors" (key and value) per live cache, like a one-layer model
    return { forwardCount: this.forwardCount, disposedTwice: this.disposedTwice, liveTensors: this.live * 2 };
  }

  async dispose(): Promise<void> {}
}
