/**
 * The model session behind the worker: loads a tokenizer + causal LM with
 * transformers.js, runs single forward passes on the ONNX Runtime session, owns
 * the per-node KV-cache snapshots, and calls src/engine for all math.
 * Runs in the Web Worker and, for integration tests, in Node.
 */
import { AutoConfig, AutoModelForCausalLM, AutoTokenizer, Tensor, env } from '@huggingface/transformers';
import { finalProbs, runProcessors, tokenStat, type DistributionRecord } from '../engine/distribution.ts';
import { decideStep, effectiveSettings, type StepChoice, type StepInput } from '../engine/step.ts';
import { beamLogprobs, beamStep, initialBeamState, type BeamHypothesis } from '../engine/beam.ts';
import { validateBeamSettings, validateSamplingSettings } from '../engine/settings.ts';
import { EngineError } from '../engine/errors.ts';
import { logSoftmax } from '../engine/softmax.ts';
import { rankOf, topIndices } from '../engine/order.ts';
import { pieceBytes, type PieceEncoding } from '../engine/tokens.ts';
import { monteCarloHistogram, type McHistogram } from '../engine/monteCarlo.ts';
import { growLevel, startMcTree, type McFrontierRow, type McTreeNode } from '../engine/mcTree.ts';
import { logitsToFloat32 } from '../engine/float16.ts';
import { planLoad, defaultDtype } from '../models/loadPlan.ts';
import { sourceListing } from '../models/sourceListing.ts';
import { hostProblem } from '../models/hubHost.ts';
import { extraFeeds, kvElementType, type InputMeta } from './graphInputs.ts';
import type { BeamStepRecord, ChatMessage, Device, ModelInfo, ModelSource, ScoredToken, WorkerRequest } from './protocol.ts';

/** The parts of an ONNX Runtime tensor we use (onnxruntime-web and -node share them). */
export interface OrtTensor {
  readonly dims: readonly number[];
  readonly type: string;
  readonly data: unknown;
  readonly location: string;
  getData(): Promise<unknown>;
  dispose(): void;
}
interface OrtSession {
  inputNames: readonly string[];
  outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release?(): Promise<void>;
}

/** One node's KV cache: present.* of the forward that ended at that node. */
interface Snapshot {
  past: Record<string, OrtTensor>;
  /** Tokens covered. */
  length: number;
  bytes: number;
  lastUsed: number;
}

export interface LoadOptions {
  device: Device;
  /** URL prefix of the embedded models folder (browser) or a filesystem path (Node). */
  modelsPath: string;
  /** dtype override; default: the model's transformers.js_config dtype, fp16 on WebGPU with shader-f16, else fp32 (WebGPU) / q8 (WASM). */
  dtype?: string;
  shaderF16?: boolean;
  progress?: (p: { file: string; loaded: number; total: number; progress: number }) => void;
  /** Cache memory budget in bytes (default 256 MB). */
  cacheBudgetBytes?: number;
}

export type StepRequest = Extract<WorkerRequest, { type: 'step' }>;
export type BeamRequest = Extract<WorkerRequest, { type: 'beam' }>;
export type McSampleRequest = Extract<WorkerRequest, { type: 'mc-sample' }>;
export type McTreeRequest = Extract<WorkerRequest, { type: 'mc-tree' }>;

const LOGITS_LRU = 64;
let folderLoads = 0;

function toFloat32(data: unknown, type: string): Float32Array {
  try {
    return logitsToFloat32(data, type);
  } catch (e) {
    throw new EngineError('unknown', (e as Error).message);
  }
}

function decideEncoding(tokenizerJSON: Record<string, unknown>): PieceEncoding {
  const s = JSON.stringify([tokenizerJSON.decoder, tokenizerJSON.pre_tokenizer]);
  if (s.includes('"ByteLevel"')) return 'byte-level';
  if (s.includes('ByteFallback') || s.includes('Metaspace') || s.includes('\u2581')) return 'sentencepiece';
  return 'plain';
}

/** Maps a load error to a code and a message that names the cause. */
export function describeLoadError(e: unknown, source: ModelSource): EngineError {
  if (e instanceof EngineError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  const name = source.kind === 'hub' ? source.modelId : source.name;
  const missing = /(config\.json|tokenizer\.json|tokenizer_config\.json|(?:onnx\/)?[\w.-]*\.onnx)/.exec(msg);
  if (/Could not locate file|404|not found/i.test(msg) && missing) {
    return new EngineError('model-missing-file', `${name}: missing file ${missing[1]} (${msg})`);
  }
  if (/Unsupported model type|not a causal|Cannot read properties of undefined \(reading 'generate/i.test(msg)) {
    return new EngineError('model-not-causal-lm', `${name}: not a causal language model (${msg})`);
  }
  if (/fetch|network|Failed to fetch|Unauthorized|401|403/i.test(msg)) {
    return new EngineError('model-fetch', `${name}: could not be fetched (${msg})${source.kind === 'hub' ? hostProblem(source.host, msg) : ''}`);
  }
  return new EngineError('model-load', `${name}: ${msg}`);
}

export class ModelSession {
  readonly info: ModelInfo;
  forwardCount = 0;
  disposedTwice = 0;
  private readonly session: OrtSession;
  private readonly tokenizer: Awaited<ReturnType<typeof AutoTokenizer.from_pretrained>>;
  private readonly model: { dispose(): Promise<unknown>; generate(args: Record<string, unknown>): Promise<unknown> };
  private readonly kvInputs: string[];
  private readonly kvShape: { heads: number; headDim: number };
  private readonly kvType: 'float32' | 'float16';
  private readonly snapshots = new Map<number, Snapshot>();
  private readonly logits = new Map<number, Float32Array>();
  private readonly disposed = new WeakSet<object>();
  private readonly budget: number;
  private clock = 0;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(args: {
    info: ModelInfo;
    session: OrtSession;
    tokenizer: ModelSession['tokenizer'];
    model: ModelSession['model'];
    kvShape: { heads: number; headDim: number };
    kvType: 'float32' | 'float16';
    budget: number;
  }) {
    this.info = args.info;
    this.session = args.session;
    this.tokenizer = args.tokenizer;
    this.model = args.model;
    this.kvInputs = args.session.inputNames.filter((n) => n.startsWith('past_key_values.'));
    this.kvShape = args.kvShape;
    this.kvType = args.kvType;
    this.budget = args.budget;
  }

  /**
   * Loads tokenizer and model from a source.
   * @throws EngineError with code model-missing-file / model-not-causal-lm / model-fetch / model-load
   */
  static async load(source: ModelSource, opts: LoadOptions): Promise<ModelSession> {
    const files = source.kind === 'folder' ? new Map(source.files.map((f) => [relativePath(f), f])) : null;
    let name: string;
    const savedFetch = env.fetch;
    const savedUseFS = env.useFS;
    // Cache Storage only for hub downloads; embedded and folder files are already local
    env.useBrowserCache = source.kind === 'hub' && typeof caches !== 'undefined';
    if (source.kind === 'embedded') {
      env.allowLocalModels = true;
      env.allowRemoteModels = false;
      env.localModelPath = opts.modelsPath;
      name = source.name;
      // transformers.js probes each local file with a full GET whose body it never reads while
      // the real GET runs; two writers on one HTTP-cache entry fail in Chromium
      // (net::ERR_CACHE_WRITE_FAILURE), so local model files bypass the HTTP cache.
      if (!isNode()) {
        env.fetch = ((input: RequestInfo | URL, init?: RequestInit) => savedFetch(input as never, { ...init, cache: 'no-store' })) as typeof env.fetch;
      }
    } else if (source.kind === 'hub') {
      env.allowLocalModels = false;
      env.allowRemoteModels = true;
      env.remoteHost = source.host ?? 'https://huggingface.co/';
      name = source.modelId;
    } else {
      if (!files!.has('config.json')) throw new EngineError('model-missing-file', `${source.name}: missing file config.json`);
      if (!files!.has('tokenizer.json')) throw new EngineError('model-missing-file', `${source.name}: missing file tokenizer.json`);
      if (![...files!.keys()].some((k) => k.startsWith('onnx/') && k.endsWith('.onnx'))) {
        throw new EngineError('model-missing-file', `${source.name}: missing file onnx/*.onnx`);
      }
      env.allowLocalModels = true;
      env.allowRemoteModels = false;
      env.useFS = false; // files come from the File objects through env.fetch, also under Node
      // a fresh prefix per load: transformers.js memoizes files by URL, and a re-picked folder may have changed
      const prefix = `/__local_folder__/${++folderLoads}/`;
      env.localModelPath = prefix;
      name = source.name;
      env.fetch = (async (input: RequestInfo | URL) => {
        const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
        const at = url.indexOf(`${prefix}${source.name}/`);
        if (at < 0) return savedFetch(input as never);
        const rel = decodeURIComponent(url.slice(at + `${prefix}${source.name}/`.length));
        const file = files!.get(rel);
        if (!file) return new Response('not found', { status: 404, statusText: 'Not Found' });
        return new Response(file, { status: 200, headers: { 'content-length': String(file.size) } });
      }) as typeof env.fetch;
    }
    try {
      const progress_callback = (p: { status: string; file?: string; loaded?: number; total?: number; progress?: number }) => {
        if (p.status === 'progress' && opts.progress) {
          opts.progress({ file: p.file ?? '', loaded: p.loaded ?? 0, total: p.total ?? 0, progress: (p.progress ?? 0) / 100 });
        }
      };
      const listing = sourceListing(source, files);
      const config = (await AutoConfig.from_pretrained(name, { progress_callback })) as unknown as Record<string, unknown>;
      if (!isCausalConfig(config)) {
        throw new EngineError(
          'model-not-causal-lm',
          `${name}: not a causal language model (model_type ${String(config['model_type'])}, architectures ${JSON.stringify(config['architectures'] ?? [])})`,
        );
      }
      const plan = planLoad(name, await listing, config, opts);
      const dtype = plan.dtype;
      // tokenizer and weights load side by side (the tokenizer's parse overlaps the ONNX Runtime compile)
      const [tokenizer, model] = await Promise.all([
        AutoTokenizer.from_pretrained(name, { progress_callback }),
        AutoModelForCausalLM.from_pretrained(name, {
          progress_callback,
          // onnxruntime-node (integration tests) calls its CPU provider 'cpu'
          device: opts.device === 'wasm' && isNode() ? 'cpu' : opts.device,
          dtype: dtype as 'fp32',
          ...(plan.modelFileName ? { model_file_name: plan.modelFileName } : {}),
          ...(plan.externalData !== undefined ? { use_external_data_format: plan.externalData } : {}),
        }) as unknown as Promise<{ sessions: Record<string, OrtSession>; dispose(): Promise<unknown>; generate(args: Record<string, unknown>): Promise<unknown> }>,
      ]);
      const session = model.sessions['model'] ?? model.sessions['decoder_model_merged'];
      if (!session || !session.outputNames.includes('logits')) {
        throw new EngineError('model-not-causal-lm', `${name}: not a causal language model (no logits output)`);
      }
      const kvShape = cacheShape(config);
      const tokJSON = (tokenizer as unknown as { _tokenizerJSON: Record<string, unknown> })._tokenizerJSON;
      const encoding = decideEncoding(tokJSON);
      const vocab = (tokenizer as unknown as { get_vocab(): Map<string, number> }).get_vocab();
      const vocabSize = Number(config['vocab_size'] ?? vocab.size);
      const pieces: string[] = new Array(vocabSize).fill('');
      for (const [piece, id] of vocab) if (id < vocabSize) pieces[id] = piece;
      const specialIds = new Set((tokenizer as unknown as { all_special_ids: number[] }).all_special_ids);
      const chunks: Uint8Array[] = [];
      const offsets = new Uint32Array(vocabSize + 1);
      const special = new Uint8Array(vocabSize);
      let off = 0;
      for (let i = 0; i < vocabSize; i++) {
        const b = specialIds.has(i) ? new TextEncoder().encode(pieces[i]) : pieceBytes(pieces[i], encoding);
        special[i] = specialIds.has(i) ? 1 : 0;
        chunks.push(b);
        offsets[i] = off;
        off += b.length;
      }
      offsets[vocabSize] = off;
      const vocabBytes = new Uint8Array(off);
      chunks.forEach((c, i) => vocabBytes.set(c, offsets[i]));
      const tk = tokenizer as unknown as { eos_token_id?: number | null; bos_token_id?: number | null; model_max_length: number };
      const ctx = Number(
        config['n_positions'] ?? config['max_position_embeddings'] ?? (Number.isFinite(tk.model_max_length) ? tk.model_max_length : 2048),
      );
      const eos = firstId(config['eos_token_id']) ?? tk.eos_token_id ?? null;
      const hasChatTemplate = hasTemplate(tokenizer);
      const endOfTurn = hasChatTemplate ? endOfTurnToken(vocab, specialIds) : null;
      const bos = firstId(config['bos_token_id']) ?? tk.bos_token_id ?? null;
      const info: ModelInfo = {
        id: name,
        sourceKind: source.kind,
        modelType: String(config['model_type'] ?? 'unknown'),
        vocabSize,
        contextLength: ctx,
        bosTokenId: bos,
        eosTokenId: eos,
        device: opts.device,
        dtype,
        threads: Number((env.backends.onnx as { wasm?: { numThreads?: number } }).wasm?.numThreads ?? 1),
        crossOriginIsolated: typeof crossOriginIsolated !== 'undefined' ? crossOriginIsolated : false,
        fallbackReason: null,
        vocabBytes,
        vocabOffsets: offsets,
        vocabPieces: pieces,
        special,
        pieceEncoding: encoding,
        hasChatTemplate,
        endOfTurnTokenId: endOfTurn,
        modelCard: null,
        fingerprint: null,
      };
      return new ModelSession({
        info,
        session,
        tokenizer,
        model,
        kvShape,
        // from the graph's inputs (fp16 / q4f16 exports usually keep a float16 cache, not always)
        kvType: kvElementType((session as { inputMetadata?: readonly InputMeta[] }).inputMetadata, dtype),
        budget: opts.cacheBudgetBytes ?? 256 * 1024 * 1024,
      });
    } catch (e) {
      throw describeLoadError(e, source);
    } finally {
      env.fetch = savedFetch;
      env.useFS = savedUseFS;
    }
  }

  /** Runs `fn` after every earlier model call (overlapping session.run calls fail). */
  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /**
   * Token ids of a text. With `addSpecialTokens` the tokenizer's post-processor adds what the model
   * expects around a text (e.g. Llama's BOS `<s>`); GPT-2-style tokenizers add nothing.
   */
  tokenize(text: string, addSpecialTokens = false): number[] {
    return (this.tokenizer as unknown as { encode(t: string, o: object): number[] }).encode(text, { add_special_tokens: addSpecialTokens });
  }

  /**
   * Prompt ids of a conversation built with the tokenizer's own chat template (transformers.js
   * `apply_chat_template`, Jinja), ending with the generation prompt that opens the assistant's turn.
   * The template writes its special tokens (e.g. `<|im_start|>`) as text; the tokenizer maps them to
   * their added-token ids. Nothing else is added (no BOS unless the template writes it).
   * @throws EngineError `chat-template` when the tokenizer has no chat template or rendering fails
   */
  chatTokenize(messages: ChatMessage[]): number[] {
    if (!this.info.hasChatTemplate) throw new EngineError('chat-template', `${this.info.id} has no chat template`);
    const tk = this.tokenizer as unknown as {
      apply_chat_template(m: ChatMessage[], o: { add_generation_prompt: boolean; tokenize: true; return_tensor: false; return_dict: false }): number[];
    };
    try {
      return tk.apply_chat_template(messages, { add_generation_prompt: true, tokenize: true, return_tensor: false, return_dict: false });
    } catch (e) {
      throw new EngineError('chat-template', e instanceof Error ? e.message : String(e));
    }
  }

  /** Decodes ids to text exactly (no clean-up). */
  decode(ids: number[]): string {
    return (this.tokenizer as unknown as { decode(ids: number[], o: object): string }).decode(ids, {
      skip_special_tokens: false,
      clean_up_tokenization_spaces: false,
    });
  }

  // ---------------------------------------------------------------- tensors

  private dispose(t: OrtTensor): void {
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

  private int64(values: number[], dims: number[]): OrtTensor {
    return new Tensor('int64', BigInt64Array.from(values, (v) => BigInt(v)), dims).ort_tensor as OrtTensor;
  }

  /**
   * One forward pass: `tokens` is [batch][T] new token ids on top of `past`
   * (covering pastLength tokens per row). Returns all logits [batch, T, vocab]
   * and the present tensors (the caller owns and must dispose them).
   */
  private async forward(
    tokens: number[][],
    past: Record<string, OrtTensor> | null,
    pastLength: number,
  ): Promise<{ logits: Float32Array; present: Record<string, OrtTensor>; ms: number }> {
    const batch = tokens.length;
    const T = tokens[0].length;
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
    add('input_ids', this.int64(tokens.flat(), [batch, T]));
    if (names.includes('attention_mask')) add('attention_mask', this.int64(new Array(batch * total).fill(1), [batch, total]));
    if (names.includes('position_ids')) {
      const pos: number[] = [];
      for (let b = 0; b < batch; b++) for (let t = 0; t < T; t++) pos.push(pastLength + t);
      add('position_ids', this.int64(pos, [batch, T]));
    }
    if (this.kvInputs.length) {
      const p = past ?? this.emptyPast(batch);
      for (const n of this.kvInputs) {
        feeds[n] = p[n];
        if (!past) own.push(p[n]);
      }
    }
    for (const x of extraFeeds(names, pastLength)) add(x.name, new Tensor(x.type, x.type === 'bool' ? [x.value as boolean] : BigInt64Array.of(BigInt(x.value)), x.dims).ort_tensor as OrtTensor);
    for (const n of names) if (!(n in feeds)) throw new EngineError('model-load', `unsupported model input ${n}`);
    const t0 = performance.now();
    let out: Record<string, OrtTensor>;
    try {
      this.forwardCount++;
      out = await this.session.run(feeds);
    } finally {
      for (const t of own) t.dispose();
    }
    const ms = performance.now() - t0;
    const logitsT = out['logits'];
    const logits = toFloat32(logitsT.location === 'cpu' || logitsT.location === 'cpu-pinned' ? logitsT.data : await logitsT.getData(), logitsT.type);
    logitsT.dispose();
    const present: Record<string, OrtTensor> = {};
    for (const [k, v] of Object.entries(out)) {
      if (k === 'logits') continue;
      if (k.startsWith('present')) present[k.replace('present', 'past_key_values')] = v;
      else v.dispose(); // e.g. optional attention outputs
    }
    return { logits, present, ms };
  }

  private snapshotBytes(past: Record<string, OrtTensor>): number {
    let n = 0;
    for (const t of Object.values(past)) n += t.dims.reduce((a, b) => a * b, 1) * (this.kvType === 'float16' ? 2 : 4);
    return n;
  }

  private storeSnapshot(nodeId: number, past: Record<string, OrtTensor>, length: number): void {
    const old = this.snapshots.get(nodeId);
    if (old) for (const t of Object.values(old.past)) this.dispose(t);
    this.snapshots.set(nodeId, { past, length, bytes: this.snapshotBytes(past), lastUsed: ++this.clock });
    this.evict(nodeId);
  }

  /** Drops least-recently-used snapshots beyond the budget (never `keep`). */
  private evict(keep: number): void {
    let total = 0;
    for (const s of this.snapshots.values()) total += s.bytes;
    if (total <= this.budget) return;
    const order = [...this.snapshots.entries()].filter(([id]) => id !== keep).sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    for (const [id, s] of order) {
      if (total <= this.budget) break;
      for (const t of Object.values(s.past)) this.dispose(t);
      this.snapshots.delete(id);
      total -= s.bytes;
    }
  }

  private rememberLogits(nodeId: number, logits: Float32Array): void {
    this.logits.delete(nodeId);
    this.logits.set(nodeId, logits);
    if (this.logits.size > LOGITS_LRU) this.logits.delete(this.logits.keys().next().value!);
  }

  /**
   * Last-position logits of node `path.at(-1)` whose full sequence is `ids`:
   * from the logits cache, else one forward of the missing tokens on top of the
   * nearest ancestor's KV snapshot (prefill when there is none).
   */
  private async logitsAt(path: number[], ids: number[]): Promise<{ logits: Float32Array; ms: number; phase: 'prefill' | 'decode' | 'cached' }> {
    const nodeId = path[path.length - 1];
    const cached = this.logits.get(nodeId);
    if (cached) {
      this.rememberLogits(nodeId, cached);
      return { logits: cached, ms: 0, phase: 'cached' };
    }
    if (ids.length === 0) throw new EngineError('empty-prompt', 'the prompt is empty and the model has no BOS token');
    if (ids.length > this.info.contextLength) {
      throw new EngineError('context-overflow', `sequence of ${ids.length} tokens exceeds the context of ${this.info.contextLength}`);
    }
    const promptLength = ids.length - (path.length - 1);
    let from = -1;
    for (let i = path.length - 1; i >= 0; i--) {
      const s = this.snapshots.get(path[i]);
      if (s && s.length === promptLength + i) {
        from = i;
        break;
      }
    }
    const base = from >= 0 ? this.snapshots.get(path[from])! : null;
    if (base) base.lastUsed = ++this.clock;
    const pastLength = base ? base.length : 0;
    const newTokens = ids.slice(pastLength);
    if (newTokens.length === 0) {
      // the snapshot exists but its logits were evicted: recompute from the parent
      return this.logitsAtFresh(path, ids);
    }
    const { logits, present, ms } = await this.forward([newTokens], base ? base.past : null, pastLength);
    const V = this.info.vocabSize;
    const last = logits.slice((newTokens.length - 1) * V, newTokens.length * V);
    this.storeSnapshot(nodeId, present, ids.length);
    this.rememberLogits(nodeId, last);
    return { logits: last, ms, phase: base ? 'decode' : 'prefill' };
  }

  private async logitsAtFresh(path: number[], ids: number[]): Promise<{ logits: Float32Array; ms: number; phase: 'prefill' | 'decode' }> {
    const s = this.snapshots.get(path[path.length - 1]);
    if (s) {
      for (const t of Object.values(s.past)) this.dispose(t);
      this.snapshots.delete(path[path.length - 1]);
    }
    const r = await this.logitsAt(path, ids);
    return { logits: r.logits, ms: r.ms, phase: r.phase === 'cached' ? 'decode' : r.phase };
  }

  /** One generation step: the node's distribution record and (unless `choose` is 'none') the chosen token. */
  step(req: StepRequest): Promise<{ record: DistributionRecord; choice: StepChoice | null; ms: number; phase: 'prefill' | 'decode' | 'cached' }> {
    return this.enqueue(async () => {
      validateSamplingSettings(req.settings);
      const { logits, ms, phase } = await this.logitsAt(req.path, req.ids);
      return { ...this.decide(logits, req), ms, phase };
    });
  }

  /** decideStep with the end-of-turn token pinned in the record, like EOS, so its probability is always shown. */
  private decide(logits: Float32Array, input: StepInput): ReturnType<typeof decideStep> {
    const eot = this.info.endOfTurnTokenId;
    return decideStep(logits, eot === null ? input : { ...input, extraIds: [...input.extraIds, eot] }, this.info.eosTokenId);
  }

  /**
   * Several steps in one request (protocol 'run'): each step as `step` computes it, streamed through
   * `onStep`; the loop stays in the worker, so the main thread renders while the next forward runs.
   * @returns the number of steps taken
   */
  run(
    req: Extract<WorkerRequest, { type: 'run' }>,
    onStep: (r: { record: DistributionRecord; choice: StepChoice; ms: number; phase: 'prefill' | 'decode' | 'cached' }) => void,
    cancelled: () => boolean,
  ): Promise<number> {
    return this.enqueue(async () => {
      validateSamplingSettings(req.settings);
      const path = req.path.slice();
      const ids = req.ids.slice();
      for (let k = 0; k < req.count; k++) {
        // let a 'cancel-run' message in between steps (a MessageChannel turn, ~0.05 ms)
        if (k > 0) await yieldToEvents();
        if (cancelled()) return k;
        const { logits, ms, phase } = await this.logitsAt(path, ids);
        const drawKey = req.strategy === 'sample' ? { seed: req.seed, depth: req.startDepth + k, reroll: k === 0 ? req.firstReroll : 0, stream: 0 } : null;
        const r = this.decide(logits, { ids, strategy: req.strategy, settings: req.settings, topN: req.topN, extraIds: req.extraIds, drawKey, choose: null });
        onStep({ record: r.record, choice: r.choice!, ms, phase });
        // EOS and the end-of-turn token end the run, as they end a step (controller.markStop)
        const tok = r.choice!.tokenId;
        if (tok === this.info.eosTokenId || tok === this.info.endOfTurnTokenId) return k + 1;
        path.push(req.nextNodeId + k);
        ids.push(r.choice!.tokenId);
      }
      return req.count;
    });
  }

  /** Probability and rank of any token ids at a node. */
  query(req: Extract<WorkerRequest, { type: 'query' }>) {
    return this.enqueue(async () => {
      const { logits } = await this.logitsAt(req.path, req.ids);
      const stages = runProcessors(logits, req.ids, effectiveSettings(req.strategy, req.settings));
      return req.tokenIds.map((id) => tokenStat(stages, id));
    });
  }

  /** Last-position logits of a node (Float32Array of length vocabSize), through the KV-cache path. */
  nodeLogits(path: number[], ids: number[]): Promise<Float32Array> {
    return this.enqueue(async () => (await this.logitsAt(path, ids)).logits);
  }

  /**
   * Logits of a fresh forward over the whole sequence with no cache
   * ([ids.length × vocabSize], row t predicts token t+1). For checks and teacher forcing.
   */
  fullForward(ids: number[]): Promise<Float32Array> {
    return this.enqueue(async () => {
      const { logits, present } = await this.forward([ids], null, 0);
      for (const t of Object.values(present)) t.dispose();
      return logits;
    });
  }

  /**
   * One batched forward of several candidate next tokens on a node's cached
   * prefix (the rows beam search feeds): returns one logits row per token.
   */
  branchLogits(path: number[], ids: number[], nextTokens: number[]): Promise<Float32Array[]> {
    return this.enqueue(async () => {
      await this.logitsAt(path, ids);
      const snap = this.snapshots.get(path[path.length - 1])!;
      const past = await this.gatherRows(snap.past, nextTokens.map(() => 0));
      const out = await this.forward(nextTokens.map((t) => [t]), past, ids.length);
      for (const t of Object.values(past)) this.dispose(t);
      for (const t of Object.values(out.present)) t.dispose();
      const V = this.info.vocabSize;
      return nextTokens.map((_, j) => out.logits.slice(j * V, (j + 1) * V));
    });
  }

  /** Downloads (WebGPU) or reads (CPU) a KV tensor as a Float32Array/Uint16Array copy. */
  private async readTensor(t: OrtTensor): Promise<Float32Array | Uint16Array> {
    const d = t.location === 'cpu' || t.location === 'cpu-pinned' ? t.data : await t.getData();
    return d as Float32Array | Uint16Array;
  }

  /** New CPU past tensors whose row j is row rows[j] of `past` (batched). */
  private async gatherRows(past: Record<string, OrtTensor>, rows: number[]): Promise<Record<string, OrtTensor>> {
    const out: Record<string, OrtTensor> = {};
    for (const [name, t] of Object.entries(past)) {
      const data = await this.readTensor(t);
      const [, H, L, D] = t.dims;
      const rowSize = H * L * D;
      const Ctor = data instanceof Uint16Array ? Uint16Array : Float32Array;
      const buf = new Ctor(rows.length * rowSize);
      rows.forEach((r, j) => buf.set(data.subarray(r * rowSize, (r + 1) * rowSize), j * rowSize));
      out[name] = new Tensor(this.kvType, buf as Float32Array, [rows.length, H, L, D]).ort_tensor as OrtTensor;
    }
    return out;
  }

  /**
   * Batched beam search from a node: k rows in one forward pass per step,
   * caches reordered by parent after each step (on WebGPU through a download
   * and upload). Streams each step's candidate record through `onStep`.
   */
  beam(req: BeamRequest, onStep: (r: BeamStepRecord) => void): Promise<BeamHypothesis[]> {
    return this.enqueue(async () => {
      validateBeamSettings(req.settings);
      const k = req.settings.beamWidth;
      const opts = {
        beamWidth: k,
        lengthPenalty: req.settings.lengthPenalty,
        earlyStopping: req.settings.earlyStopping,
        eosTokenId: this.info.eosTokenId,
        stopTokenIds: this.info.endOfTurnTokenId !== null ? [this.info.endOfTurnTokenId] : [],
        maxNewTokens: req.maxNewTokens,
      };
      const maxNew = Math.min(req.maxNewTokens, this.info.contextLength - req.ids.length);
      if (maxNew < 1) throw new EngineError('context-overflow', `no room for new tokens in a context of ${this.info.contextLength}`);
      opts.maxNewTokens = maxNew;
      const { logits } = await this.logitsAt(req.path, req.ids);
      const rootSnap = this.snapshots.get(req.path[req.path.length - 1]);
      let state = initialBeamState();
      let rows = [beamLogprobs(logits, req.ids, req.settings.repetitionPenalty)];
      let past: Record<string, OrtTensor> | null = null;
      let pastLength = req.ids.length;
      try {
        for (;;) {
          const before = state.running.map((b) => ({ tokens: b.tokens.slice(), sumLogprobs: b.sumLogprobs }));
          const r = beamStep(state, rows, opts);
          state = r.state;
          onStep({ step: state.step, beams: before, candidates: r.candidates, finished: state.finished, done: state.done });
          if (state.done) break;
          // caches for the new running beams, reordered by parent
          let next: Record<string, OrtTensor>;
          if (past === null) {
            if (!rootSnap) throw new EngineError('unknown', 'missing root cache for beam search');
            next = await this.gatherRows(rootSnap.past, r.parents.map(() => 0));
          } else {
            next = await this.gatherRows(past, r.parents);
            for (const t of Object.values(past)) this.dispose(t);
          }
          past = next;
          const lastTokens = state.running.map((b) => [b.tokens[b.tokens.length - 1]]);
          const out = await this.forward(lastTokens, past, pastLength);
          for (const t of Object.values(past)) this.dispose(t);
          past = out.present;
          pastLength += 1;
          const V = this.info.vocabSize;
          rows = state.running.map((b, j) =>
            beamLogprobs(out.logits.subarray(j * V, (j + 1) * V), [...req.ids, ...b.tokens], req.settings.repetitionPenalty),
          );
        }
      } finally {
        if (past) for (const t of Object.values(past)) this.dispose(t);
      }
      return state.finished;
    });
  }

  /** Ids of mc-tree requests asked to stop (checked between levels). */
  private readonly mcCancelled = new Set<number>();

  /** N Monte-Carlo samples from a node's final distribution (its logits through the KV-cache path). */
  mcSample(req: McSampleRequest): Promise<McHistogram> {
    return this.enqueue(async () => {
      validateSamplingSettings(req.settings);
      const { logits } = await this.logitsAt(req.path, req.ids);
      const stages = runProcessors(logits, req.ids, req.settings);
      return monteCarloHistogram(stages.states[0].probs, finalProbs(stages), req.n, req.seed, req.depth, req.topM);
    });
  }

  /** Asks a running mc-tree request to stop before its next level. */
  cancelMcTree(requestId: number): void {
    this.mcCancelled.add(requestId);
  }

  /**
   * N continuations of up to `length` tokens from a node, merged into a prefix tree: level j
   * runs one batched forward pass with one row per distinct prefix, on caches gathered from
   * the previous level's rows (the node's own KV snapshot for the first level).
   * @throws EngineError `cancelled` when `cancelMcTree` was called for this request
   */
  mcTree(req: McTreeRequest): Promise<McTreeNode[]> {
    return this.enqueue(async () => {
      validateSamplingSettings(req.settings);
      if (!Number.isInteger(req.n) || req.n < 1 || req.n > 1000) throw new RangeError(`n must be an integer in [1, 1000]: ${req.n}`);
      const length = Math.min(req.length, this.info.contextLength - req.ids.length);
      if (!Number.isInteger(length) || length < 1) throw new RangeError(`length must be an integer ≥ 1 within the context: ${req.length}`);
      const { logits } = await this.logitsAt(req.path, req.ids);
      const rootSnap = this.snapshots.get(req.path[req.path.length - 1]);
      const nodes = startMcTree(req.n);
      let frontier: McFrontierRow[] = [{ node: 0, ids: req.ids.slice(), samples: Array.from({ length: req.n }, (_, i) => i) }];
      let rows: ArrayLike<number>[] = [logits];
      // row r of `past` holds the cache of frontier[r]'s prefix minus its last token
      let past: Record<string, OrtTensor> | null = null;
      let pastLength = req.ids.length;
      try {
        for (let j = 0; j < length; j++) {
          if (this.mcCancelled.has(req.id)) throw new EngineError('cancelled', 'Monte-Carlo continuations stopped');
          const next = growLevel(nodes, frontier, rows, req.settings, req.seed, req.depth, j, this.info.eosTokenId);
          if (next.length === 0 || j === length - 1) break;
          // each new row continues from its parent row's cache
          const parentRow = new Map(frontier.map((r, i) => [r.node, i]));
          const gather = next.map((r) => (past === null ? 0 : parentRow.get(nodes[r.node].parent)!));
          let base: Record<string, OrtTensor>;
          if (past === null) {
            if (!rootSnap) throw new EngineError('unknown', 'missing cache for Monte-Carlo continuations');
            base = await this.gatherRows(rootSnap.past, gather);
          } else {
            base = await this.gatherRows(past, gather);
            for (const t of Object.values(past)) this.dispose(t);
          }
          past = base;
          const out = await this.forward(next.map((r) => [r.ids[r.ids.length - 1]]), past, pastLength);
          for (const t of Object.values(past)) this.dispose(t);
          past = out.present;
          pastLength += 1;
          const V = this.info.vocabSize;
          rows = next.map((_, r) => out.logits.subarray(r * V, (r + 1) * V));
          frontier = next;
        }
      } finally {
        if (past) for (const t of Object.values(past)) this.dispose(t);
        this.mcCancelled.delete(req.id);
      }
      return nodes;
    });
  }

  /**
   * Teacher forcing: one forward pass over the text (windows of the context
   * length, half-overlapping, when longer) scores every position's actual next token.
   */
  scoreText(text: string): Promise<{ tokens: ScoredToken[]; windows: number }> {
    return this.enqueue(async () => {
      const ids = this.tokenize(text, true);
      const out: ScoredToken[] = ids.map((id) => ({ tokenId: id, prob: null, rank: null, entropyBits: null, top: [] }));
      const C = this.info.contextLength;
      const V = this.info.vocabSize;
      let start = 0;
      let windows = 0;
      let scoredUpTo = 0; // positions < scoredUpTo already scored
      while (start < ids.length - 1 || windows === 0) {
        const win = ids.slice(start, start + C);
        if (win.length === 0) break;
        const { logits, present } = await this.forward([win], null, 0);
        for (const t of Object.values(present)) t.dispose();
        windows++;
        for (let t = 0; t < win.length - 1; t++) {
          const pos = start + t + 1;
          if (pos < scoredUpTo || pos < 1) continue;
          const lp = logSoftmax(logits.subarray(t * V, (t + 1) * V));
          const probs = lp.map(Math.exp);
          let h = 0;
          for (let i = 0; i < V; i++) if (probs[i] > 0) h -= probs[i] * lp[i];
          const target = ids[pos];
          out[pos] = {
            tokenId: target,
            prob: probs[target],
            rank: rankOf(probs, target),
            entropyBits: h / Math.LN2,
            top: Array.from(topIndices(probs, 5), (i) => [i, probs[i]] as [number, number]),
          };
        }
        scoredUpTo = start + win.length;
        if (start + win.length >= ids.length) break;
        start += Math.max(1, Math.floor(C / 2));
      }
      return { tokens: out, windows };
    });
  }

  /**
   * Benchmark floor: `reps` raw ONNX Runtime runs of one decode token on the node's KV snapshot
   * (inputs built, session.run, outputs disposed), in ms. Nothing is cached or recorded.
   */
  benchRawDecode(path: number[], ids: number[], reps: number): Promise<number[]> {
    return this.enqueue(async () => {
      await this.logitsAt(path, ids);
      const snap = this.snapshots.get(path[path.length - 1])!;
      const out: number[] = [];
      for (let r = 0; r < reps; r++) {
        const t0 = performance.now();
        const feeds: Record<string, OrtTensor> = { input_ids: this.int64([ids[ids.length - 1]], [1, 1]) };
        const names = this.session.inputNames;
        if (names.includes('attention_mask')) feeds['attention_mask'] = this.int64(new Array(ids.length + 1).fill(1), [1, ids.length + 1]);
        if (names.includes('position_ids')) feeds['position_ids'] = this.int64([ids.length], [1, 1]);
        for (const n of this.kvInputs) feeds[n] = snap.past[n];
        this.forwardCount++;
        const res = await this.session.run(feeds);
        const logits = res['logits'];
        if (logits.location !== 'cpu') await logits.getData();
        for (const t of Object.values(res)) t.dispose();
        for (const [k, t] of Object.entries(feeds)) if (!k.startsWith('past_key_values')) t.dispose();
        out.push(performance.now() - t0);
      }
      return out;
    });
  }

  /** Benchmark floor: transformers.js `generate()` greedy for `maxNewTokens` tokens, total ms. */
  benchGenerate(ids: number[], maxNewTokens: number): Promise<number> {
    return this.enqueue(async () => {
      const inputIds = new Tensor('int64', BigInt64Array.from(ids, (v) => BigInt(v)), [1, ids.length]);
      const mask = new Tensor('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length]);
      const t0 = performance.now();
      const out = (await this.model.generate({ input_ids: inputIds, attention_mask: mask, max_new_tokens: maxNewTokens, min_new_tokens: maxNewTokens, do_sample: false })) as { dispose?(): void };
      const ms = performance.now() - t0;
      out.dispose?.();
      return ms;
    });
  }

  /** Drops caches of the given nodes (or all), after every model call already queued. */
  forget(nodeIds: number[] | 'all'): Promise<void> {
    return this.enqueue(async () => this.forgetNow(nodeIds));
  }

  private forgetNow(nodeIds: number[] | 'all'): void {
    const ids = nodeIds === 'all' ? [...this.snapshots.keys()] : nodeIds;
    for (const id of ids) {
      const s = this.snapshots.get(id);
      if (s) for (const t of Object.values(s.past)) this.dispose(t);
      this.snapshots.delete(id);
    }
    if (nodeIds === 'all') this.logits.clear();
    else for (const id of nodeIds) this.logits.delete(id);
  }

  /** Live KV tensors held, their bytes, and counters. */
  stats() {
    let live = 0;
    let bytes = 0;
    for (const s of this.snapshots.values()) {
      live += Object.keys(s.past).length;
      bytes += s.bytes;
    }
    return { liveTensors: live, cacheBytes: bytes, snapshots: this.snapshots.size, forwardCount: this.forwardCount, disposedTwice: this.disposedTwice };
  }

  /** Frees everything. */
  async release(): Promise<void> {
    await this.forget('all');
    await this.model.dispose();
  }
}

const NOT_CAUSAL_TYPES = new Set(['bert', 'roberta', 'distilbert', 'albert', 'electra', 'deberta', 'deberta-v2', 'xlm-roberta', 'mpnet', 'camembert', 'clip', 'vit', 'whisper', 't5', 'bart', 'marian', 'm2m_100', 'wav2vec2']);

/** A decoder-only LM: architectures ending in ForCausalLM / LMHeadModel, or a model_type not known to be something else. */
function isCausalConfig(config: Record<string, unknown>): boolean {
  const arch = config['architectures'];
  if (Array.isArray(arch) && arch.length > 0) return arch.some((a) => typeof a === 'string' && /(ForCausalLM|LMHeadModel)$/.test(a));
  return !NOT_CAUSAL_TYPES.has(String(config['model_type']));
}

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string' && typeof (globalThis as { window?: unknown }).window === 'undefined' && typeof (globalThis as { importScripts?: unknown }).importScripts === 'undefined';
}

/** Special tokens that end a turn in common chat templates (ChatML, Llama 3, Gemma, Phi-3), in this order of preference. */
const END_OF_TURN_TOKENS = ['<|im_end|>', '<|eot_id|>', '<end_of_turn>', '<|end|>'];

/** True when the tokenizer carries a chat template (a string, or named templates as in tokenizer_config.json). */
function hasTemplate(tokenizer: unknown): boolean {
  const t = (tokenizer as { chat_template?: unknown }).chat_template;
  return (typeof t === 'string' && t.length > 0) || (Array.isArray(t) && t.length > 0) || (!!t && typeof t === 'object' && Object.keys(t).length > 0);
}

/** The id of the first known end-of-turn special token in the vocabulary, or null (it may also be the EOS token). */
function endOfTurnToken(vocab: Map<string, number>, specialIds: Set<number>): number | null {
  for (const name of END_OF_TURN_TOKENS) {
    const id = vocab.get(name);
    if (id !== undefined && specialIds.has(id)) return id;
  }
  return null;
}

function firstId(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (Array.isArray(v) && typeof v[0] === 'number') return v[0];
  return null;
}

/** Heads and head size of the KV cache from a config (GPT-2 and Llama-style names). */
function cacheShape(config: Record<string, unknown>): { heads: number; headDim: number } {
  const n = (k: string) => (typeof config[k] === 'number' ? (config[k] as number) : undefined);
  const heads = n('num_key_value_heads') ?? n('n_head') ?? n('num_attention_heads') ?? 1;
  const attnHeads = n('num_attention_heads') ?? n('n_head') ?? heads;
  const hidden = n('hidden_size') ?? n('n_embd') ?? 0;
  const headDim = n('head_dim') ?? Math.floor(hidden / attnHeads);
  return { heads, headDim };
}

/** A folder file's path relative to the chosen folder (drops the folder's own name). */
export function relativePath(f: File): string {
  const rel = (f as File & { webkitRelativePath?: string }).webkitRelativePath || f.name;
  const parts = rel.split('/');
  return parts.length > 1 ? parts.slice(1).join('/') : rel;
}

/** Resolves after one turn of the event loop, so queued messages are handled. */
function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      ch.port1.close();
      resolve();
    };
    ch.port2.postMessage(null);
  });
}

/**
 * The ONNX weights a model loads with: the caller's dtype, else the model's
 * `transformers.js_config.dtype`, else fp16/fp32 on WebGPU (by shader-f16 support) and q8 on WASM.
 */
export function chooseDtype(config: Record<string, unknown>, opts: { dtype?: string; device: Device; shaderF16?: boolean }): string {
  return defaultDtype(config, opts);
}
