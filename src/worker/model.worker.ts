/**
 * The model worker: a thin host for the one dispatcher (dispatcher.ts) over the ONNX Runtime /
 * transformers.js backend (ortBackend.ts, loaded by loading/browserLoad.ts).
 */
import { Dispatcher } from './dispatcher.ts';
import { loadForRequest } from './loading/browserLoad.ts';
import type { WorkerRequest, WorkerResponse } from './protocol.ts';

const scope = self as unknown as {
  postMessage(msg: WorkerResponse, transfer?: Transferable[]): void;
  onmessage: ((ev: MessageEvent<WorkerRequest>) => void) | null;
  location: Location;
  crossOriginIsolated: boolean;
};

const dispatcher = new Dispatcher({
  post: (msg, transfer = []) => scope.postMessage(msg, transfer),
  load: (msg, progress) => loadForRequest(msg, progress, scope),
  crash: () => {
    // lets tests exercise crash recovery: an uncaught error reaches the page as the worker's error event
    setTimeout(() => {
      throw new Error('simulated worker crash');
    }, 0);
  },
});

scope.onmessage = (ev: MessageEvent<WorkerRequest>) => void dispatcher.handle(ev.data);
