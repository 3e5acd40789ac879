/**
 * The dispatcher host's `load` for the scripted test model, shared by the in-process client
 * (tests/localClient.ts) and the worker-thread one (tests/support/threadedClient.ts): a 'load'
 * reports two "files" of progress, as the real worker does (per file and overall), then names the
 * model after the request's source.
 */
import type { DispatcherHost } from '../../src/worker/dispatcher.ts';
import { ScriptedBackend, scriptedModelInfo, SCRIPTED_CONTEXT } from '../scriptedBackend.ts';

export interface ScriptedClientOptions {
  /** The model's context length in tokens (default SCRIPTED_CONTEXT). */
  contextLength?: number;
}

/** A `load` that answers every request with one scripted backend (its info renamed per source). */
export function scriptedLoad(opts: ScriptedClientOptions = {}): DispatcherHost['load'] {
  const backend = new ScriptedBackend();
  return async (msg, progress) => {
    await Promise.resolve();
    progress({ file: 'config.json', loaded: 1, total: 1, progress: 1, loadedAll: 1, totalAll: 1, overall: 1 });
    await Promise.resolve();
    progress({ file: 'onnx/model.onnx', loaded: 2, total: 4, progress: 0.5, loadedAll: 3, totalAll: 5, overall: 0.6 });
    await Promise.resolve();
    progress({ file: 'onnx/model.onnx', loaded: 4, total: 4, progress: 1, loadedAll: 5, totalAll: 5, overall: 1 });
    const name = msg.source.kind === 'hub' ? msg.source.modelId : msg.source.kind === 'server' ? msg.source.url : msg.source.name;
    backend.info = scriptedModelInfo(name, msg.source.kind, opts.contextLength ?? SCRIPTED_CONTEXT);
    return backend;
  };
}
