/**
 * The typed message protocol between the UI (client.ts) and the model worker.
 * Discriminated unions on `type`; every request carries an `id`, every answer
 * echoes it; results for a stale id are dropped by the client.
 */
import type { DistributionRecord, TokenStat } from '../engine/distribution.ts';
import type { DrawKey } from '../engine/random.ts';
import type { BeamCandidate, BeamHypothesis } from '../engine/beam.ts';
import type { EngineErrorCode } from '../engine/errors.ts';
import type { BeamSettings, SamplingSettings, Strategy } from '../engine/settings.ts';
import type { PieceEncoding } from '../engine/tokens.ts';
import type { McHistogram } from '../engine/monteCarlo.ts';
import type { McTreeNode } from '../engine/mcTree.ts';

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

export type { StepChoice } from '../engine/step.ts';
import type { StepChoice } from '../engine/step.ts';

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

export type WorkerRequest =
  | { type: 'load'; id: number; source: AnySource; device: DevicePreference; ortPath: string; modelsPath: string }
  | { type: 'cancel-load'; id: number }
  | { type: 'tokenize'; id: number; text: string; addSpecialTokens: boolean }
  /** Prompt ids from the tokenizer's chat template with the generation prompt (answered with `tokens`). */
  | { type: 'chat-tokenize'; id: number; messages: ChatMessage[] }
  | {
      type: 'step';
      id: number;
      /** Node whose next-token distribution is wanted. */
      nodeId: number;
      /** Node ids from the root to nodeId (caches of ancestors are reused). */
      path: number[];
      /** Prompt + generated ids of nodeId. */
      ids: number[];
      strategy: Strategy;
      settings: SamplingSettings;
      topN: number;
      extraIds: number[];
      /** Draw key for sampling, null otherwise. */
      drawKey: DrawKey | null;
      /** Choose this token instead of the strategy's choice; null = the strategy chooses; 'none' = no choice (distribution only). */
      choose: number | null | 'none';
    }
  | { type: 'query'; id: number; nodeId: number; path: number[]; ids: number[]; settings: SamplingSettings; strategy: Strategy; tokenIds: number[] }
  /**
   * Run to end, in the worker: up to `count` greedy or sampled steps from node path.at(-1) (fewer
   * after a 'cancel-run'), each
   * exactly as a 'step' request with choose = null (same draw keys: depth = the parent's depth,
   * reroll = `firstReroll` for the first step and 0 after), streamed as 'run-step' messages, ending
   * with 'run-done'. New nodes get worker ids nextNodeId, nextNodeId + 1, … (the ids the main
   * thread will give them). Stops after EOS or the end-of-turn token.
   */
  | {
      type: 'run';
      id: number;
      path: number[];
      ids: number[];
      strategy: 'greedy' | 'sample';
      settings: SamplingSettings;
      topN: number;
      extraIds: number[];
      seed: number;
      startDepth: number;
      firstReroll: number;
      nextNodeId: number;
      count: number;
    }
  | {
      type: 'beam';
      id: number;
      nodeId: number;
      path: number[];
      ids: number[];
      settings: BeamSettings;
      maxNewTokens: number;
    }
  /** Ends the 'run' request `runId` after its current step (answered with 'done'). */
  | { type: 'cancel-run'; id: number; runId: number }
  | { type: 'score-text'; id: number; text: string }
  /** Monte-Carlo: N samples from a node's final distribution under `settings` (draw keys in engine/monteCarlo.ts). */
  | { type: 'mc-sample'; id: number; nodeId: number; path: number[]; ids: number[]; settings: SamplingSettings; n: number; seed: number; depth: number; topM: number }
  /** Monte-Carlo: N continuations of up to `length` tokens from a node, merged into a tree (one batched forward per level). */
  | { type: 'mc-tree'; id: number; nodeId: number; path: number[]; ids: number[]; settings: SamplingSettings; n: number; length: number; seed: number; depth: number }
  /** Stops a running mc-tree request (`target` is its id); it answers with an error `cancelled`. */
  | { type: 'mc-cancel'; id: number; target: number }
  | { type: 'forget'; id: number; nodeIds: number[] | 'all' }
  | { type: 'stats'; id: number }
  | { type: 'crash-for-test'; id: number }
  /** Benchmarks (npm run bench): the floors the app's own work is compared with. */
  | { type: 'bench-raw-decode'; id: number; path: number[]; ids: number[]; reps: number }
  | { type: 'bench-generate'; id: number; ids: number[]; maxNewTokens: number }
  | { type: 'bench-math'; id: number; vocabSize: number; reps: number };

export type WorkerResponse =
  | {
      type: 'load-progress';
      id: number;
      /** The file this event is about, its bytes so far and size, and its progress 0..1. */
      file: string;
      loaded: number;
      total: number;
      progress: number;
      /** Bytes so far over all files seen, their total, and that ratio 0..1. */
      loadedAll: number;
      totalAll: number;
      overall: number;
    }
  | { type: 'loaded'; id: number; info: ModelInfo }
  | { type: 'tokens'; id: number; ids: number[] }
  | {
      type: 'step-result';
      id: number;
      nodeId: number;
      record: DistributionRecord;
      choice: StepChoice | null;
      /**
       * True when the chosen token ends the sequence by the decoder's one stop rule (EOS or the
       * end-of-turn token); false when it does not or nothing was chosen.
       */
      stop: boolean;
      /** Forward passes run so far (ONNX session runs). */
      forwardCount: number;
      /** Time of the forward pass for this request (ms), 0 when served from cache. */
      forwardMs: number;
      /** Time the worker spent on the whole request: forward, processors, record (ms). */
      workerMs: number;
      phase: 'prefill' | 'decode' | 'cached';
    }
  | { type: 'query-result'; id: number; nodeId: number; stats: TokenStat[] }
  /** One step of a 'run' request: the record of the parent node and the chosen token (as 'step-result'). */
  | {
      type: 'run-step';
      id: number;
      record: DistributionRecord;
      choice: StepChoice;
      /** True when the chosen token ends the sequence (EOS or end-of-turn; the run ends with it). */
      stop: boolean;
      forwardCount: number;
      forwardMs: number;
      phase: 'prefill' | 'decode' | 'cached';
    }
  | { type: 'run-done'; id: number; steps: number; forwardCount: number }
  | { type: 'beam-step'; id: number; record: BeamStepRecord; forwardCount: number }
  | { type: 'beam-done'; id: number; hypotheses: BeamHypothesis[]; forwardCount: number }
  | { type: 'mc-result'; id: number; histogram: McHistogram; forwardCount: number }
  | { type: 'mc-tree-result'; id: number; nodes: McTreeNode[]; forwardCount: number }
  | { type: 'score-result'; id: number; tokens: ScoredToken[]; forwardCount: number; windows: number }
  | { type: 'stats-result'; id: number; liveTensors: number; cacheBytes: number; snapshots: number; forwardCount: number; disposedTwice: number }
  | { type: 'done'; id: number }
  | { type: 'bench-result'; id: number; ms: number[]; floorMs?: number[] }
  | { type: 'error'; id: number; code: EngineErrorCode; message: string };
