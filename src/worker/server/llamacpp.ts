/**
 * The llama.cpp server dialect (`llama-server`, checked against v0.4.0 as shipped in
 * node-llama-cpp@3.21.1; endpoints and shapes from tools/server/server-context.cpp and
 * server-task.cpp of that tree).
 *
 * - `POST /tokenize {content, add_special, parse_special, with_pieces}` → `{tokens: [{id, piece}]}`; a piece
 *   that is not valid UTF-8 comes back as an array of byte values.
 * - `POST /detokenize {tokens}` → `{content}` (special tokens rendered as their text).
 * - `GET /props` → chat template, BOS/EOS text, slot count and context, build info.
 * - `GET /v1/models` → `data[0].meta.n_vocab`, `n_ctx`.
 * - `POST /apply-template {messages}` → `{prompt}` (the model's own template, rendered by the server).
 * - `POST /completion {prompt: ids, n_predict: 1, n_probs: N, cache_prompt: true, id_slot}` →
 *   `completion_probabilities: [{id, token, bytes, logprob, top_logprobs: [{id, token, bytes, logprob}]}]`.
 *   The log-probabilities are the log-softmax of the raw logits before any sampler (unless
 *   `post_sampling_probs`), sorted descending; N may be the whole vocabulary.
 *   `n_predict: 0` is documented as "evaluate the prompt only" but was seen to generate a token
 *   anyway; we always send 1 (tests/server-llamacpp.test.ts pins both behaviours).
 */
import { z } from 'zod';
import { ServerError } from './errors.ts';
import type { RequestOptions, ServerHttp } from './http.ts';
import type { NextTokenScores, ServerChatMessage, ServerModelFacts, ServerToken } from './types.ts';
import { utf8Bytes } from './types.ts';
import type { ModelInfo } from '../protocol.ts';

const tokenId = z.number().int().nonnegative();
const byteArray = z.array(z.number().int().min(0).max(255));
/** A log-probability (≤ 0 up to float rounding; llama.cpp sends the lowest float for probability 0). */
const logprob = z.number().max(1e-4);

export const llamaPropsSchema = z.object({
  default_generation_settings: z.object({ n_ctx: z.number().int().positive().optional() }).optional(),
  total_slots: z.number().int().positive().optional(),
  chat_template: z.string().optional(),
  bos_token: z.string().optional(),
  eos_token: z.string().optional(),
  build_info: z.string().optional(),
  model_alias: z.string().optional(),
  model_path: z.string().optional(),
});

export const llamaModelsSchema = z.object({
  data: z.array(z.object({
    id: z.string(),
    meta: z.object({ n_vocab: z.number().int().positive().optional(), n_ctx: z.number().int().positive().optional(), n_ctx_train: z.number().int().positive().optional() }).optional(),
  })).min(1),
});

const tokenizeSchema = z.object({
  tokens: z.array(z.union([tokenId, z.object({ id: tokenId, piece: z.union([z.string(), byteArray]) })])),
});

const detokenizeSchema = z.object({ content: z.string() });
const applyTemplateSchema = z.object({ prompt: z.string() });

const probEntry = z.object({ id: tokenId, token: z.string(), bytes: byteArray.nullable().optional(), logprob });

export const llamaCompletionSchema = z.object({
  completion_probabilities: z.array(probEntry.extend({ top_logprobs: z.array(probEntry) })).optional(),
  tokens: z.array(tokenId).optional(),
  content: z.string().optional(),
  timings: z.object({ prompt_ms: z.number().optional(), predicted_ms: z.number().optional() }).optional(),
  id_slot: z.number().int().optional(),
  tokens_cached: z.number().int().optional(),
});

/** A token id with its piece's bytes, from `/tokenize` with `with_pieces`. */
export interface TokenPiece {
  id: number;
  bytes: Uint8Array;
}

function entryToken(e: z.infer<typeof probEntry>): ServerToken {
  return { tokenId: e.id, bytes: e.bytes ? Uint8Array.from(e.bytes) : utf8Bytes(e.token), logprob: e.logprob };
}

/** The request body of one next-token query (exported for the request-shape test). */
export function llamaCompletionRequest(promptIds: readonly number[], topN: number, slot: number | null, pick: number | null = null): Record<string, unknown> {
  if (promptIds.length === 0) throw new RangeError('the prompt must have at least one token');
  if (!Number.isInteger(topN) || topN < 1) throw new RangeError(`topN must be a positive integer: ${topN}`);
  const body: Record<string, unknown> = {
    prompt: [...promptIds],
    n_predict: 1,
    n_probs: topN,
    cache_prompt: true,
    stream: false,
    // the server's own pick is greedy (we draw ourselves); n_probs are taken before any sampler
    temperature: 0,
    return_tokens: true,
  };
  if (slot !== null) body.id_slot = slot;
  // the server's own pick made `pick` (see serverPick): a logit bias is a sampler, after n_probs
  if (pick !== null) body.logit_bias = [[pick, 1e4]];
  return body;
}

/**
 * The token to make the server "generate" in every `/completion` (we never use its pick: we draw from
 * the `n_probs` ourselves). llama.cpp v0.4.0 parses each answer's generated text as a chat message
 * (the "Content-only" format) and answers HTTP 500 "does not match the expected Content-only format"
 * when that text alone is not valid UTF-8 — its greedy token completing a character begun by the
 * prompt's last token, which happens on CJK text split into byte pieces (tests/server-llamacpp.test.ts
 * shows it on the real server). So the pick is the EOS token (its text is empty), else the first token
 * that is one printable ASCII character, else null (no bias).
 * @param info the connected model's vocabulary (bytes per id) and EOS id
 */
export function serverPick(info: Pick<ModelInfo, 'eosTokenId' | 'vocabSize' | 'vocabBytes' | 'vocabOffsets'>): number | null {
  if (info.eosTokenId !== null) return info.eosTokenId;
  for (let id = 0; id < info.vocabSize; id++) {
    const a = info.vocabOffsets[id];
    if (info.vocabOffsets[id + 1] - a === 1 && info.vocabBytes[a] >= 0x21 && info.vocabBytes[a] <= 0x7e) return id;
  }
  return null;
}

/**
 * Turns a `/completion` answer into the next-token distribution. Each id appears once; the list is
 * sorted by descending log-probability (the server sorts; we re-sort to be sure of untrusted input).
 * @throws ServerError `bad-answer` when there is no probability entry or an id repeats
 */
export function parseLlamaCompletion(value: z.infer<typeof llamaCompletionSchema>, ms: number): NextTokenScores {
  const first = value.completion_probabilities?.[0];
  if (!first) throw new ServerError('bad-answer', '/completion: no completion_probabilities (is n_probs supported?)');
  const seen = new Set<number>();
  const top = first.top_logprobs.map(entryToken);
  for (const t of top) {
    if (seen.has(t.tokenId as number)) throw new ServerError('bad-answer', `/completion: token ${t.tokenId} listed twice`);
    seen.add(t.tokenId as number);
  }
  top.sort((a, b) => b.logprob - a.logprob || (a.tokenId as number) - (b.tokenId as number));
  const t = value.timings;
  const serverMs = t && (t.prompt_ms !== undefined || t.predicted_ms !== undefined) ? (t.prompt_ms ?? 0) + (t.predicted_ms ?? 0) : null;
  return { top, reported: top.length > 0, keyedBy: 'ids', sampled: entryToken(first), serverMs, ms };
}

/** Requests of the llama.cpp dialect over one `ServerHttp`. */
export class LlamaCppClient {
  readonly dialect = 'llama.cpp' as const;
  /** The token every `nextToken` makes the server pick (see {@link serverPick}); set at connect, once the vocabulary is known. */
  pick: number | null = null;
  constructor(private readonly http: ServerHttp) {}

  /** GET /health: true when the model is loaded (503 while loading). */
  async health(options?: RequestOptions): Promise<boolean> {
    try {
      await this.http.text('/health', undefined, options);
      return true;
    } catch (err) {
      if (err instanceof ServerError && err.code === 'server-error' && err.status === 503) return false;
      throw err;
    }
  }

  /** What the server says about its model (`/props` and `/v1/models`). */
  async describe(options?: RequestOptions): Promise<ServerModelFacts> {
    const [{ value: props }, { value: models }] = await Promise.all([
      this.http.json('/props', undefined, llamaPropsSchema, options),
      this.http.json('/v1/models', undefined, llamaModelsSchema, options),
    ]);
    const model = models.data[0];
    return {
      dialect: 'llama.cpp',
      modelName: model.id,
      vocabSize: model.meta?.n_vocab ?? null,
      contextLength: props.default_generation_settings?.n_ctx ?? model.meta?.n_ctx ?? null,
      chatTemplate: props.chat_template ? props.chat_template : null,
      bosText: props.bos_token ?? null,
      eosText: props.eos_token ?? null,
      slots: props.total_slots ?? 1,
      version: props.build_info ?? null,
    };
  }

  /** Token ids of `text` (`parse_special`: special-token text becomes control tokens). */
  async tokenize(text: string, options: { parseSpecial: boolean; addSpecial?: boolean } & RequestOptions): Promise<number[]> {
    const pieces = await this.tokenizeWithPieces(text, options);
    return pieces.map((p) => p.id);
  }

  /** Token ids with each piece's bytes (`with_pieces`; non-UTF-8 pieces come as byte arrays). */
  async tokenizeWithPieces(text: string, options: { parseSpecial: boolean; addSpecial?: boolean } & RequestOptions): Promise<TokenPiece[]> {
    const { value } = await this.http.json('/tokenize', {
      content: text, add_special: options.addSpecial ?? false, parse_special: options.parseSpecial, with_pieces: true,
    }, tokenizeSchema, options);
    return value.tokens.map((t) => {
      if (typeof t === 'number') throw new ServerError('bad-answer', '/tokenize ignored with_pieces');
      return { id: t.id, bytes: typeof t.piece === 'string' ? utf8Bytes(t.piece) : Uint8Array.from(t.piece) };
    });
  }

  /** Text of ids (special tokens as their text). */
  async detokenize(ids: readonly number[], options?: RequestOptions): Promise<string> {
    const { value } = await this.http.json('/detokenize', { tokens: [...ids] }, detokenizeSchema, options);
    return value.content;
  }

  /** The prompt text of a conversation through the server's chat template (with the generation prompt). */
  async applyTemplate(messages: readonly ServerChatMessage[], options?: RequestOptions): Promise<string> {
    const { value } = await this.http.json('/apply-template', { messages, add_generation_prompt: true }, applyTemplateSchema, options);
    return value.prompt;
  }

  /**
   * The distribution after `promptIds`: the top `topN` tokens (the whole vocabulary when topN ≥ n_vocab)
   * with log-softmax of the raw logits. `slot` pins a server slot (its own prompt cache), null lets the server choose.
   * `options.pick`: the token the server is made to pick (see {@link serverPick}); absent: this client's `pick`.
   */
  async nextToken(promptIds: readonly number[], topN: number, slot: number | null, options?: RequestOptions & { pick?: number | null }): Promise<NextTokenScores> {
    const { value, ms } = await this.http.json('/completion', llamaCompletionRequest(promptIds, topN, slot, options?.pick !== undefined ? options.pick : this.pick), llamaCompletionSchema, options);
    return parseLlamaCompletion(value, ms);
  }
}
