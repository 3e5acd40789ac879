/**
 * Domain types shared by the main thread and the worker: models, devices, chat messages, scored
 * tokens and beam steps. Plain data, no behaviour; `src/worker/protocol.ts` re-exports them so worker
 * code keeps its imports, and the store and components import them from here (never from worker/).
 */
import type { BeamCandidate, BeamHypothesis } from '../engine/beam.ts';
import type { PieceEncoding } from '../engine/tokens.ts';

/** The UI languages (src/i18n). */
export type Language = 'en' | 'zh-Hans' | 'zh-Hant';

export type DevicePreference = 'auto' | 'webgpu' | 'wasm';
export type Device = 'webgpu' | 'wasm';

/** Where a model comes from. */
export type ModelSource =
  | { kind: 'embedded'; name: string }
  /** `dtype`: the weight format to download (e.g. `q4f16`); default: the model's transformers.js_config dtype, else per device. */
  | { kind: 'hub'; modelId: string; host?: string; revision?: string; dtype?: string }
  | { kind: 'folder'; name: string; files: File[] };

/** A model behind a llama.cpp, vLLM or Ollama server (`apiKey` lives in memory only: never saved or shared). */
export interface ServerSource {
  kind: 'server';
  url: string;
  /** The model name on the server ('' for a single-model server). */
  model: string;
  apiKey?: string;
  /** Ask llama.cpp for only the top N tokens per step (when the whole vocabulary is too slow); absent or 0: the whole vocabulary. */
  topN?: number;
}

/** Any model a 'load' request can name: one the browser runs, or one on a server. */
export type AnySource = ModelSource | ServerSource;

/**
 * One message of a conversation for a chat template (the roles of Hugging Face chat templates).
 * `content` is untrusted user text.
 */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** What the UI needs to know about a loaded model. */
export interface ModelInfo {
  /** Model id, folder name or embedded name. */
  id: string;
  sourceKind: AnySource['kind'];
  modelType: string;
  vocabSize: number;
  contextLength: number;
  bosTokenId: number | null;
  eosTokenId: number | null;
  /** Where the forward passes run: this browser (WebGPU or WASM) or a model server (src/worker/server). */
  device: Device | 'server';
  dtype: string;
  /** WASM threads ONNX Runtime uses. */
  threads: number;
  crossOriginIsolated: boolean;
  /** Reason the WebGPU attempt failed, when it fell back to WASM. */
  fallbackReason: string | null;
  /** Every vocabulary entry's bytes, concatenated; entry i is bytes[offsets[i]..offsets[i+1]). */
  vocabBytes: Uint8Array;
  /** Uint32Array of length vocabSize + 1. */
  vocabOffsets: Uint32Array;
  /** Raw vocabulary strings (as stored by the tokenizer), for hover details. */
  vocabPieces: string[];
  /** 1 for special / added tokens. */
  special: Uint8Array;
  pieceEncoding: PieceEncoding;
  /** True when the tokenizer has a chat template (`chat_template` in tokenizer_config.json): chat mode is possible. */
  hasChatTemplate: boolean;
  /**
   * The end-of-turn token of an instruct model (ChatML `<|im_end|>`, Llama 3 `<|eot_id|>`, Gemma
   * `<end_of_turn>`, Phi-3 `<|end|>`) when its tokenizer has a chat template and that special token; null
   * otherwise. Generation stops at it like at EOS.
   */
  endOfTurnTokenId: number | null;
  /** The model card text (README.md) when the source has one. */
  modelCard: string | null;
  /** SHA-256 (hex) over config.json, tokenizer.json and the ONNX file, when available. */
  fingerprint: string | null;
  /** What a server engine offers (absent for the in-browser model). */
  engine?: EngineInfo;
}

/** What a connected model server is and what it can give (src/worker/server/connect.ts). */
export interface EngineInfo {
  /** The base URL (never with a key). */
  url: string;
  /** `host:port`, for the privacy line. */
  host: string;
  dialect: 'llama.cpp' | 'openai' | 'ollama';
  /** The model name on the server. */
  model: string;
  /** The whole vocabulary comes back each step (else only `topN`). */
  fullVocab: boolean;
  /** Most alternatives per step (the vocabulary size when full). */
  topN: number;
  /** The server speaks token ids (else text and bytes only). */
  tokenIds: boolean;
  /** Raw logits come back (the repetition penalty is exact); else log-probabilities. */
  rawLogits: boolean;
  /** Parallel slots (rows that run at once). */
  slots: number;
  /** The server's version/build string, when reported. */
  version: string | null;
}

/** Per-position teacher-forcing score. */
export interface ScoredToken {
  tokenId: number;
  /** null for the first token (nothing predicts it). */
  prob: number | null;
  rank: number | null;
  entropyBits: number | null;
  /** Top-5 alternatives [tokenId, prob]. */
  top: [number, number][];
}

export interface BeamStepRecord {
  step: number;
  /** Running beams before this step: generated tokens and cumulative logprob. */
  beams: { tokens: number[]; sumLogprobs: number }[];
  candidates: BeamCandidate[];
  finished: BeamHypothesis[];
  done: boolean;
}
