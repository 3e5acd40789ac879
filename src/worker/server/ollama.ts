/**
 * The Ollama dialect (v0.12.11 or newer, from Ollama's API documentation `docs/api.md` "Generate a
 * completion" with `logprobs`; tests/fixtures/server/ holds bodies written from it).
 *
 * - `GET /api/version` → `{version}` (detection); `GET /api/tags` → `{models: [{name, model}]}`.
 * - `POST /api/generate {model, prompt, raw: true, stream: false, options: {num_predict: 1,
 *   temperature: 0}, logprobs: true, top_logprobs: N}` with N in 0..20 → `logprobs: [{token, logprob,
 *   bytes, top_logprobs: [{token, logprob, bytes}]}]`.
 * Ollama gives token strings and bytes, no ids, no tokenize endpoint, and a Go chat template the app
 * cannot render: a text-level mode. Tokens are keyed by their bytes; a prompt is text, so a chosen
 * token that ends inside a UTF-8 character is held back (utf8.ts) and chat mode is off.
 */
import { z } from 'zod';
import { ServerError } from './errors.ts';
import type { RequestOptions, ServerHttp } from './http.ts';
import type { NextTokenScores, ServerModelFacts, ServerToken } from './types.ts';
import { utf8Bytes } from './types.ts';
import { bytesKey } from './utf8.ts';

/** Ollama caps `top_logprobs` at 20. */
export const OLLAMA_MAX_TOP_LOGPROBS = 20;

export const ollamaVersionSchema = z.object({ version: z.string().min(1) });
const tagsSchema = z.object({ models: z.array(z.object({ name: z.string(), model: z.string().optional() })) });
const entry = z.object({ token: z.string(), logprob: z.number().max(1e-4), bytes: z.array(z.number().int().min(0).max(255)).nullable().optional() });
export const ollamaGenerateSchema = z.object({
  response: z.string().optional(),
  done: z.boolean().optional(),
  logprobs: z.array(entry.extend({ top_logprobs: z.array(entry).nullable().optional() })).nullable().optional(),
  prompt_eval_duration: z.number().optional(),
  eval_duration: z.number().optional(),
});

/** The request body of one next-token query (exported for the request-shape test). */
export function ollamaGenerateRequest(model: string, promptText: string, topN: number): Record<string, unknown> {
  if (!Number.isInteger(topN) || topN < 1 || topN > OLLAMA_MAX_TOP_LOGPROBS) throw new RangeError(`topN must be in 1..${OLLAMA_MAX_TOP_LOGPROBS}: ${topN}`);
  return {
    model, prompt: promptText, raw: true, stream: false,
    options: { num_predict: 1, temperature: 0 },
    logprobs: true, top_logprobs: topN,
  };
}

function conv(e: z.infer<typeof entry>): ServerToken {
  return { tokenId: null, bytes: e.bytes ? Uint8Array.from(e.bytes) : utf8Bytes(e.token), logprob: e.logprob };
}

/**
 * Turns an `/api/generate` answer into a text-level next-token distribution: ids null, tokens keyed
 * by their bytes (two alternatives with the same bytes keep the more likely one).
 * @throws ServerError `bad-answer` when the answer has no logprobs (Ollama older than 0.12.11)
 */
export function parseOllamaGenerate(value: z.infer<typeof ollamaGenerateSchema>, ms: number): NextTokenScores {
  const first = value.logprobs?.[0];
  if (!first) throw new ServerError('bad-answer', '/api/generate: no logprobs in the answer (Ollama 0.12.11 or newer is needed)');
  const byKey = new Map<string, ServerToken>();
  for (const t of (first.top_logprobs ?? []).map(conv)) {
    const k = bytesKey(t.bytes);
    const had = byKey.get(k);
    if (!had || had.logprob < t.logprob) byKey.set(k, t);
  }
  const top = [...byKey.values()].sort((a, b) => b.logprob - a.logprob);
  const ns = (value.prompt_eval_duration ?? 0) + (value.eval_duration ?? 0);
  return { top, reported: top.length > 0, keyedBy: 'text', sampled: conv(first), serverMs: ns > 0 ? ns / 1e6 : null, ms };
}

/** Requests of the Ollama dialect over one `ServerHttp`. */
export class OllamaClient {
  readonly dialect = 'ollama' as const;
  constructor(private readonly http: ServerHttp, readonly model: string) {}

  static async listModels(http: ServerHttp, options?: RequestOptions): Promise<string[]> {
    const { value } = await http.json('/api/tags', undefined, tagsSchema, options);
    return value.models.map((m) => m.name);
  }

  async describe(version: string | null, options?: RequestOptions): Promise<ServerModelFacts> {
    const names = await OllamaClient.listModels(this.http, options);
    if (this.model && !names.includes(this.model)) throw new ServerError('not-found', `model ${this.model} is not on this server`);
    return {
      dialect: 'ollama', modelName: this.model || names[0] || '', vocabSize: null, contextLength: null, chatTemplate: null,
      bosText: null, eosText: null, slots: 1, version,
    };
  }

  /** The distribution after `promptText` (whole characters only: see HeldBackText). */
  async nextToken(promptText: string, topN: number, options?: RequestOptions): Promise<NextTokenScores> {
    const n = Math.min(topN, OLLAMA_MAX_TOP_LOGPROBS);
    const { value, ms } = await this.http.json('/api/generate', ollamaGenerateRequest(this.model, promptText, n), ollamaGenerateSchema, options);
    return parseOllamaGenerate(value, ms);
  }
}
