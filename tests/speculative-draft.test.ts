/**
 * A draft model for speculative decoding through the app (Controller → worker protocol → dispatcher
 * → decoder, answered in-process) on real ONNX models: a draft with the model's tokenizer is taken
 * and used; a draft with another tokenizer (the tiny-chat fixture) is refused with `draft-tokenizer`
 * and a message naming both vocabularies, and the previous draft stays (issue #21).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import type { Decoder } from '../src/decoder/decoder.ts';
import { loadOrtBackend } from '../src/worker/loading/load.ts';
import type { ModelBackend } from '../src/decoder/backend.ts';
import { Controller } from '../src/store/controller.ts';
import { createAppStore } from '../src/store/store.ts';
import { generatedIds, pathTo } from '../src/engine/tree.ts';
import type { WorkerClient } from '../src/worker/client.ts';
import { LocalClient } from './localClient.ts';
import { loadDecoder } from './ortDecoder.ts';
import { MODEL_NAME } from './reference.ts';
import { en } from '../src/i18n/en.ts';
import { DRAFT_NAME, ensureEarlyExitDraft } from './earlyExitDraft.ts';
import { speculativeGenerateOn } from '../src/decoder/speculative.ts';
import { DEFAULT_SAMPLING } from '../src/engine/settings.ts';

(globalThis as { __ORT_PATH__?: string }).__ORT_PATH__ ??= 'ort/';

const modelsPath = fileURLToPath(new URL('../public/models/', import.meta.url));
const fixturesPath = fileURLToPath(new URL('../test-fixtures/', import.meta.url));
let target: Decoder;
let loaded: ModelBackend[] = [];

beforeAll(async () => {
  target = await loadDecoder({ kind: 'embedded', name: MODEL_NAME }, { device: 'wasm', modelsPath });
});
afterAll(async () => {
  await target?.release();
});

/** A controller whose worker loads the target for 'load' and a fresh backend (embedded model or fixture) for each 'load-draft'. */
async function harness() {
  loaded = [];
  const store = createAppStore();
  let first = true;
  const ctl = new Controller(store, () =>
    new LocalClient(async (msg) => {
      if (first) {
        first = false;
        return target.backend;
      }
      const src = msg.source;
      if (src.kind !== 'embedded') throw new Error('unexpected source');
      const b = src.name === 'tiny-chat' ? await loadOrtBackend(src, { device: 'wasm', modelsPath: fixturesPath }) : await loadOrtBackend(src, { device: 'wasm', modelsPath });
      loaded.push(b);
      return b;
    }) as unknown as WorkerClient,
  );
  await ctl.loadModel({ kind: 'embedded', name: MODEL_NAME }, 'wasm');
  return { store, ctl };
}

describe('draft model through the app', () => {
  it('same tokenizer: loaded and used (the model as its own draft: every draft accepted, greedy text = greedy stepping); another tokenizer: refused with a message, the previous draft kept', async () => {
    const { store, ctl } = await harness();
    await ctl.setPrompt('Once upon a time');
    await ctl.updateSettings({ strategy: 'greedy', maxNewTokens: 10 });
    await ctl.loadDraft('self');
    expect(store.getState().specDraftError).toBeNull();
    expect(store.getState().specDraft).toEqual({ id: MODEL_NAME, vocabSize: target.info.vocabSize });

    await ctl.runSpeculative('draft-model', 3);
    const s = store.getState();
    expect(s.error).toBeNull();
    expect(s.specRun!.draftForwards).toBeGreaterThan(0);
    for (const r of s.specRun!.rounds) if (!r.emitted.includes(target.info.eosTokenId as number)) expect(r.accepted).toBe(r.proposed);
    const specIds = generatedIds(s.tree, s.cursor);
    await ctl.jumpTo(0);
    while (await ctl.stepForward());
    const plain = store.getState();
    expect(generatedIds(plain.tree, plain.cursor)).toEqual(specIds);
    expect(pathTo(plain.tree, plain.cursor).slice(1).every((id) => plain.tree.nodes[id].edge!.method === 'greedy')).toBe(true);

    // the tiny-chat fixture has another tokenizer: refused, with the code the UI translates
    await ctl.loadDraft({ kind: 'embedded', name: 'tiny-chat' });
    const e = store.getState().specDraftError;
    expect(e?.code).toBe('draft-tokenizer');
    expect(e?.message).toMatch(/tiny-chat has another vocabulary than tiny-bilingual-gpt2/);
    expect(en['error.draft-tokenizer']).toContain('tokenizer');
    // the earlier draft is still attached and used
    expect(store.getState().specDraft?.id).toBe(MODEL_NAME);
    await ctl.jumpTo(0);
    await ctl.runSpeculative('draft-model', 3);
    expect(store.getState().error).toBeNull();
    expect(store.getState().specRun!.draftForwards).toBeGreaterThan(0);

    // removed: the draft-model drafter has nothing to draft with
    await ctl.loadDraft(null);
    expect(store.getState().specDraft).toBeNull();
    await ctl.jumpTo(0);
    await ctl.runSpeculative('draft-model', 3);
    expect(store.getState().error?.message).toMatch(/needs a draft model/);
  });
});

describe('the early-exit draft model (the embedded model cut after its first layer: same tokenizer, no training)', () => {
  let draft: Decoder;
  beforeAll(async () => {
    const dir = ensureEarlyExitDraft(1);
    draft = await loadDecoder({ kind: 'embedded', name: DRAFT_NAME }, { device: 'wasm', modelsPath: dir });
  }, 120_000);
  afterAll(async () => draft?.release());

  /** Plain greedy decoding by full forwards of the target (no cache, no speculation): the reference. */
  async function plainGreedy(prompt: number[], n: number): Promise<number[]> {
    const V = target.info.vocabSize;
    const ids = [...prompt];
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const all = await target.fullForward(ids);
      const last = all.subarray((ids.length - 1) * V, ids.length * V);
      let best = 0;
      for (let t = 1; t < V; t++) if (last[t] > last[best]) best = t;
      out.push(best);
      ids.push(best);
      if (best === target.info.eosTokenId) break;
    }
    return out;
  }

  it('is a different model (q ≠ p): some drafts rejected, some accepted; greedy output = plain greedy; fewer target forwards than tokens', async () => {
    expect(draft.info.vocabSize).toBe(target.info.vocabSize);
    const prompt = await target.tokenize('Once upon a time');
    const r = await speculativeGenerateOn(target.backend, draft.backend, { prompt, maxNewTokens: 32, strategy: 'greedy', settings: DEFAULT_SAMPLING, spec: { drafter: 'draft-model', k: 3, seed: 1, reroll: 0 } });
    const accepted = r.rounds.reduce((a, x) => a + x.accepted, 0);
    const proposed = r.rounds.reduce((a, x) => a + x.proposed, 0);
    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThan(proposed);
    expect(r.targetForwards).toBeLessThan(r.tokens.length);
    expect(r.draftForwards).toBe(proposed);
    expect(r.tokens).toEqual(await plainGreedy(prompt, r.tokens.length));
    console.log(`early-exit draft (1 of 4 layers), greedy, k = 3: ${accepted}/${proposed} drafts accepted, ${r.tokens.length} tokens in ${r.targetForwards} target forwards`);
  });

  it('sampling: acceptance probabilities are min(1, p/q) of real, different distributions; replayable from the seed', async () => {
    const prompt = await target.tokenize('And God said, Let there be light');
    const req = { prompt, maxNewTokens: 24, strategy: 'sample' as const, settings: DEFAULT_SAMPLING, spec: { drafter: 'draft-model' as const, k: 3, seed: 5, reroll: 0 } };
    const a = await speculativeGenerateOn(target.backend, draft.backend, req);
    const b = await speculativeGenerateOn(target.backend, draft.backend, req);
    expect(a.tokens).toEqual(b.tokens);
    const tested = a.rounds.flatMap((x) => x.tokens).filter((t) => t.acceptProbability !== undefined);
    for (const t of tested) expect(t.acceptProbability).toBeCloseTo(Math.min(1, t.p / t.q), 12);
    expect(tested.some((t) => t.acceptProbability! < 1)).toBe(true);
  });
});

