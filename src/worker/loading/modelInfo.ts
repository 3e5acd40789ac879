/**
 * What a model's files say about it, read without running it: causal or not, the KV-cache shape,
 * the special tokens, the token-piece encoding, the weights to load; and load errors mapped to codes.
 */
import { EngineError } from '../../engine/errors.ts';
import type { PieceEncoding } from '../../engine/tokens.ts';
import type { Device, ModelSource } from '../protocol.ts';

/** How the tokenizer writes its pieces (byte-level BPE, SentencePiece, plain), from tokenizer.json. */
export function decideEncoding(tokenizerJSON: Record<string, unknown>): PieceEncoding {
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
    return new EngineError('model-fetch', `${name}: could not be fetched (${msg})`);
  }
  return new EngineError('model-load', `${name}: ${msg}`);
}

const NOT_CAUSAL_TYPES = new Set(['bert', 'roberta', 'distilbert', 'albert', 'electra', 'deberta', 'deberta-v2', 'xlm-roberta', 'mpnet', 'camembert', 'clip', 'vit', 'whisper', 't5', 'bart', 'marian', 'm2m_100', 'wav2vec2']);

/** A decoder-only LM: architectures ending in ForCausalLM / LMHeadModel, or a model_type not known to be something else. */
export function isCausalConfig(config: Record<string, unknown>): boolean {
  const arch = config['architectures'];
  if (Array.isArray(arch) && arch.length > 0) return arch.some((a) => typeof a === 'string' && /(ForCausalLM|LMHeadModel)$/.test(a));
  return !NOT_CAUSAL_TYPES.has(String(config['model_type']));
}

export function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string' && typeof (globalThis as { window?: unknown }).window === 'undefined' && typeof (globalThis as { importScripts?: unknown }).importScripts === 'undefined';
}

/** Special tokens that end a turn in common chat templates (ChatML, Llama 3, Gemma, Phi-3), in this order of preference. */
const END_OF_TURN_TOKENS = ['<|im_end|>', '<|eot_id|>', '<end_of_turn>', '<|end|>'];

/** True when the tokenizer carries a chat template (a string, or named templates as in tokenizer_config.json). */
export function hasTemplate(tokenizer: unknown): boolean {
  const t = (tokenizer as { chat_template?: unknown }).chat_template;
  return (typeof t === 'string' && t.length > 0) || (Array.isArray(t) && t.length > 0) || (!!t && typeof t === 'object' && Object.keys(t).length > 0);
}

/** The id of the first known end-of-turn special token in the vocabulary, or null (it may also be the EOS token). */
export function endOfTurnToken(vocab: Map<string, number>, specialIds: Set<number>): number | null {
  for (const name of END_OF_TURN_TOKENS) {
    const id = vocab.get(name);
    if (id !== undefined && specialIds.has(id)) return id;
  }
  return null;
}

export function firstId(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (Array.isArray(v) && typeof v[0] === 'number') return v[0];
  return null;
}

/** Heads and head size of the KV cache from a config (GPT-2 and Llama-style names). */
export function cacheShape(config: Record<string, unknown>): { heads: number; headDim: number } {
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

/**
 * The ONNX weights a model loads with: the caller's dtype, else the model's
 * `transformers.js_config.dtype`, else fp16/fp32 on WebGPU (by shader-f16 support) and q8 on WASM.
 */
export function chooseDtype(config: Record<string, unknown>, opts: { dtype?: string; device: Device; shaderF16?: boolean }): string {
  const jsConfig = (config['transformers.js_config'] ?? {}) as { dtype?: string };
  return opts.dtype ?? jsConfig.dtype ?? (opts.device === 'webgpu' ? (opts.shaderF16 ? 'fp16' : 'fp32') : 'q8');
}
