/**
 * The OpenAI-compatible completions dialect as vLLM serves it (request and answer shapes from vLLM's
 * documentation and `vllm/entrypoints/openai/protocol.py`, v0.11; tests/fixtures/server/ holds bodies
 * written from it). llama.cpp's own `/v1/completions` answer shape (`logprobs.content[]` with ids) is
 * accepted too.
 *
 * - `POST /v1/completions {model, prompt: [ids], max_tokens: 1, logprobs: N, temperature: 0,
 *   return_tokens_as_token_ids: true}` → `choices[0].logprobs.top_logprobs[0]`: an object from token
 *   to log-probability. With `return_tokens_as_token_ids` each key is `token_id:<id>`; a server that
 *   ignores the flag keys them by decoded text, where distinct tokens that decode alike collide: the
 *   answer is then text-level (`keyedBy: 'text'`, no ids). N is capped by the server's
 *   `--max-logprobs` (default 20); an empty `top_logprobs` means "not reported", never probability 0.
 * - `prompt_logprobs: N` adds `choices[0].prompt_logprobs`: one entry per prompt position (the first
 *   null), each `{"<id>": {logprob, rank, decoded_token}}` — every prompt position scored in one request.
 * - `POST /tokenize {model, prompt, add_special_tokens}` → `{tokens, count, max_model_len}`;
 *   `POST /detokenize {model, tokens}` → `{prompt}`; `GET /v1/models` → `data[].id`, `max_model_len`.
 * - `Authorization: Bearer <key>` when the server runs with `--api-key` (ServerHttp adds it).
 */
import { z } from 'zod';
import { ServerError } from './errors.ts';
import type { RequestOptions, ServerHttp } from './http.ts';
import type { NextTokenScores, ServerModelFacts, ServerToken } from './types.ts';
import { utf8Bytes } from './types.ts';

const TOKEN_ID_KEY = /^token_id:(\d+)$/;
const logprob = z.number().max(1e-4);

export const openaiModelsSchema = z.object({
  data: z.array(z.object({ id: z.string(), max_model_len: z.number().int().positive().optional(), owned_by: z.string().optional() })).min(1),
});

/** The legacy completions `logprobs` object (vLLM), or the chat-style `content[]` (llama.cpp's /v1/completions). */
const legacyLogprobs = z.object({
  tokens: z.array(z.string()).optional(),
  token_logprobs: z.array(logprob.nullable()).optional(),
  top_logprobs: z.array(z.record(z.string(), logprob).nullable()).nullable().optional(),
});
const contentEntry = z.object({ id: z.number().int().nonnegative().optional(), token: z.string(), bytes: z.array(z.number().int().min(0).max(255)).nullable().optional(), logprob });
const contentLogprobs = z.object({ content: z.array(contentEntry.extend({ top_logprobs: z.array(contentEntry) })) });

const promptLogprobEntry = z.record(z.string(), z.object({ logprob, rank: z.number().int().nullable().optional(), decoded_token: z.string().nullable().optional() })).nullable();

export const openaiCompletionSchema = z.object({
  choices: z.array(z.object({
    text: z.string().optional(),
    logprobs: z.union([contentLogprobs, legacyLogprobs]).nullable().optional(),
    prompt_logprobs: z.array(promptLogprobEntry).nullable().optional(),
  })).min(1),
});

const tokenizeSchema = z.object({ tokens: z.array(z.number().int().nonnegative()), max_model_len: z.number().int().positive().optional() });
const detokenizeSchema = z.object({ prompt: z.string() });

/** The request body of one next-token query (exported for the request-shape test). */
export function openaiCompletionRequest(model: string, promptIds: readonly number[], topN: number, promptLogprobs: number | null = null): Record<string, unknown> {
  if (promptIds.length === 0) throw new RangeError('the prompt must have at least one token');
  if (!Number.isInteger(topN) || topN < 1) throw new RangeError(`topN must be a positive integer: ${topN}`);
  const body: Record<string, unknown> = {
    model,
    prompt: [...promptIds],
    max_tokens: 1,
    logprobs: topN,
    temperature: 0,
    echo: false,
    stream: false,
    return_tokens_as_token_ids: true,
  };
  if (promptLogprobs !== null) body.prompt_logprobs = promptLogprobs;
  return body;
}

/** `token_id:<id>` → id; anything else (decoded text) → null. */
export function tokenIdFromKey(key: string): number | null {
  const m = TOKEN_ID_KEY.exec(key);
  return m ? Number(m[1]) : null;
}

function fromKey(key: string, lp: number): ServerToken {
  const id = tokenIdFromKey(key);
  return { tokenId: id, bytes: id === null ? utf8Bytes(key) : new Uint8Array(0), logprob: lp };
}

/**
 * Turns a completions answer into the next-token distribution.
 * - Keys all `token_id:<id>` → `keyedBy: 'ids'` (bytes unknown here: empty; the vocabulary gives them).
 * - Any key in decoded text → `keyedBy: 'text'`, ids null, bytes = the text's UTF-8 (the flag was ignored).
 * - `top_logprobs` missing, null, `[]` or `[{}]` → `reported: false`, `top` empty.
 * @throws ServerError `bad-answer` when a choice has no logprobs at all
 */
export function parseOpenaiCompletion(value: z.infer<typeof openaiCompletionSchema>, ms: number): NextTokenScores {
  const lp = value.choices[0].logprobs;
  if (!lp) throw new ServerError('bad-answer', '/v1/completions: no logprobs in the answer (logprobs not supported?)');
  let top: ServerToken[];
  let sampled: ServerToken | null = null;
  if ('content' in lp) {
    const first = lp.content[0];
    if (!first) return { top: [], reported: false, keyedBy: 'ids', sampled: null, serverMs: null, ms };
    const conv = (e: z.infer<typeof contentEntry>): ServerToken =>
      e.id !== undefined
        ? { tokenId: e.id, bytes: e.bytes ? Uint8Array.from(e.bytes) : utf8Bytes(e.token), logprob: e.logprob }
        : { tokenId: tokenIdFromKey(e.token), bytes: e.bytes ? Uint8Array.from(e.bytes) : utf8Bytes(e.token), logprob: e.logprob };
    top = first.top_logprobs.map(conv);
    sampled = conv(first);
  } else {
    const dict = lp.top_logprobs?.[0] ?? null;
    top = dict ? Object.entries(dict).map(([k, v]) => fromKey(k, v)) : [];
    const tok = lp.tokens?.[0];
    const tokLp = lp.token_logprobs?.[0];
    if (tok !== undefined && tokLp !== undefined && tokLp !== null) sampled = fromKey(tok, tokLp);
  }
  const keyedBy = top.every((t) => t.tokenId !== null) ? 'ids' : 'text';
  if (keyedBy === 'text') for (const t of top) t.tokenId = null;
  top.sort((a, b) => b.logprob - a.logprob);
  return { top, reported: top.length > 0, keyedBy, sampled, serverMs: null, ms };
}

/** One scored prompt position from `prompt_logprobs`: the log-probability and rank of each listed id. */
export interface PromptPositionScores {
  /** Listed ids with their log-probability and rank (1 = most likely), by descending log-probability. */
  entries: { tokenId: number; logprob: number; rank: number | null }[];
}

/**
 * `prompt_logprobs` → one entry per prompt position; position 0 is null (nothing predicts the first token).
 * @throws ServerError `bad-answer` when the list is missing or a key is not an id
 */
export function parsePromptLogprobs(value: z.infer<typeof openaiCompletionSchema>, promptLength: number): (PromptPositionScores | null)[] {
  const list = value.choices[0].prompt_logprobs;
  if (!list) throw new ServerError('bad-answer', '/v1/completions: no prompt_logprobs in the answer');
  if (list.length !== promptLength) throw new ServerError('bad-answer', `/v1/completions: ${list.length} prompt_logprobs for ${promptLength} prompt tokens`);
  return list.map((pos) => {
    if (pos === null) return null;
    const entries = Object.entries(pos).map(([k, v]) => {
      if (!/^\d+$/.test(k)) throw new ServerError('bad-answer', `/v1/completions: prompt_logprobs key is not a token id: ${k.slice(0, 20)}`);
      return { tokenId: Number(k), logprob: v.logprob, rank: v.rank ?? null };
    });
    entries.sort((a, b) => b.logprob - a.logprob);
    return { entries };
  });
}

/**
 * The most log-probabilities a vLLM server allows, read from its refusal of a larger request
 * ("... greater than max allowed: 20"); null when the message does not say.
 */
export function maxLogprobsFromError(detail: string): number | null {
  const m = /max(?:imum)?[ _]?(?:allowed|logprobs)[^0-9-]{0,20}(-?\d+)/i.exec(detail);
  return m ? Number(m[1]) : null;
}

/** Requests of the OpenAI/vLLM dialect over one `ServerHttp`. */
export class OpenAiClient {
  readonly dialect = 'openai' as const;
  constructor(private readonly http: ServerHttp, readonly model: string) {}

  /** What `/v1/models` says (vLLM reports no vocabulary size: it stays null). */
  static async listModels(http: ServerHttp, options?: RequestOptions): Promise<z.infer<typeof openaiModelsSchema>['data']> {
    const { value } = await http.json('/v1/models', undefined, openaiModelsSchema, options);
    return value.data;
  }

  async describe(options?: RequestOptions): Promise<ServerModelFacts> {
    const models = await OpenAiClient.listModels(this.http, options);
    const m = models.find((x) => x.id === this.model) ?? models[0];
    return {
      dialect: 'openai', modelName: m.id, vocabSize: null, contextLength: m.max_model_len ?? null, chatTemplate: null,
      bosText: null, eosText: null, slots: 1, version: null,
    };
  }

  /** Token ids of `text` via vLLM's `/tokenize` (not part of the OpenAI API: absent elsewhere, `not-found`). */
  async tokenize(text: string, addSpecialTokens: boolean, options?: RequestOptions): Promise<number[]> {
    const { value } = await this.http.json('/tokenize', { model: this.model, prompt: text, add_special_tokens: addSpecialTokens }, tokenizeSchema, options);
    return value.tokens;
  }

  /** Prompt ids of a conversation through the model's chat template (vLLM `/tokenize` with `messages`, generation prompt added). */
  async tokenizeChat(messages: readonly { role: string; content: string }[], options?: RequestOptions): Promise<number[]> {
    const { value } = await this.http.json('/tokenize', { model: this.model, messages: messages.map((m) => ({ role: m.role, content: m.content })), add_generation_prompt: true, add_special_tokens: false }, tokenizeSchema, options);
    return value.tokens;
  }

  async detokenize(ids: readonly number[], options?: RequestOptions): Promise<string> {
    const { value } = await this.http.json('/detokenize', { model: this.model, tokens: [...ids] }, detokenizeSchema, options);
    return value.prompt;
  }

  async nextToken(promptIds: readonly number[], topN: number, options?: RequestOptions): Promise<NextTokenScores> {
    const { value, ms } = await this.http.json('/v1/completions', openaiCompletionRequest(this.model, promptIds, topN), openaiCompletionSchema, options);
    return parseOpenaiCompletion(value, ms);
  }

  /** Every prompt position's top `topN` in one request (teacher forcing). */
  async promptScores(promptIds: readonly number[], topN: number, options?: RequestOptions): Promise<(PromptPositionScores | null)[]> {
    const { value } = await this.http.json('/v1/completions', openaiCompletionRequest(this.model, promptIds, 1, topN), openaiCompletionSchema, options);
    return parsePromptLogprobs(value, promptIds.length);
  }
}
