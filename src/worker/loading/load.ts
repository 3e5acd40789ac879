/**
 * Loads a model into an OrtBackend with transformers.js: from the embedded models folder, the
 * Hugging Face Hub (or a mirror), or a folder the user picked (its File objects served through
 * transformers.js's fetch hook, also under Node). Reads config, tokenizer and weights, checks that
 * the model is a causal LM, and builds the ModelInfo (vocabulary bytes, special tokens, context).
 */
import { AutoConfig, AutoModelForCausalLM, AutoTokenizer, env } from '@huggingface/transformers';
import { EngineError } from '../../engine/errors.ts';
import { pieceBytes } from '../../engine/tokens.ts';
import { OrtBackend, type OrtModel, type OrtSession, type OrtTokenizer } from '../ortBackend.ts';
import type { Device, ModelInfo, ModelSource } from '../protocol.ts';
import { cacheShape, chooseDtype, decideEncoding, describeLoadError, endOfTurnToken, firstId, hasTemplate, isCausalConfig, isNode, relativePath } from './modelInfo.ts';

export interface LoadOptions {
  device: Device;
  /** URL prefix of the embedded models folder (browser) or a filesystem path (Node). */
  modelsPath: string;
  /** dtype override; default: the model's transformers.js_config dtype, fp16 on WebGPU with shader-f16, else fp32 (WebGPU) / q8 (WASM). */
  dtype?: string;
  shaderF16?: boolean;
  progress?: (p: { file: string; loaded: number; total: number; progress: number }) => void;
}

let folderLoads = 0;

/**
 * Loads tokenizer and model from a source.
 * @throws EngineError with code model-missing-file / model-not-causal-lm / model-fetch / model-load
 */
export async function loadOrtBackend(source: ModelSource, opts: LoadOptions): Promise<OrtBackend> {
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
    const config = (await AutoConfig.from_pretrained(name, { progress_callback })) as unknown as Record<string, unknown>;
    if (!isCausalConfig(config)) {
      throw new EngineError(
        'model-not-causal-lm',
        `${name}: not a causal language model (model_type ${String(config['model_type'])}, architectures ${JSON.stringify(config['architectures'] ?? [])})`,
      );
    }
    const dtype = chooseDtype(config, opts);
    // tokenizer and weights load side by side (the tokenizer's parse overlaps the ONNX Runtime compile)
    const [tokenizer, model] = await Promise.all([
      AutoTokenizer.from_pretrained(name, { progress_callback }),
      AutoModelForCausalLM.from_pretrained(name, {
        progress_callback,
        // onnxruntime-node (integration tests) calls its CPU provider 'cpu'
        device: opts.device === 'wasm' && isNode() ? 'cpu' : opts.device,
        dtype: dtype as 'fp32',
      }) as unknown as Promise<OrtModel & { sessions: Record<string, OrtSession> }>,
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
    return new OrtBackend(
      info,
      session,
      tokenizer as unknown as OrtTokenizer,
      model,
      kvShape,
      // fp16 and q4f16 exports keep their KV cache in float16
      dtype === 'fp16' || dtype === 'q4f16' ? 'float16' : 'float32',
    );
  } catch (e) {
    throw describeLoadError(e, source);
  } finally {
    env.fetch = savedFetch;
    env.useFS = savedUseFS;
  }
}
