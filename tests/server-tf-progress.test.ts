/**
 * Teacher forcing over a server without `prompt_logprobs` (issue #16): one request per position, with
 * progress and cancel, through the worker's Dispatcher, connect and TopNServerBackend against the local
 * HTTP server answering with Ollama v0.12.11 bodies written from its documentation
 * (tests/fixtures/server/README.md), and with vLLM v0.11 bodies (`prompt_logprobs`: one request).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decoder } from '../src/decoder/decoder.ts';
import { Dispatcher } from '../src/worker/dispatcher.ts';
import type { WorkerRequest, WorkerResponse } from '../src/worker/protocol.ts';
import { connectServer } from '../src/worker/server/connect.ts';
import { startDocumentedServer, type DocumentedServer } from './server/documentedServer.ts';

const TEXT = '今天天气真好不错的热天';

function makeDispatcher(decoder: Decoder, onPost: (m: WorkerResponse) => void = () => undefined) {
  const posted: WorkerResponse[] = [];
  const d = new Dispatcher({
    post: (m) => {
      posted.push(m);
      onPost(m);
    },
    load: () => Promise.reject(new Error('no load here')),
    crash: () => undefined,
  });
  d.decoder = decoder;
  return { d, posted };
}

const progressOf = (posted: WorkerResponse[], id: number) =>
  posted.flatMap((m) => (m.type === 'score-progress' && m.id === id ? [[m.done, m.total] as const] : []));

describe('Ollama (no prompt_logprobs): teacher forcing one request per position', () => {
  let server: DocumentedServer;
  let decoder: Decoder;
  let generates = () => 0;
  beforeAll(async () => {
    server = await startDocumentedServer('ollama');
    decoder = new Decoder(await connectServer({ kind: 'server', url: server.url, model: '' }));
    generates = () => server.requests.filter((q) => q.path === '/api/generate').length;
  });
  afterAll(async () => {
    await decoder?.release();
    await server?.stop();
  });

  it('reports progress after each position and reaches the total', async () => {
    const n = (await decoder.tokenize(TEXT, true)).length;
    expect(n).toBe([...TEXT].length); // by character: Ollama has no tokenize endpoint
    const { d, posted } = makeDispatcher(decoder);
    const before = generates();
    await d.handle({ type: 'score-text', id: 1, text: TEXT });
    const result = posted.find((m) => m.type === 'score-result');
    expect(result, JSON.stringify(posted.filter((m) => m.type === 'error'))).toBeDefined();
    // one generate request per position (positions 1..n; the last is the step after the text)
    expect(generates() - before).toBe(n);
    const prog = progressOf(posted, 1);
    expect(prog.length).toBeGreaterThanOrEqual(n);
    prog.forEach(([done, total], i) => {
      expect(total).toBe(n);
      expect(done).toBeGreaterThanOrEqual(i === 0 ? 1 : prog[i - 1][0]);
    });
    expect(prog.slice(0, n).map(([done]) => done)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(prog.at(-1)).toEqual([n, n]);
    // progress comes before the answer
    expect(posted.findIndex((m) => m.type === 'score-result')).toBeGreaterThan(posted.findIndex((m) => m.type === 'score-progress'));
  });

  it('a cancel mid-way ends with a cancelled answer, no further requests, and the decoder stays usable', async () => {
    const n = [...TEXT].length;
    let atCancel = -1;
    let d: Dispatcher | null = null;
    const made = makeDispatcher(decoder, (m) => {
      if (m.type === 'score-progress' && m.id === 7 && m.done === 3 && atCancel < 0) {
        atCancel = generates();
        void d!.handle({ type: 'score-cancel', id: 8, target: 7 } satisfies WorkerRequest);
      }
    });
    d = made.d;
    const before = generates();
    await d.handle({ type: 'score-text', id: 7, text: TEXT });
    const answer = made.posted.filter((m) => m.id === 7 && m.type !== 'score-progress' && m.type !== 'vocab');
    expect(answer).toHaveLength(1);
    expect(answer[0]).toMatchObject({ type: 'error', code: 'cancelled' });
    expect(made.posted.some((m) => m.type === 'score-result')).toBe(false);
    expect(made.posted.find((m) => m.id === 8)).toMatchObject({ type: 'done' });
    expect(atCancel - before).toBe(3);
    expect(generates()).toBe(atCancel);
    expect(progressOf(made.posted, 7).at(-1)).toEqual([3, n]);
    await new Promise((r) => setTimeout(r, 200));
    expect(generates()).toBe(atCancel);
    // the same dispatcher scores the whole text afterwards
    await d.handle({ type: 'score-text', id: 9, text: TEXT });
    expect(made.posted.find((m) => m.id === 9 && m.type === 'score-result')).toBeDefined();
    expect(progressOf(made.posted, 9).at(-1)).toEqual([n, n]);
    expect(generates() - atCancel).toBe(n);
  });
});

describe('vLLM (prompt_logprobs): teacher forcing in one prompt request', () => {
  let server: DocumentedServer;
  let decoder: Decoder;
  beforeAll(async () => {
    server = await startDocumentedServer('vllm');
    decoder = new Decoder(await connectServer({ kind: 'server', url: server.url, model: '' }));
  });
  afterAll(async () => {
    await decoder?.release();
    await server?.stop();
  });

  it('reports the prompt positions at once and ends at the total', async () => {
    const { d, posted } = makeDispatcher(decoder);
    await d.handle({ type: 'score-text', id: 1, text: '今天天气真' });
    expect(posted.find((m) => m.type === 'score-result'), JSON.stringify(posted.filter((m) => m.type === 'error'))).toBeDefined();
    const prog = progressOf(posted, 1);
    // 4 tokens: positions 1..3 from one prompt_logprobs answer, the step after the text, the window's end
    expect(prog).toEqual([
      [3, 4],
      [4, 4],
      [4, 4],
    ]);
  });
});
