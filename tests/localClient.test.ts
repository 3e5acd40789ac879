/**
 * The in-process worker (tests/localClient.ts) behind the real WorkerClient: answers, streamed
 * messages, errors and a crash go through WorkerClient's own plumbing, as with a Web Worker.
 */
import { describe, expect, it } from 'vitest';
import { ScriptedClient } from './localClient.ts';

const load = { type: 'load', source: { kind: 'embedded', name: 'scripted' }, device: 'wasm', ortPath: '', modelsPath: '' } as const;

describe('WorkerClient over the in-process worker', () => {
  it('streams progress, answers, and turns an error answer into a rejected EngineError', async () => {
    const c = new ScriptedClient();
    await expect(c.request({ type: 'stats' }, ['stats-result'])).rejects.toMatchObject({ code: 'model-load' });
    const progress: string[] = [];
    const loaded = await c.request(load, ['loaded'], (m) => progress.push(m.type));
    expect(loaded.info.id).toBe('scripted');
    expect(progress).toEqual(['load-progress', 'load-progress', 'load-progress']);
    expect(c.received).toEqual(['stats', 'load']);
    expect(c.busy).toBe(false);
  });

  it('a crash in the worker reaches onerror: pending requests reject, onCrash is called once, later requests reject', async () => {
    const c = new ScriptedClient();
    await c.request(load, ['loaded']);
    const reasons: string[] = [];
    c.onCrash = (r) => reasons.push(r);
    const pending = c.request({ type: 'crash-for-test' }, ['done']);
    await expect(pending).rejects.toMatchObject({ code: 'worker-crash', message: 'simulated worker crash' });
    expect(reasons).toEqual(['simulated worker crash']);
    await expect(c.request({ type: 'stats' }, ['stats-result'])).rejects.toMatchObject({ code: 'worker-crash' });
    c.terminate();
    expect(reasons).toHaveLength(1);
  });
});
