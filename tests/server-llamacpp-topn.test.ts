/**
 * The top-N path against the REAL llama.cpp server (issue #16: "offer top-N with the rest mass when the
 * whole vocabulary is too slow"): the same server connected twice, once for the whole vocabulary and once
 * for its top 50 per step. The top-N step's reported probabilities must equal the whole-vocabulary ones,
 * its "not reported" mass must equal the whole vocabulary's mass outside those 50, and greedy and beam
 * search must choose the same tokens (their choices lie within the top 50 here).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decoder } from '../src/decoder/decoder.ts';
import { DEFAULT_SAMPLING } from '../src/engine/settings.ts';
import { connectServer } from '../src/worker/server/connect.ts';
import { TopNServerBackend } from '../src/worker/server/topBackend.ts';
import { startLlamaServer, type RunningServer } from './server/llamaServer.ts';
import { reference } from './reference.ts';

const EXACT = ['-fa', 'off', '--cache-type-k', 'f32', '--cache-type-v', 'f32'];
const plain = { ...DEFAULT_SAMPLING, temperature: 1, topK: 0, topP: 1, minP: 0, repetitionPenalty: 1 };
const N = 50;

let server: RunningServer;
let full: Decoder;
let top: Decoder;

beforeAll(async () => {
  server = await startLlamaServer({ folder: 'public/models/tiny-bilingual-gpt2', parallel: 1, args: EXACT });
  full = new Decoder(await connectServer({ kind: 'server', url: server.url, model: '' }));
  top = new Decoder(await connectServer({ kind: 'server', url: server.url, model: '', topN: N }));
}, 30 * 60_000);
afterAll(async () => {
  await full?.release();
  await top?.release();
  await server?.stop();
});

describe('llama.cpp top 50 per step vs the whole vocabulary (live server)', () => {
  it('a prompt ending inside a character is answered in top-N mode too (the EOS pick is the client\'s, set at connect)', async () => {
    // "JSON:\n\n\n { \"name\" : \"/里" + the first bytes of a character (tests/server-llamacpp.test.ts)
    const split = [74, 83, 2288, 58, 10, 10, 10, 32, 123, 518, 110, 423, 34, 32, 58, 2528, 1168, 555];
    const a = await top.nodeLogits([1, 2], split);
    const b = await full.nodeLogits([1, 2], split);
    expect(a.length).toBe(b.length);
    await full.forget('all');
    await top.forget('all');
  });

  it('connects as a top-N engine with the whole vocabulary\'s bytes', () => {
    expect(top.backend).toBeInstanceOf(TopNServerBackend);
    expect(top.info.engine).toMatchObject({ dialect: 'llama.cpp', fullVocab: false, topN: N, tokenIds: true });
    expect(top.backend.capabilities.vocabulary).toBe(N);
    expect(Array.from(top.info.vocabOffsets)).toEqual(Array.from(full.info.vocabOffsets));
  });

  it('greedy 8 steps: same tokens; reported probabilities equal; not reported = the mass outside the top 50', async () => {
    const g = reference.greedy[0];
    const ids = [...g.ids];
    const path = [0];
    for (let s = 0; s < 8; s++) {
      const ask = { type: 'step' as const, id: s, nodeId: path.at(-1)!, path: [...path], ids: [...ids], strategy: 'greedy' as const, settings: plain, topN: 10, extraIds: [], drawKey: null, choose: null };
      const a = await full.step(ask);
      const b = await top.step(ask);
      expect(b.choice!.tokenId).toBe(a.choice!.tokenId);
      expect(Math.abs(b.choice!.prob - a.choice!.prob)).toBeLessThan(1e-6);
      expect(Array.from(b.record.tokenIds.slice(0, 10))).toEqual(Array.from(a.record.tokenIds.slice(0, 10)));
      for (let j = 0; j < 10; j++) expect(Math.abs(b.record.stageProbs[j] - a.record.stageProbs[j])).toBeLessThan(1e-6);
      // the whole vocabulary's top 50 mass, from the full backend's own numbers
      const stats = await full.query({ type: 'query', id: 0, nodeId: path.at(-1)!, path: [...path], ids: [...ids], settings: plain, strategy: 'greedy', tokenIds: Array.from({ length: full.info.vocabSize }, (_, i) => i) });
      const sorted = stats.map((x) => x.prob).sort((x, y) => y - x);
      const top50 = sorted.slice(0, N).reduce((x, y) => x + y, 0);
      expect(Math.abs(b.record.unreportedMass! - (1 - top50))).toBeLessThan(1e-5);
      expect(b.record.top?.reported).toBe(N);
      ids.push(a.choice!.tokenId);
      path.push(s + 1);
    }
    expect(ids.slice(g.ids.length)).toEqual(g.new_ids.slice(0, 8));
    await full.forget('all');
    await top.forget('all');
  });

  it('beam width 3: the same hypotheses and scores as the whole vocabulary', async () => {
    const b = reference.beam[0];
    const req = {
      type: 'beam' as const, id: 0, nodeId: 0, path: [0], ids: b.ids,
      settings: { beamWidth: b.num_beams, lengthPenalty: b.length_penalty, earlyStopping: (b.early_stopping ? 'true' : 'false') as 'true' | 'false', repetitionPenalty: 1 },
      maxNewTokens: b.max_new_tokens,
    };
    const a = await full.beam(req, () => {});
    const t = await top.beam(req, () => {});
    expect(t.map((h) => h.tokens)).toEqual(a.map((h) => h.tokens));
    t.forEach((h, i) => expect(Math.abs(h.beamScore - a[i].beamScore)).toBeLessThan(1e-5));
  });
});
