/**
 * What the dialect clients return, whatever the server: one shape for a next-token distribution and
 * one for what a server says about its model. The server backend turns these into the decoder's
 * `ModelBackend` answers.
 */
import type { ServerDialect } from './errors.ts';

/** One token as a server reports it. */
export interface ServerToken {
  /** The vocabulary id, or null when the server reports only text and bytes (Ollama, text-keyed OpenAI answers). */
  tokenId: number | null;
  /** The token's bytes (exact when the server sends bytes; else the UTF-8 of its text). */
  bytes: Uint8Array;
  /** Natural-log probability (nats) as the server computed it. */
  logprob: number;
}

/** A server's answer for the distribution after a prompt. */
export interface NextTokenScores {
  /**
   * The alternatives by descending log-probability, each token at most once. Empty when the server
   * reported none (`reported` false): that is "not reported", never probability 0.
   */
  top: ServerToken[];
  /** False when the server answered without alternatives (vLLM's empty `top_logprobs`). */
  reported: boolean;
  /** `ids` when every alternative carries its id; `text` when the server keyed them by text/bytes. */
  keyedBy: 'ids' | 'text';
  /** The token the server itself generated (with its own sampler), when it says. */
  sampled: ServerToken | null;
  /** The server's own compute time in ms (prompt + predicted), null when it does not report it. */
  serverMs: number | null;
  /** Wall time of the request in ms, as the client measured it. */
  ms: number;
}

/** What a server says about the model it serves (every field may be unknown). */
export interface ServerModelFacts {
  dialect: ServerDialect;
  /** The model name to send (`model` field) and to show. */
  modelName: string;
  /** Vocabulary size, null when the server does not say (then only top-N is possible). */
  vocabSize: number | null;
  /** Context length in tokens (the slot's context on llama.cpp), null when not reported. */
  contextLength: number | null;
  /** The chat template source, null when none or when it cannot be rendered here (Ollama's Go templates). */
  chatTemplate: string | null;
  /** BOS/EOS as text (llama.cpp `/props`), null when unknown. */
  bosText: string | null;
  eosText: string | null;
  /** Parallel slots (llama.cpp `total_slots`), 1 when unknown. */
  slots: number;
  /** The server's version or build string, when it reports one. */
  version: string | null;
}

/** What a dialect can give, decided at connect time from the server's answers. */
export interface DialectAbilities {
  /** Token ids both ways (tokenize endpoint, id prompts, id-keyed alternatives). */
  tokenIds: boolean;
  /** Most alternatives per step (the vocabulary size when the whole vocabulary comes back). */
  maxTopN: number;
  /** True when `maxTopN` covers the whole vocabulary. */
  fullVocab: boolean;
  /** True when the scores are raw logits (vLLM `--logprobs-mode raw_logits`), else log-probabilities. */
  rawLogits: boolean;
  /** True when one request scores every prompt position (vLLM `prompt_logprobs`). */
  promptLogprobs: boolean;
}

/** A chat message as the templates take it. */
export interface ServerChatMessage {
  role: string;
  content: string;
}

const encoder = new TextEncoder();

/** UTF-8 bytes of a string (for servers that report text only). */
export function utf8Bytes(text: string): Uint8Array {
  return encoder.encode(text);
}
