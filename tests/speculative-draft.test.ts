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
