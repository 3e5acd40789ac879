/**
 * Stepping through a server that reports only the top N tokens (issue #16): the app's HTTP code,
 * connect, TopNServerBackend and the decoder against a local HTTP server answering with vLLM v0.11 and
 * Ollama v0.12.11 bodies written from their documentation (tests/fixtures/server/README.md). Neither
 * engine runs here; the expected numbers are the documented bodies' own log-probabilities.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decoder } from '../src/decoder/decoder.ts';
import { DEFAULT_SAMPLING, type SamplingSettings } from '../src/engine/settings.ts';
import { connectServer } from '../src/worker/server/connect.ts';
import { TopNServerBackend } from '../src/worker/server/topBackend.ts';
import { EngineError } from '../src/engine/errors.ts';
import { carryLearntVocabulary, withVocabAdditions } from '../src/domain/vocabGrowth.ts';
import { startDocumentedServer, type DocumentedServer } from './server/documentedServer.ts';
import { parseSession, toSessionFile } from '../src/store/sessionSchema.ts';
import { createTree } from '../src/engine/tree.ts';
import { DEFAULT_SETTINGS } from '../src/store/store.ts';

const plain: SamplingSettings = { ...DEFAULT_SAMPLING, temperature: 1, topK: 0, topP: 1, minP: 0, repetitionPenalty: 1 };
/** The step bodies' reported probabilities (tests/fixtures/server/*-step.json). */
const P = [0.55, 0.2, 0.1, 0.05];
const VLLM_IDS = [52801, 101042, 99180, 26288];
const PROMPT_IDS = [100644, 104307, 88051, 35727];

const step = (decoder: Decoder, ids: number[], path: number[], over: Partial<Parameters<Decoder['step']>[0]> = {}) =>
  decoder.step({ type: 'step', id: 0, nodeId: path.at(-1)!, path, ids, strategy: 'greedy', settings: plain, topN: 10, extraIds: [], drawKey: null, choose: null, ...over });

describe('vLLM v0.11 (documented bodies over HTTP)', () => {
  let server: DocumentedServer;
  let backend: TopNServerBackend;
  let decoder: Decoder;
  beforeAll(async () => {
    server = await startDocumentedServer('vllm');
    backend = (await connectServer({ kind: 'server', url: server.url, model: '' })) as TopNServerBackend;
    decoder = new Decoder(backend);
  });
  afterAll(async () => {
    await decoder?.release();
    await server?.stop();
  });

  it('connects: dialect openai, top 20 (read from the --max-logprobs refusal), token ids, no whole vocabulary', () => {
    expect(backend).toBeInstanceOf(TopNServerBackend);
    expect(backend.info.engine).toMatchObject({ dialect: 'openai', model: 'Qwen/Qwen2.5-7B', fullVocab: false, topN: 20, tokenIds: true, rawLogits: false });
    expect(backend.capabilities).toMatchObject({ scores: 'logprobs', vocabulary: 20, tokens: 'ids' });
    expect(backend.info.contextLength).toBe(32768);
    const asked = server.requests.filter((r) => r.path === '/v1/completions').map((r) => (r.body as { logprobs: number }).logprobs);
    expect(asked[0]).toBeGreaterThan(20);
  });

  it('tokenizes with the server and learns each id\'s text (the vocabulary grows; additions are posted once)', async () => {
    const ids = await decoder.tokenize('今天天气真');
    expect(ids).toEqual(PROMPT_IDS);
    const adds = backend.takeVocabAdditions();
    expect(adds.map((a) => a.id).sort()).toEqual([...PROMPT_IDS].sort());
    expect(new TextDecoder().decode(adds.find((a) => a.id === 35727)!.bytes)).toBe('真');
    expect(backend.takeVocabAdditions()).toEqual([]);
  });

  it('greedy step: the reported tokens with the server\'s probabilities, "not reported" = 1 − Σ, later stages approximate', async () => {
    const r = await step(decoder, PROMPT_IDS, [0]);
    expect(r.choice!.tokenId).toBe(52801);
    expect(r.choice!.prob).toBeCloseTo(0.55, 6);
    expect(r.choice!.logprob).toBeCloseTo(Math.log(0.55), 6);
    expect(Array.from(r.record.tokenIds)).toEqual(VLLM_IDS);
    const n = r.record.tokenIds.length;
    P.forEach((p, j) => expect(r.record.stageProbs[j]).toBeCloseTo(p, 6));
    expect(r.record.restMass[0]).toBeCloseTo(0, 12);
    expect(r.record.unreportedMass).toBeCloseTo(0.1, 6);
    let shown = 0;
    for (let j = 0; j < n; j++) shown += r.record.stageProbs[j];
    expect(shown + r.record.restMass[0] + r.record.unreportedMass!).toBeCloseTo(1, 9);
    expect(r.record.top).toMatchObject({ reported: 4 });
    expect(r.record.top!.approximateStages).toEqual(r.record.stages.slice(1));
    // the UI's copy of the vocabulary learns the answer's ids before the answer
    const info = withVocabAdditions(backend.info, backend.takeVocabAdditions());
    expect(info.vocabPieces[52801]).toBe('好');
    await decoder.forget('all');
  });

  it('sampling draws over the reported tokens only, renormalised (final = p / Σ), and replays with the same draw keys', async () => {
    const run = async () => {
      const out: number[] = [];
      for (let s = 0; s < 8; s++) {
        const r = await step(decoder, PROMPT_IDS, [0], { strategy: 'sample', drawKey: { seed: 7, depth: 0, reroll: s, stream: 0 } });
        expect(VLLM_IDS).toContain(r.choice!.tokenId);
        const fin = r.record.stages.length - 1;
        P.forEach((p, j) => expect(r.record.stageProbs[fin * n + j]).toBeCloseTo(p / 0.9, 6));
        out.push(r.choice!.tokenId);
        await decoder.forget('all');
      }
      return out;
    };
    const n = 4;
    expect(await run()).toEqual(await run());
  });

  it('beam search ranks on the server\'s own log-probabilities of the reported tokens', async () => {
    const hyps = await decoder.beam({ type: 'beam', id: 0, nodeId: 0, path: [0], ids: PROMPT_IDS, settings: { beamWidth: 2, lengthPenalty: 1, earlyStopping: 'true', repetitionPenalty: 1 }, maxNewTokens: 2 }, () => {});
    // every answer is the same body: the best two-token path is 好 好, then 好 不错 (or 不错 好)
    expect(hyps[0].tokens).toEqual([52801, 52801]);
    expect(hyps[0].sumLogprobs).toBeCloseTo(2 * Math.log(0.55), 5);
    expect(hyps[1].sumLogprobs).toBeCloseTo(Math.log(0.55) + Math.log(0.2), 5);
    await decoder.forget('all');
  });

  it('teacher forcing scores every prompt position in one prompt_logprobs request, with the server\'s ranks', async () => {
    const before = server.requests.filter((r) => r.path === '/v1/completions').length;
    const { tokens } = await decoder.scoreText('今天天气真');
    const asked = server.requests.filter((r) => r.path === '/v1/completions').slice(before);
    expect(asked.filter((r) => typeof (r.body as { prompt_logprobs?: number }).prompt_logprobs === 'number')).toHaveLength(1);
    expect(asked).toHaveLength(2); // prompt positions in one request, then the last position as a step
    expect(tokens.map((t) => t.tokenId)).toEqual(PROMPT_IDS);
    expect(tokens[0].prob).toBeNull();
    // tests/fixtures/server/vllm-0.11-completions-prompt-logprobs-step.json
    expect(tokens[1].prob).toBeCloseTo(0.6, 6);
    expect(tokens[1].rank).toBe(1);
    expect(tokens[2].prob).toBeCloseTo(Math.exp(-6.2146081), 9);
    expect(tokens[2].rank).toBe(57); // outside the top N: the server's own rank
    expect(tokens[3].prob).toBeCloseTo(0.3, 6);
    expect(tokens[3].rank).toBe(2);
  });

  it('chat mode: the server renders the template (/tokenize with messages); <|im_end|> is the end-of-turn token', async () => {
    expect(backend.info.hasChatTemplate).toBe(true);
    expect(backend.info.endOfTurnTokenId).toBe(151645);
    expect(backend.info.vocabPieces[151645]).toBe('<|im_end|>');
    const ids = await decoder.chatTokenize([{ role: 'user', content: '今天天气真' }]);
    expect(ids).toEqual([151644, 872, 198, 100644, 104307, 88051, 35727, 151645, 198, 151644, 77091, 198]);
    const asked = server.requests.filter((r) => r.path === '/tokenize').at(-1)!.body as Record<string, unknown>;
    expect(asked).toMatchObject({ messages: [{ role: 'user', content: '今天天气真' }], add_generation_prompt: true });
    // not reported at this step: not pinned in the record either (it has no probability to show, not 0)
    const r = await step(decoder, ids, [0]);
    expect(Array.from(r.record.tokenIds)).toEqual(VLLM_IDS);
    expect(r.stop).toBe(false);
    await decoder.forget('all');
  });

  it('an empty top_logprobs is "not reported" with a message, never probability 0', async () => {
    server.mode = 'empty';
    const err = await step(decoder, PROMPT_IDS, [0]).catch((e: unknown) => e);
    server.mode = 'ids';
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).message).toMatch(/not reported.*--max-logprobs/);
    await decoder.forget('all');
  });

  it('text-keyed alternatives (return_tokens_as_token_ids ignored) are refused with the reason', async () => {
    server.mode = 'text';
    const err = await step(decoder, PROMPT_IDS, [0]).catch((e: unknown) => e);
    server.mode = 'ids';
    expect((err as EngineError).message).toMatch(/keyed top_logprobs by decoded text/);
    await decoder.forget('all');
  });
});

describe('Ollama v0.12.11 (documented bodies over HTTP): text level', () => {
  let server: DocumentedServer;
  let backend: TopNServerBackend;
  let decoder: Decoder;
  beforeAll(async () => {
    server = await startDocumentedServer('ollama');
    backend = (await connectServer({ kind: 'server', url: server.url, model: '' })) as TopNServerBackend;
    decoder = new Decoder(backend);
  });
  afterAll(async () => {
    await decoder?.release();
    await server?.stop();
  });

  it('connects: dialect ollama, top 20, no token ids, chat off', () => {
    expect(backend.info.engine).toMatchObject({ dialect: 'ollama', model: 'qwen2.5:7b', fullVocab: false, topN: 20, tokenIds: false });
    expect(backend.capabilities).toMatchObject({ tokens: 'text', vocabulary: 20 });
    expect(backend.info.hasChatTemplate).toBe(false);
  });

  it('steps on raw text; a token ending inside a character is held back and merged with the next', async () => {
    const prompt = await decoder.tokenize('今天天气真');
    expect(prompt).toHaveLength(5); // by character: Ollama has no tokenize endpoint
    const r = await step(decoder, prompt, [0]);
    const pieces = withVocabAdditions(backend.info, []).vocabPieces;
    expect(pieces[r.choice!.tokenId]).toBe('好');
    expect(r.choice!.prob).toBeCloseTo(0.55, 6);
    expect(r.record.unreportedMass).toBeCloseTo(0.1, 6);
    const gen = server.requests.filter((q) => q.path === '/api/generate').at(-1)!.body as Record<string, unknown>;
    expect(gen).toMatchObject({ prompt: '今天天气真', raw: true, logprobs: true, top_logprobs: 20, options: { num_predict: 1 } });
    // choose the lone lead byte e7 (the fourth alternative) by hand
    const lead = Array.from(r.record.tokenIds).find((id) => backend.info.vocabBytes.subarray(backend.info.vocabOffsets[id], backend.info.vocabOffsets[id + 1]).join() === '231')!;
    expect(lead).toBeDefined();
    server.mode = 'partial';
    const r2 = await step(decoder, [...prompt, lead], [0, 1]);
    server.mode = 'logprobs';
    // the server was sent whole characters only; the one alternative continuing e7 (e7 9c) remains, as its rest 9c
    const gen2 = server.requests.filter((q) => q.path === '/api/generate').at(-1)!.body as Record<string, unknown>;
    expect(gen2.prompt).toBe('今天天气真');
    const id2 = r2.choice!.tokenId;
    expect(Array.from(backend.info.vocabBytes.subarray(backend.info.vocabOffsets[id2], backend.info.vocabOffsets[id2 + 1]))).toEqual([156]);
    expect(r2.record.tokenIds).toHaveLength(1);
    expect(r2.choice!.prob).toBeCloseTo(0.9, 6);
    await decoder.forget('all');
  });
});

describe('withVocabAdditions', () => {
  it('equals a rebuild from each id\'s bytes, whatever the order of additions', () => {
    const enc = new TextEncoder();
    const V = 50;
    let info = { vocabSize: V, vocabBytes: new Uint8Array(0), vocabOffsets: new Uint32Array(V + 1), vocabPieces: new Array<string>(V).fill('') } as unknown as Parameters<typeof withVocabAdditions>[0];
    const want: string[] = new Array<string>(V).fill('');
    const batches = [[7, 3, 49], [0, 8], [3, 20, 21], [49]];
    batches.forEach((batch, k) => {
      info = withVocabAdditions(info, batch.map((id) => ({ id, bytes: enc.encode(`t${id}·${k}`) })));
      for (const id of batch) want[id] = `t${id}·${k}`;
      for (let i = 0; i < V; i++) {
        expect(new TextDecoder().decode(info.vocabBytes.subarray(info.vocabOffsets[i], info.vocabOffsets[i + 1])), `id ${i} after ${k}`).toBe(want[i]);
        expect(info.vocabPieces[i]).toBe(want[i]);
      }
    });
  });
});

describe('a session on a server engine', () => {
  const file = (engine: Record<string, unknown>) =>
    JSON.parse(JSON.stringify(toSessionFile({
      model: { id: 'Qwen2.5-7B', sourceKind: 'server', vocabSize: 262_144, fingerprint: null, engine: engine as never },
      prompt: '今天天气真',
      settings: DEFAULT_SETTINGS,
      tree: createTree(PROMPT_IDS),
      cursor: 0,
    })));
  it('records dialect, URL, model and the learnt token bytes — and nothing named like a key', () => {
    const f = file({ dialect: 'openai', url: 'http://127.0.0.1:8000', model: 'Qwen/Qwen2.5-7B', version: null, pieces: [[35727, [231, 156, 159]]] });
    const r = parseSession(f);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.session.model.engine).toEqual({ dialect: 'openai', url: 'http://127.0.0.1:8000', model: 'Qwen/Qwen2.5-7B', version: null, pieces: [[35727, [231, 156, 159]]] });
    expect(JSON.stringify(f)).not.toMatch(/apiKey|api_key|Bearer/i);
  });
  it('refuses an engine URL that is not http(s), and bytes outside 0..255', () => {
    expect(parseSession(file({ dialect: 'openai', url: 'javascript:alert(1)', model: 'm' })).ok).toBe(false);
    expect(parseSession(file({ dialect: 'ollama', url: 'http://127.0.0.1:11434', model: 'm', pieces: [[1, [256]]] })).ok).toBe(false);
  });
});

describe('carryLearntVocabulary', () => {
  const enc = new TextEncoder();
  const base = (url: string, tokenIds = true) => ({
    vocabSize: 10, vocabBytes: new Uint8Array(0), vocabOffsets: new Uint32Array(11), vocabPieces: new Array<string>(10).fill(''),
    engine: { url, model: 'm', fullVocab: false, tokenIds },
  }) as unknown as Parameters<typeof withVocabAdditions>[0];
  it('keeps what was learnt on the same server and model (ids are the server\'s); not across servers or at text level', () => {
    const old = withVocabAdditions(base('http://a'), [{ id: 3, bytes: enc.encode('好') }, { id: 7, bytes: enc.encode('的') }]);
    const fresh = withVocabAdditions(base('http://a'), [{ id: 7, bytes: enc.encode('X') }]);
    const kept = carryLearntVocabulary(old, fresh);
    expect(kept.vocabPieces[3]).toBe('好');
    expect(kept.vocabPieces[7]).toBe('X'); // the new connection's answer wins
    expect(carryLearntVocabulary(old, base('http://b')).vocabPieces[3]).toBe('');
    expect(carryLearntVocabulary(withVocabAdditions(base('http://a', false), [{ id: 3, bytes: enc.encode('好') }]), base('http://a', false)).vocabPieces[3]).toBe('');
  });
});
