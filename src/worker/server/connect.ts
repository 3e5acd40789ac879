/**
 * Connecting to a model server: detect the dialect, read what the server says about its model, and
 * build the decoder backend with the `ModelInfo` the UI shows (vocabulary bytes, special tokens, chat
 * template, what the server can give). llama.cpp gives the whole vocabulary (LlamaCppBackend);
 * vLLM and Ollama give the top N per step (TopNServerBackend over topSources.ts), with a vocabulary
 * that grows as tokens are seen (the first `SERVER_VOCAB_CAPACITY` / `TEXT_VOCAB_CAPACITY` ids).
 */
import type { EngineInfo, ModelInfo, ServerSource } from '../protocol.ts';
import { detectDialect } from './detect.ts';
import { ServerError, parseServerUrl } from './errors.ts';
import { ServerHttp, type NetworkProbe } from './http.ts';
import { LlamaCppClient, serverPick } from './llamacpp.ts';
import { LlamaCppBackend, toEngineError } from './serverBackend.ts';
import type { ServerModelFacts } from './types.ts';
import { OpenAiClient, maxLogprobsFromError } from './openai.ts';
import { OLLAMA_MAX_TOP_LOGPROBS, OllamaClient } from './ollama.ts';
import { TopNServerBackend, emptyVocabulary } from './topBackend.ts';
import { LlamaTopSource, OllamaTopSource, OpenAiTopSource } from './topSources.ts';

/** Ids reserved for a vLLM server's vocabulary (its ids are used as they are; the largest common vocabularies have 262,144). */
export const SERVER_VOCAB_CAPACITY = 262_144;
/** Distinct text-level tokens one Ollama connection can see. */
export const TEXT_VOCAB_CAPACITY = 65_536;
/** Alternatives asked from vLLM when its `--max-logprobs` allows (more costs JSON per step). */
const OPENAI_WANT_TOP = 1000;

/** Special tokens that end a turn in common chat templates, in this order of preference (as loading/modelInfo.ts). */
const END_OF_TURN_TOKENS = ['<|im_end|>', '<|eot_id|>', '<end_of_turn>', '<|end|>'];
/** Most control tokens whose text is fetched one by one (`/detokenize`) at connect time. */
const MAX_CONTROL_LOOKUPS = 1024;

export interface ConnectOptions {
  probe?: NetworkProbe;
  /** Per-request time limit (ms). */
  timeoutMs?: number;
  crossOriginIsolated?: boolean;
  /** Progress text for the UI (`detect`, `vocabulary`, `special`). */
  onStage?: (stage: 'detect' | 'vocabulary' | 'special') => void;
}

/**
 * Connects and returns the backend.
 * @throws EngineError `server` (message `<ServerErrorCode>: …`) for every failure a person can act on
 */
export async function connectServer(source: ServerSource, opts: ConnectOptions = {}): Promise<LlamaCppBackend | TopNServerBackend> {
  try {
    const base = parseServerUrl(source.url);
    const http = new ServerHttp(base, { apiKey: source.apiKey ?? null, timeoutMs: opts.timeoutMs ?? 30_000, probe: opts.probe });
    opts.onStage?.('detect');
    const detection = await detectDialect(http);
    if (detection.dialect === 'openai') return await connectOpenAi(http, source, base, opts);
    if (detection.dialect === 'ollama') return await connectOllama(http, source, base, detection.version, opts);
    const client = new LlamaCppClient(http);
    const facts = await client.describe();
    if (source.model && facts.modelName !== source.model && !facts.modelName.endsWith(`/${source.model}`)) {
      throw new ServerError('not-found', `the server serves ${facts.modelName}, not ${source.model}`);
    }
    opts.onStage?.('vocabulary');
    const info = await llamaCppModelInfo(client, facts, base, opts);
    // every later request makes the server pick EOS (v0.4.0 fails on a pick that is not valid UTF-8 alone)
    client.pick = serverPick(info);
    const n = source.topN ?? 0;
    if (n > 0 && n < info.vocabSize) {
      // only the top N per step: the "not reported" rest, stages approximate (topBackend.ts); chat mode off
      const top: ModelInfo = { ...info, hasChatTemplate: false, endOfTurnTokenId: null, engine: { ...info.engine!, fullVocab: false, topN: n, slots: 1 } };
      return new TopNServerBackend(top, new LlamaTopSource(client, n));
    }
    return new LlamaCppBackend(info, client, facts.slots);
  } catch (e) {
    throw toEngineError(e);
  }
}

async function singleSpecialId(client: LlamaCppClient, text: string | null): Promise<number | null> {
  if (!text) return null;
  const ids = await client.tokenize(text, { parseSpecial: true });
  const plain = await client.tokenize(text, { parseSpecial: false });
  // a control token: one id with special parsing, something else without it
  return ids.length === 1 && (plain.length !== 1 || plain[0] !== ids[0]) ? ids[0] : null;
}

/** Vocabulary, special tokens and template facts of a llama.cpp server's model. */
async function llamaCppModelInfo(client: LlamaCppClient, facts: ServerModelFacts, base: URL, opts: ConnectOptions): Promise<ModelInfo> {
  const V = facts.vocabSize;
  if (!V) throw new ServerError('bad-answer', '/v1/models does not report meta.n_vocab');
  const probeIds = await client.tokenize('a', { parseSpecial: false });
  // one whole-vocabulary answer gives every id's bytes (control tokens come back empty)
  const answer = await client.nextToken(probeIds.length ? probeIds.slice(0, 1) : [0], V, 0);
  if (answer.top.length !== V) throw new ServerError('bad-answer', `the server reported ${answer.top.length} of ${V} tokens`);
  const bytesOf: Uint8Array[] = new Array(V);
  for (const t of answer.top) bytesOf[t.tokenId as number] = t.bytes;
  const special = new Uint8Array(V);
  const empty = [];
  for (let i = 0; i < V; i++) {
    if (!bytesOf[i]) bytesOf[i] = new Uint8Array(0);
    if (bytesOf[i].length === 0) empty.push(i);
  }
  opts.onStage?.('special');
  const encoder = new TextEncoder();
  for (const id of empty.slice(0, MAX_CONTROL_LOOKUPS)) {
    const text = await client.detokenize([id]);
    bytesOf[id] = encoder.encode(text);
    special[id] = 1;
  }
  let total = 0;
  for (const b of bytesOf) total += b.length;
  const vocabBytes = new Uint8Array(total);
  const vocabOffsets = new Uint32Array(V + 1);
  const decoder = new TextDecoder();
  const vocabPieces: string[] = new Array(V);
  for (let i = 0, o = 0; i < V; i++) {
    vocabOffsets[i] = o;
    vocabBytes.set(bytesOf[i], o);
    o += bytesOf[i].length;
    vocabOffsets[i + 1] = o;
    vocabPieces[i] = decoder.decode(bytesOf[i]);
  }
  const bos = await singleSpecialId(client, facts.bosText);
  const eos = await singleSpecialId(client, facts.eosText);
  // the template is usable only when its special markers are control tokens of this vocabulary
  // (llama.cpp falls back to ChatML for a model without a template)
  let hasChatTemplate = false;
  let endOfTurnTokenId: number | null = null;
  if (facts.chatTemplate) {
    const markers = [...new Set(facts.chatTemplate.match(/<\|[A-Za-z0-9_]+\|>|<(?:start|end)_of_turn>/g) ?? [])];
    const ids = await Promise.all(markers.map((m) => singleSpecialId(client, m)));
    hasChatTemplate = ids.every((x) => x !== null);
    if (hasChatTemplate) {
      for (const name of END_OF_TURN_TOKENS) {
        const k = markers.indexOf(name);
        if (k >= 0) {
          endOfTurnTokenId = ids[k];
          break;
        }
      }
    }
  }
  const engine: EngineInfo = {
    url: base.href.replace(/\/$/, ''), host: base.host, dialect: 'llama.cpp', model: facts.modelName,
    fullVocab: true, topN: V, tokenIds: true, rawLogits: false, slots: facts.slots, version: facts.version,
  };
  const name = facts.modelName.split('/').pop() || facts.modelName;
  return {
    id: name,
    sourceKind: 'server',
    modelType: 'llama.cpp',
    vocabSize: V,
    contextLength: facts.contextLength ?? 2048,
    bosTokenId: bos,
    eosTokenId: eos,
    device: 'server',
    dtype: 'server',
    threads: 0,
    crossOriginIsolated: opts.crossOriginIsolated ?? false,
    fallbackReason: null,
    vocabBytes,
    vocabOffsets,
    vocabPieces,
    special,
    pieceEncoding: 'plain',
    hasChatTemplate,
    endOfTurnTokenId,
    modelCard: null,
    fingerprint: null,
    engine,
  };
}

/** The ModelInfo of a top-N server (vocabulary empty: it grows; no special tokens known; no chat template). */
function topModelInfo(facts: ServerModelFacts, base: URL, capacity: number, topN: number, tokenIds: boolean, opts: ConnectOptions): ModelInfo {
  const engine: EngineInfo = {
    url: base.href.replace(/\/$/, ''), host: base.host, dialect: facts.dialect, model: facts.modelName,
    fullVocab: false, topN, tokenIds, rawLogits: false, slots: 1, version: facts.version,
  };
  const name = facts.modelName.split('/').pop() || facts.modelName;
  return {
    id: name,
    sourceKind: 'server',
    modelType: facts.dialect,
    vocabSize: capacity,
    contextLength: facts.contextLength ?? 2048,
    bosTokenId: null,
    eosTokenId: null,
    device: 'server',
    dtype: 'server',
    threads: 0,
    crossOriginIsolated: opts.crossOriginIsolated ?? false,
    fallbackReason: null,
    ...emptyVocabulary(capacity),
    pieceEncoding: 'plain',
    hasChatTemplate: false,
    endOfTurnTokenId: null,
    modelCard: null,
    fingerprint: null,
    engine,
  };
}

/**
 * vLLM: the model named (or the first listed), and the most log-probabilities its `--max-logprobs`
 * allows (asked with OPENAI_WANT_TOP; a refusal names the limit).
 */
async function connectOpenAi(http: ServerHttp, source: ServerSource, base: URL, opts: ConnectOptions): Promise<TopNServerBackend> {
  const models = await OpenAiClient.listModels(http);
  const model = source.model ? models.find((m) => m.id === source.model || m.id.endsWith(`/${source.model}`)) : models[0];
  if (!model) throw new ServerError('not-found', `the server serves ${models.map((m) => m.id).join(', ')}, not ${source.model}`);
  const client = new OpenAiClient(http, model.id);
  const facts = await client.describe();
  opts.onStage?.('vocabulary');
  const probe = await client.tokenize('a', false);
  let topN = OPENAI_WANT_TOP;
  try {
    await client.nextToken(probe.length ? probe : [0], topN);
  } catch (e) {
    const limit = e instanceof ServerError ? maxLogprobsFromError(`${e.message} ${e.detail ?? ''}`) : null;
    if (limit === null || limit === 0) throw e;
    if (limit > 0) topN = limit;
  }
  const info = topModelInfo(facts, base, SERVER_VOCAB_CAPACITY, topN, true, opts);
  const top = new OpenAiTopSource(client, topN, SERVER_VOCAB_CAPACITY);
  // chat mode when the server renders a chat template (`/tokenize` with messages) and its end-of-turn marker is one token
  try {
    await client.tokenizeChat([{ role: 'user', content: 'hi' }]);
    for (const name of END_OF_TURN_TOKENS) {
      const ids = await top.tokenize(name, false);
      if (ids.length === 1 && (await client.detokenize(ids)) === name) {
        info.hasChatTemplate = true;
        info.endOfTurnTokenId = ids[0];
        break;
      }
    }
  } catch (e) {
    if (e instanceof ServerError && (e.code === 'unreachable' || e.code === 'unauthorized' || e.code === 'timeout')) throw e;
    // no template (or no /tokenize with messages): chat mode stays off
  }
  return new TopNServerBackend(info, top);
}

/** Ollama: the model named (or the first pulled), text level, at most 20 alternatives per step. */
async function connectOllama(http: ServerHttp, source: ServerSource, base: URL, version: string | null, opts: ConnectOptions): Promise<TopNServerBackend> {
  const client = new OllamaClient(http, source.model);
  const facts = await client.describe(version);
  const named = new OllamaClient(http, facts.modelName);
  const info = topModelInfo(facts, base, TEXT_VOCAB_CAPACITY, OLLAMA_MAX_TOP_LOGPROBS, false, opts);
  return new TopNServerBackend(info, new OllamaTopSource(named, OLLAMA_MAX_TOP_LOGPROBS, TEXT_VOCAB_CAPACITY));
}
