/**
 * Every lesson on the real embedded model through the real Controller (worker protocol answered
 * in-process): each step's claims must hold, so a retrained model that no longer shows a lesson's
 * point fails here (the e2e spec runs the same lessons in Chromium, in three languages).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import type { Decoder } from '../src/decoder/decoder.ts';
import { loadDecoder } from './ortDecoder.ts';
import { Controller } from '../src/store/controller.ts';
import { createAppStore } from '../src/store/store.ts';
import { LessonRunner, lessonStore } from '../src/store/lessonRunner.ts';
import { LESSONS } from '../src/lessons/index.ts';
import type { WorkerClient } from '../src/worker/client.ts';
import { clientFor } from './localClient.ts';
import { MODEL_NAME } from './reference.ts';

const modelsPath = fileURLToPath(new URL('../public/models/', import.meta.url));
let ms: Decoder;

beforeAll(async () => {
  ms = await loadDecoder({ kind: 'embedded', name: MODEL_NAME }, { device: 'wasm', modelsPath });
});
afterAll(async () => ms?.release());

describe('lessons on the embedded model', () => {
  it.each(LESSONS.map((l) => [l.id]))('%s: every step’s claims hold, and Back rebuilds the previous step', async (id) => {
    await ms.forget('all');
    const store = createAppStore();
    const ctl = new Controller(store, () => clientFor(ms.backend) as unknown as WorkerClient);
    await ctl.loadModel({ kind: 'embedded', name: MODEL_NAME }, 'wasm');
    const runner = new LessonRunner(store, ctl);
    await runner.start(id);
    const lesson = LESSONS.find((l) => l.id === id)!;
    for (let k = 0; k < lesson.steps.length; k++) {
      if (k > 0) await runner.next();
      expect(lessonStore.getState()).toMatchObject({ step: k, running: false, problem: null });
      const failed = runner.claims().filter((c) => !c.result.holds);
      expect(failed, `${id} step ${k}`).toEqual([]);
    }
    if (lesson.steps.length > 1) {
      await runner.back();
      expect(lessonStore.getState().step).toBe(lesson.steps.length - 2);
      expect(runner.claims().filter((c) => !c.result.holds)).toEqual([]);
    }
  });

  it('Next after a change by hand (prompt, settings) replays the lesson, so the step shows what its text says', async () => {
    await ms.forget('all');
    const store = createAppStore();
    const ctl = new Controller(store, () => clientFor(ms.backend) as unknown as WorkerClient);
    await ctl.loadModel({ kind: 'embedded', name: MODEL_NAME }, 'wasm');
    const runner = new LessonRunner(store, ctl);
    await runner.start('loop');
    await runner.next();
    await ctl.setPrompt('Hello world');
    await ctl.updateSettings({ maxNewTokens: 1 });
    await runner.next();
    expect(lessonStore.getState()).toMatchObject({ step: 2, running: false });
    expect(store.getState().prompt).toBe('A fool and his money');
    expect(runner.claims().filter((c) => !c.result.holds)).toEqual([]);
  });
});
