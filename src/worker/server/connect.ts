/**
 * Connecting to a model server: detect the dialect, read what the server says about its model, and
 * build the decoder backend with the `ModelInfo` the UI shows (vocabulary bytes, special tokens, chat
 * template, what the server can give). The llama.cpp dialect with the whole vocabulary is built
 * here; vLLM and Ollama are detected and described (their request code is tested on documented
 * answers) but stepping through them is refused with that reason for now.
 */
import { EngineError } from '../../engine/errors.ts';
import type { EngineInfo, ModelInfo, ServerSource } from '../protocol.ts';
import { detectDialect } from './detect.ts';
import { ServerError, parseServerUrl } from './errors.ts';
import { ServerHttp, type NetworkProbe } from './http.ts';
import { LlamaCppClient } from './llamacpp.ts';
import { LlamaCppBackend, toEngineError } from './serverBackend.ts';
import type { ServerModelFacts } from './types.ts';

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
 * @throws EngineError `server` (message `<ServerErrorCode>: …`) for every failure a person can act on,
 *   `server` with `unsupported-dialect` for vLLM/Ollama stepping (not built yet)
 */
export async function connectServer(source: ServerSource, opts: ConnectOptions = {}): Promise<LlamaCppBackend> {
  try {
    const base = parseServerUrl(source.url);
    const http = new ServerHttp(base, { apiKey: source.apiKey ?? null, timeoutMs: opts.timeoutMs ?? 30_000, probe: opts.probe });
    opts.onStage?.('detect');
    const detection = await detectDialect(http);
    if (detection.dialect !== 'llama.cpp') {
      throw new EngineError('server', `unsupported-dialect: ${detection.dialect === 'ollama' ? `Ollama ${detection.version ?? ''}` : 'an OpenAI-compatible server (vLLM)'} was found; stepping through it is not built yet — use llama.cpp's llama-server`);
    }
    const client = new LlamaCppClient(http);
    const facts = await client.describe();
    if (source.model && facts.modelName !== source.model && !facts.modelName.endsWith(`/${source.model}`)) {
      throw new ServerError('not-found', `the server serves ${facts.modelName}, not ${source.model}`);
    }
    opts.onStage?.('vocabulary');
    const info = await llamaCppModelInfo(client, facts, base, opts);
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
