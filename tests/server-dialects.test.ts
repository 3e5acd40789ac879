/**
 * The vLLM (OpenAI-compatible) and Ollama dialects on answer bodies written from their documentation
 * (tests/fixtures/server/README.md names the versions), detection, text-level UTF-8 hold-back, and the
 * error classification a person reads. The llama.cpp dialect runs live in server-llamacpp.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  maxLogprobsFromError, openaiCompletionRequest, openaiCompletionSchema, parseOpenaiCompletion, parsePromptLogprobs, openaiModelsSchema,
} from '../src/worker/server/openai.ts';
import { OLLAMA_MAX_TOP_LOGPROBS, ollamaGenerateRequest, ollamaGenerateSchema, parseOllamaGenerate } from '../src/worker/server/ollama.ts';
import { llamaCompletionRequest, serverPick } from '../src/worker/server/llamacpp.ts';
import { decideDialect } from '../src/worker/server/detect.ts';
import {
  CORS_FLAGS, ServerError, classifyHttpError, classifyNetworkFailure, isLoopbackHost, mixedContentError, parseServerUrl,
} from '../src/worker/server/errors.ts';
import { HeldBackText, bytesKey, committableLength } from '../src/worker/server/utf8.ts';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`./fixtures/server/${name}`, import.meta.url), 'utf8'));
const fixtureText = (name: string): string => readFileSync(new URL(`./fixtures/server/${name}`, import.meta.url), 'utf8');
const utf8 = (s: string) => Array.from(new TextEncoder().encode(s));

describe('request bodies', () => {
  it('vLLM: token-id prompt, one new token, N log-probabilities keyed by token id', () => {
    expect(openaiCompletionRequest('Qwen/Qwen2.5-7B', [1, 2, 3], 20)).toEqual({
      model: 'Qwen/Qwen2.5-7B', prompt: [1, 2, 3], max_tokens: 1, logprobs: 20, temperature: 0, echo: false, stream: false,
      return_tokens_as_token_ids: true,
    });
    expect(openaiCompletionRequest('m', [1], 1, 5)).toMatchObject({ prompt_logprobs: 5 });
    expect(() => openaiCompletionRequest('m', [], 5)).toThrow(RangeError);
  });
  it('Ollama: raw text prompt, num_predict 1, top_logprobs at most 20', () => {
    expect(ollamaGenerateRequest('qwen2.5:7b', '今天天气', 20)).toEqual({
      model: 'qwen2.5:7b', prompt: '今天天气', raw: true, stream: false, options: { num_predict: 1, temperature: 0 }, logprobs: true, top_logprobs: 20,
    });
    expect(() => ollamaGenerateRequest('m', 'x', OLLAMA_MAX_TOP_LOGPROBS + 1)).toThrow(RangeError);
  });
  it('llama.cpp: token-id prompt, n_predict 1 (not 0), n_probs, cache_prompt, id_slot', () => {
    expect(llamaCompletionRequest([5, 6], 4000, 2)).toMatchObject({ prompt: [5, 6], n_predict: 1, n_probs: 4000, cache_prompt: true, id_slot: 2 });
    expect(llamaCompletionRequest([5], 1, null)).not.toHaveProperty('id_slot');
    expect(llamaCompletionRequest([5], 1, null)).not.toHaveProperty('logit_bias');
    expect(llamaCompletionRequest([5], 1, null, 7)).toMatchObject({ logit_bias: [[7, 1e4]] });
    // the pick: EOS when there is one, else the first one-character printable ASCII token
    const vocab = (pieces: number[][]) => {
      const offsets = new Uint32Array(pieces.length + 1);
      pieces.forEach((p, i) => (offsets[i + 1] = offsets[i] + p.length));
      return { vocabSize: pieces.length, vocabBytes: Uint8Array.from(pieces.flat()), vocabOffsets: offsets };
    };
    const v = vocab([[0xe4], [0x20], [0x61, 0x62], [0x21], [0x61]]);
    expect(serverPick({ ...v, eosTokenId: 2 })).toBe(2);
    expect(serverPick({ ...v, eosTokenId: null })).toBe(3);
    expect(serverPick({ ...vocab([[0xe4], [0x20]]), eosTokenId: null })).toBeNull();
  });
});

describe('vLLM v0.11 answers', () => {
  const parse = (name: string) => parseOpenaiCompletion(openaiCompletionSchema.parse(fixture(name)), 12);

  it('token_id keys → ids, sorted by log-probability, the sampled token', () => {
    const a = parse('vllm-0.11-completions-token-ids.json');
    expect(a.keyedBy).toBe('ids');
    expect(a.reported).toBe(true);
    expect(a.top.map((t) => t.tokenId)).toEqual([52801, 101042, 99180, 26288]);
    expect(a.top[0].logprob).toBeCloseTo(Math.log(0.7), 6);
    expect(a.sampled?.tokenId).toBe(52801);
  });

  it('empty top_logprobs ([{}]) is "not reported" — no token gets probability 0', () => {
    const a = parse('vllm-0.11-completions-empty-top-logprobs.json');
    expect(a.reported).toBe(false);
    expect(a.top).toEqual([]);
    expect(a.sampled?.tokenId).toBe(52801);
  });

  it('a server that ignores return_tokens_as_token_ids answers text-keyed: a text-level answer without ids', () => {
    const a = parse('vllm-0.11-completions-text-keyed.json');
    expect(a.keyedBy).toBe('text');
    expect(a.top.every((t) => t.tokenId === null)).toBe(true);
    expect(a.top.map((t) => new TextDecoder().decode(t.bytes))).toEqual([' a', ' the', ' an', '\ufffd']);
  });

  it('prompt_logprobs: one entry per prompt position, the first null, ids and ranks', () => {
    const v = openaiCompletionSchema.parse(fixture('vllm-0.11-completions-prompt-logprobs.json'));
    const pos = parsePromptLogprobs(v, 4);
    expect(pos[0]).toBeNull();
    expect(pos[1]?.entries.map((e) => e.tokenId)).toEqual([3837, 9370, 35727]);
    expect(pos[3]?.entries.find((e) => e.tokenId === 88051)).toMatchObject({ rank: 57 });
    expect(() => parsePromptLogprobs(v, 5)).toThrow(ServerError);
  });

  it('/v1/models gives the model and context, no vocabulary size', () => {
    const m = openaiModelsSchema.parse(fixture('vllm-0.11-models.json'));
    expect(m.data[0]).toMatchObject({ id: 'Qwen/Qwen2.5-7B', max_model_len: 32768 });
  });

  it('the --max-logprobs refusal says how many alternatives the server allows', () => {
    const body = fixtureText('vllm-0.11-error-max-logprobs.json');
    expect(classifyHttpError(400, body).code).toBe('server-error');
    expect(maxLogprobsFromError(body)).toBe(20);
    expect(maxLogprobsFromError('something else')).toBeNull();
  });

  it('context and key errors are the ones a person can act on', () => {
    expect(classifyHttpError(400, fixtureText('vllm-0.11-error-context.json')).code).toBe('context-full');
    expect(classifyHttpError(401, fixtureText('vllm-0.11-error-unauthorized.json')).code).toBe('unauthorized');
  });

  it('rejects answers that are not log-probabilities', () => {
    const bad = structuredClone(fixture('vllm-0.11-completions-token-ids.json')) as { choices: { logprobs: { top_logprobs: Record<string, number>[] } }[] };
    bad.choices[0].logprobs.top_logprobs[0]['token_id:1'] = 3.5;
    expect(openaiCompletionSchema.safeParse(bad).success).toBe(false);
  });
});

describe('Ollama v0.12.11 answers (text-level: bytes, no ids)', () => {
  const parse = (name: string) => parseOllamaGenerate(ollamaGenerateSchema.parse(fixture(name)), 7);

  it('alternatives keyed by their bytes, not their (lossy) text', () => {
    const a = parse('ollama-0.12.11-generate-logprobs.json');
    expect(a.keyedBy).toBe('text');
    expect(a.top.map((t) => bytesKey(t.bytes))).toEqual(['e5 a5 bd', 'e4 b8 8d e9 94 99', 'e7 9a 84', 'e7']);
    expect(a.top.every((t) => t.tokenId === null)).toBe(true);
    expect(a.serverMs).toBeCloseTo(98.213 + 61.244, 6);
  });

  it('two alternatives that both read "\\ufffd" stay distinct by bytes', () => {
    const a = parse('ollama-0.12.11-generate-partial.json');
    expect(a.top.map((t) => Array.from(t.bytes))).toEqual([[231, 156], [231], utf8('是')]);
  });

  it('an answer without logprobs (Ollama older than 0.12.11) is refused with a reason', () => {
    expect(() => parse('ollama-0.12.11-generate-no-logprobs.json')).toThrow(/0\.12\.11/);
  });

  it('holds back a chosen token that ends inside a character, and sends the text once it is whole', () => {
    // 今天天气 + the partial token e7 9c (first two bytes of 真) + the next token 9f
    const text = new HeldBackText();
    text.push(new TextEncoder().encode('今天天气'));
    const partial = parse('ollama-0.12.11-generate-partial.json').top[0];
    text.push(partial.bytes);
    expect(text.committedText).toBe('今天天气');
    expect(Array.from(text.heldBack)).toEqual([231, 156]);
    text.push(Uint8Array.of(0x9f));
    expect(text.committedText).toBe('今天天气真');
    expect(text.heldBack).toHaveLength(0);
    text.pop(1);
    expect(text.committedText).toBe('今天天气');
  });

  it.each([
    [[], 0], [utf8('a'), 1], [utf8('真'), 3], [[0xe7], 0], [[0xe7, 0x9c], 0], [[0x61, 0xf0, 0x9f, 0xa6], 1],
    [[0xe0, 0x80], 2], // overlong prefix: can never complete, not held back
    [[0xed, 0xa0], 2], // surrogate prefix: invalid, not held back
    [[0xff], 1], [[0x80], 1],
  ] as [number[], number][])('committableLength(%j) = %i', (bytes, n) => {
    expect(committableLength(Uint8Array.from(bytes))).toBe(n);
  });
});

describe('dialect detection', () => {
  const notFound = new ServerError('not-found', 'HTTP 404', { status: 404 });
  it('Ollama answers /api/version (and also /v1/models): Ollama wins', () => {
    const d = decideDialect({ props: notFound, apiVersion: fixture('ollama-0.12.11-version.json'), models: fixture('vllm-0.11-models.json') });
    expect(d).toEqual({ dialect: 'ollama', modelIds: [], version: '0.12.11' });
  });
  it('only /v1/models: OpenAI-compatible (vLLM)', () => {
    const d = decideDialect({ props: notFound, apiVersion: notFound, models: fixture('vllm-0.11-models.json') });
    expect(d).toEqual({ dialect: 'openai', modelIds: ['Qwen/Qwen2.5-7B'], version: null });
  });
  it('nothing answers: the actionable error (401 before 404)', () => {
    const unauth = new ServerError('unauthorized', 'HTTP 401', { status: 401 });
    expect(() => decideDialect({ props: notFound, apiVersion: notFound, models: unauth })).toThrow(expect.objectContaining({ code: 'unauthorized' }));
    expect(() => decideDialect({ props: notFound, apiVersion: notFound, models: notFound })).toThrow(expect.objectContaining({ code: 'unknown-dialect' }));
  });
});

describe('errors a person can act on', () => {
  const url = parseServerUrl('http://192.168.1.20:8000/');
  const facts = { pageOrigin: 'https://example.org', localNetworkPermission: null, serverAnswers: null, timedOut: false, cancelled: false } as const;

  it('normalises the URL and refuses what is not an http(s) server', () => {
    expect(parseServerUrl(' http://127.0.0.1:8080/ ').href).toBe('http://127.0.0.1:8080/');
    expect(parseServerUrl('https://gpu.example.edu/vllm/').pathname).toBe('/vllm');
    expect(() => parseServerUrl('file:///etc/passwd')).toThrow(expect.objectContaining({ code: 'invalid-url' }));
    // an address typed without a scheme means http
    expect(parseServerUrl('127.0.0.1:8190').href).toBe('http://127.0.0.1:8190/');
    expect(parseServerUrl(' localhost:11434 ').href).toBe('http://localhost:11434/');
    expect(() => parseServerUrl('javascript:alert(1)')).toThrow(expect.objectContaining({ code: 'invalid-url' }));
    expect(() => parseServerUrl('')).toThrow(expect.objectContaining({ code: 'invalid-url' }));
    expect(() => parseServerUrl('http://user:key@host')).toThrow(expect.objectContaining({ code: 'invalid-url' }));
  });

  it('an https page calling http on another machine is mixed content; loopback is allowed', () => {
    expect(mixedContentError(url, 'https:')?.code).toBe('mixed-content');
    expect(mixedContentError(parseServerUrl('http://localhost:8080'), 'https:')).toBeNull();
    expect(mixedContentError(parseServerUrl('http://127.0.0.1:8080'), 'https:')).toBeNull();
    expect(mixedContentError(url, 'http:')).toBeNull();
    expect(isLoopbackHost('[::1]')).toBe(true);
    expect(isLoopbackHost('127.0.0.1.example.com')).toBe(false);
  });

  it('a refused local-network permission names that, a server that answers is CORS, else unreachable', () => {
    expect(classifyNetworkFailure(url, { ...facts, localNetworkPermission: 'denied' }).code).toBe('local-network');
    expect(classifyNetworkFailure(url, { ...facts, serverAnswers: true }).code).toBe('cors');
    expect(classifyNetworkFailure(url, { ...facts, serverAnswers: false }).code).toBe('unreachable');
    const unsure = classifyNetworkFailure(url, facts);
    expect(unsure.code).toBe('unreachable');
    expect(unsure.detail).toBe('unreachable-or-cors');
    expect(classifyNetworkFailure(url, { ...facts, timedOut: true }).code).toBe('timeout');
    expect(classifyNetworkFailure(url, { ...facts, cancelled: true }).code).toBe('cancelled');
  });

  it('names each server\'s CORS flag', () => {
    expect(CORS_FLAGS).toEqual({ 'llama.cpp': '--cors-origins', openai: '--allowed-origins', ollama: 'OLLAMA_ORIGINS' });
  });
});
