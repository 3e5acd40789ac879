/**
 * The ONNX Runtime / transformers.js model backend: the only place that touches the library's
 * internals (the ONNX session, the tokenizer's private fields, tensors). Raw logits over the whole
 * vocabulary at every new position, any number of rows per forward. Loading (embedded, Hub, folder)
 * is beside it in ./loading. Runs in the Web Worker (onnxruntime-web) and in Node tests
 * (onnxruntime-node).
 *
 * Prefix caches are KV tensors held per forward ("batches"); a handle is one row of a batch. A
 * forward whose rows are exactly the rows of one batch, in order, feeds that batch's tensors as they
 * are; any other combination gathers the rows into new tensors (on WebGPU through a download and an
 * upload). Forward inputs are built from these tensor maps, never from transformers.js's cache object,
 * whose update disposes replaced GPU tensors (that would destroy a parent's snapshot on WebGPU).
 */
import { logitsToFloat32 } from '../engine/float16.ts';
import { extraFeeds } from './graphInputs.ts';
import { Tensor } from '@huggingface/transformers';
import { EngineError } from '../engine/errors.ts';
import type { BackendCapabilities, BackendStats, ForwardOptions, ForwardResult, ForwardRow, ModelBackend, PrefixCache, RowScores } from '../decoder/backend.ts';
import type { ChatMessage, ModelInfo } from './protocol.ts';
import { guardedChatTokenize, type GuardedChatIds, type TemplateTokenizer } from './chatTokenize.ts';

/** The parts of an ONNX Runtime tensor we use (onnxruntime-web and -node share them). */
export interface OrtTensor {
  readonly dims: readonly number[];
  readonly type: string;
  readonly data: unknown;
  readonly location: string;
  getData(): Promise<unknown>;
  dispose(): void;
}

/** The parts of an ONNX Runtime inference session we use. */
export interface OrtSession {
  inputNames: readonly string[];
  outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>, fetches?: readonly string[]): Promise<Record<string, OrtTensor>>;
  release?(): Promise<void>;
}

/** The parts of a transformers.js tokenizer we use (some are private fields). */
export interface OrtTokenizer {
  encode(text: string, o: { add_special_tokens: boolean }): number[];
  decode(ids: number[], o: { skip_special_tokens: boolean; clean_up_tokenization_spaces: boolean }): string;
  apply_chat_template(m: ChatMessage[], o: { add_generation_prompt: boolean; tokenize: true; return_tensor: false; return_dict: false }): number[];
}

/** The parts of a transformers.js causal LM we use. */
export interface OrtModel {
  dispose(): Promise<unknown>;
  generate(args: Record<string, unknown>): Promise<unknown>;
}

/** KV tensors of one forward: `rows` rows; freed when every row's handle is released. */
class KvBatch {
  constructor(
    readonly past: Record<string, OrtTensor>,
    readonly rows: number,
    public refs: number,
  ) {}
}

/** One row of a KvBatch. */
class OrtCache implements PrefixCache {
  released = false;
  constructor(
    readonly batch: KvBatch,
    readonly row: number,
    readonly length: number,
    readonly bytes: number,
  ) {}
}

/** Logits as float32: raw float16 bit patterns (Uint16Array) are decoded, not read as integers. */
function toFloat32(data: unknown, type: string): Float32Array {
  try {
    return logitsToFloat32(data, type);
  } catch (e) {
    throw new EngineError('unknown', (e as Error).message);
  }
}

/** An int64 ONNX tensor of `values` with shape `dims`. */
export function int64Tensor(values: readonly number[], dims: number[]): OrtTensor {
  return new Tensor('int64', BigInt64Array.from(values, (v) => BigInt(v)), dims).ort_tensor as OrtTensor;
}

export class OrtBackend implements ModelBackend {
  readonly capabilities: BackendCapabilities;
  private forwardCount = 0;
  private disposedTwice = 0;
  private readonly live = new Set<KvBatch>();
  private readonly disposed = new WeakSet<object>();
  /** Names of the session's KV inputs (`past_key_values.*`). */
  readonly kvInputs: string[];
  /** `attentions.{i}` outputs in layer order (empty: the graph has none). */
  private readonly attentionOutputs: string[];
  /** Outputs fetched when no extra output is asked (null: fetch all, the graph has no extras). */
  private readonly plainFetches: string[] | null;

  constructor(
    readonly info: ModelInfo,
    /** The ONNX session (also used by the benchmark hooks, src/worker/testHooks.ts). */
    readonly session: OrtSession,
    private readonly tokenizer: OrtTokenizer,
    /** The transformers.js model (its `generate()` is the benchmark floor). */
    readonly model: OrtModel,
    private readonly kvShape: { heads: number; headDim: number },
    private readonly kvType: 'float32' | 'float16',
  ) {
    this.kvInputs = session.inputNames.filter((n) => n.startsWith('past_key_values.'));
    // optional outputs of graphs exported like tools/model/export.py (issue #20)
    const outs = session.outputNames;
    this.attentionOutputs = [];
    for (let i = 0; outs.includes(`attentions.${i}`); i++) this.attentionOutputs.push(`attentions.${i}`);
    const hasLens = outs.includes('lens_logits');
    const plain = outs.filter((n) => n === 'logits' || n.startsWith('present'));
    this.plainFetches = plain.length < outs.length ? plain : null;
    this.capabilities = {
      scores: 'logits',
      vocabulary: 'full',
      positions: 'all',
      tokens: 'ids',
      maxRows: 4096,
      attention: this.attentionOutputs.length > 0,
      hiddenStates: false,
      lens: hasLens,
      constraints: [],
    };
  }

  async tokenize(text: string, addSpecialTokens: boolean): Promise<number[]> {
    return this.tokenizer.encode(text, { add_special_tokens: addSpecialTokens });
  }

  async decode(ids: readonly number[]): Promise<string> {
    return this.tokenizer.decode([...ids], { skip_special_tokens: false, clean_up_tokenization_spaces: false });
  }

  /**
   * transformers.js `apply_chat_template` (Jinja): the template writes its special tokens (e.g.
   * `<|im_start|>`) as text and the tokenizer maps them to their added-token ids; special-token
   * strings in the messages' own text stay text (chatTokenize.ts). Nothing else is added (no BOS
   * unless the template writes it).
   * @throws EngineError `chat-template` when rendering fails
   */
  async applyChatTemplate(messages: readonly ChatMessage[]): Promise<number[]> {
    return (await this.chatTemplateTokens(messages, false)).ids;
  }

  /** The chat template's ids, with special-token strings in message text matched only when `allowSpecial` (chatTokenize.ts). */
  async chatTemplateTokens(messages: readonly ChatMessage[], allowSpecial: boolean): Promise<GuardedChatIds> {
    try {
      return guardedChatTokenize(this.tokenizer as unknown as TemplateTokenizer, [...messages], allowSpecial);
    } catch (e) {
      throw new EngineError('chat-template', e instanceof Error ? e.message : String(e));
    }
  }

  private disposeOnce(t: OrtTensor): void {
    if (this.disposed.has(t)) {
      this.disposedTwice++;
      return;
    }
    this.disposed.add(t);
    t.dispose();
  }

  private emptyPast(batch: number): Record<string, OrtTensor> {
    const out: Record<string, OrtTensor> = {};
    const { heads, headDim } = this.kvShape;
    for (const n of this.kvInputs) {
      out[n] =
        this.kvType === 'float16'
          ? (new Tensor('float16', new Uint16Array(0), [batch, heads, 0, headDim]).ort_tensor as OrtTensor)
          : (new Tensor('float32', new Float32Array(0), [batch, heads, 0, headDim]).ort_tensor as OrtTensor);
    }
    return out;
  }

  /** The KV tensors a handle's batch holds, and its row (for the benchmark hooks). */
  pastOf(cache: PrefixCache): { past: Record<string, OrtTensor>; row: number; rows: number } {
    const c = cache as OrtCache;
    return { past: c.batch.past, row: c.row, rows: c.batch.rows };
  }

  /** New CPU tensors whose row j is row caches[j].row of caches[j]'s batch. */
  private async gather(caches: OrtCache[]): Promise<Record<string, OrtTensor>> {
    const out: Record<string, OrtTensor> = {};
    for (const name of this.kvInputs) {
      const first = caches[0].batch.past[name];
      const [, H, L, D] = first.dims;
      const rowSize = H * L * D;
      const data = new Map<KvBatch, Float32Array | Uint16Array>();
      for (const c of caches) {
        if (data.has(c.batch)) continue;
        const t = c.batch.past[name];
        data.set(c.batch, (t.location === 'cpu' || t.location === 'cpu-pinned' ? t.data : await t.getData()) as Float32Array | Uint16Array);
      }
      const Ctor = data.get(caches[0].batch) instanceof Uint16Array ? Uint16Array : Float32Array;
      const buf = new Ctor(caches.length * rowSize);
      caches.forEach((c, j) => buf.set(data.get(c.batch)!.subarray(c.row * rowSize, (c.row + 1) * rowSize), j * rowSize));
      out[name] = new Tensor(this.kvType, buf as Float32Array, [caches.length, H, L, D]).ort_tensor as OrtTensor;
    }
    return out;
  }

  /**
   * One ONNX Runtime run over `rows` (see ModelBackend.forward): input ids [rows, T], attention mask
   * of ones, position ids from the prefix length, the rows' KV caches.
   */
  async forward(rows: readonly ForwardRow[], options: ForwardOptions = {}): Promise<ForwardResult> {
    const batch = rows.length;
    if (batch === 0) throw new RangeError('forward needs at least one row');
    if (options.hiddenStates || options.constraint) throw new EngineError('invalid-setting', 'the ONNX backend returns no hidden states and applies no constraints');
    if (options.attention && !this.capabilities.attention) throw new EngineError('invalid-setting', 'this model\'s graph has no attention outputs');
    if (options.lens && !this.capabilities.lens) throw new EngineError('invalid-setting', 'this model\'s graph has no logit-lens output');
    const T = rows[0].tokens.length;
    const pastLength = rows[0].prefix?.length ?? 0;
    for (const r of rows) {
      if (r.tokens.length !== T || (r.prefix?.length ?? 0) !== pastLength) throw new RangeError('forward rows must have the same prefix and token lengths');
      if (r.prefix && (r.prefix as OrtCache).released) throw new EngineError('unknown', 'forward on a released cache');
    }
    if (T < 1) throw new RangeError('forward needs at least one new token per row');
    const total = pastLength + T;
    if (total > this.info.contextLength) {
      throw new EngineError('context-overflow', `sequence of ${total} tokens exceeds the context of ${this.info.contextLength}`);
    }
    const feeds: Record<string, OrtTensor> = {};
    const own: OrtTensor[] = [];
    const names = this.session.inputNames;
    const add = (name: string, t: OrtTensor) => {
      feeds[name] = t;
      own.push(t);
    };
    const flat: number[] = [];
    for (const r of rows) for (const t of r.tokens) flat.push(t);
    add('input_ids', int64Tensor(flat, [batch, T]));
    if (names.includes('attention_mask')) {
      // an entry of 2 (still "attend": the graph tests > 0) switches the gated logit lens on (tools/model/lens_gate.py)
      const mask = new Array(batch * total).fill(1);
      if (options.lens) mask[0] = 2;
      add('attention_mask', int64Tensor(mask, [batch, total]));
    }
    if (names.includes('position_ids')) {
      const pos: number[] = [];
      for (let b = 0; b < batch; b++) for (let t = 0; t < T; t++) pos.push(pastLength + t);
      add('position_ids', int64Tensor(pos, [batch, T]));
    }
    if (this.kvInputs.length) {
      let past: Record<string, OrtTensor>;
      let ownPast = true;
      if (rows[0].prefix === null) past = this.emptyPast(batch);
      else {
        const caches = rows.map((r) => r.prefix as OrtCache);
        const b0 = caches[0].batch;
        if (b0.rows === batch && caches.every((c, i) => c.batch === b0 && c.row === i)) {
          past = b0.past;
          ownPast = false;
        } else past = await this.gather(caches);
      }
      for (const n of this.kvInputs) {
        feeds[n] = past[n];
        if (ownPast) own.push(past[n]);
      }
    }
    // Optimum's merged decoder (use_cache_branch), logits_to_keep inputs (src/worker/graphInputs.ts)
    for (const x of extraFeeds(names, pastLength)) add(x.name, new Tensor(x.type, x.type === 'bool' ? [x.value as boolean] : BigInt64Array.of(BigInt(x.value)), x.dims).ort_tensor as OrtTensor);
    for (const n of names) if (!(n in feeds)) throw new EngineError('model-load', `unsupported model input ${n}`);
    const t0 = performance.now();
    let out: Record<string, OrtTensor>;
    try {
      this.forwardCount++;
      const fetches = this.plainFetches && (options.attention || options.lens) ? [...this.plainFetches, ...(options.attention ? this.attentionOutputs : []), ...(options.lens ? ['lens_logits'] : [])] : this.plainFetches;
      out = fetches ? await this.session.run(feeds, fetches) : await this.session.run(feeds);
    } finally {
      for (const t of own) t.dispose();
    }
    const ms = performance.now() - t0;
    const logitsT = out['logits'];
    const logits = toFloat32(logitsT.location === 'cpu' || logitsT.location === 'cpu-pinned' ? logitsT.data : await logitsT.getData(), logitsT.type);
    logitsT.dispose();
    const present: Record<string, OrtTensor> = {};
    const extra: Record<string, { dims: readonly number[]; values: Float32Array }> = {};
    for (const [k, v] of Object.entries(out)) {
      if (k === 'logits') continue;
      if (k.startsWith('present')) present[k.replace('present', 'past_key_values')] = v;
      else {
        if (k.startsWith('attentions.') || k === 'lens_logits') extra[k] = { dims: [...v.dims], values: toFloat32(v.location === 'cpu' || v.location === 'cpu-pinned' ? v.data : await v.getData(), v.type).slice() };
        v.dispose();
      }
    }
    const V = this.info.vocabSize;
    const all = options.positions === 'all';
    const scores: RowScores[] = [];
    for (let b = 0; b < batch; b++) {
      let values: Float32Array;
      if (batch === 1 && (all || T === 1)) values = logits;
      else if (all) values = logits.subarray(b * T * V, (b + 1) * T * V);
      else if (T === 1) values = logits.subarray(b * V, (b + 1) * V);
      else values = logits.slice((b * T + T - 1) * V, (b * T + T) * V);
      scores.push({ coverage: 'full', kind: 'logits', positions: all ? T : 1, values });
    }
    let caches: PrefixCache[] | null = null;
    if (options.keepCache === false) {
      for (const t of Object.values(present)) t.dispose();
    } else {
      const kv = new KvBatch(present, batch, batch);
      this.live.add(kv);
      let bytes = 0;
      for (const t of Object.values(present)) bytes += t.dims.reduce((a, d) => a * d, 1) * (this.kvType === 'float16' ? 2 : 4);
      caches = Array.from({ length: batch }, (_, b) => new OrtCache(kv, b, total, bytes / batch));
    }
    const result: ForwardResult = { rows: scores, caches, ms };
    if (options.attention) result.attention = this.attentionOutputs.map((n) => extra[n]);
    if (options.lens) {
      const l = extra['lens_logits'];
      if (!l || l.dims[0] === 0) throw new EngineError('unknown', 'the graph gave no logit lens');
      result.lens = l;
    }
    return result;
  }

  release(cache: PrefixCache): void {
    const c = cache as OrtCache;
    if (c.released) {
      this.disposedTwice++;
      return;
    }
    c.released = true;
    if (--c.batch.refs > 0) return;
    for (const t of Object.values(c.batch.past)) this.disposeOnce(t);
    this.live.delete(c.batch);
  }

  /** Counts a forward run outside `forward` (the raw-decode benchmark). */
  countForward(): void {
    this.forwardCount++;
  }

  stats(): BackendStats {
    let live = 0;
    for (const b of this.live) live += Object.keys(b.past).length;
    return { forwardCount: this.forwardCount, disposedTwice: this.disposedTwice, liveTensors: live };
  }

  async dispose(): Promise<void> {
    for (const b of this.live) for (const t of Object.values(b.past)) this.disposeOnce(t);
    this.live.clear();
    await this.model.dispose();
  }
}
