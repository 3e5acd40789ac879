/**
 * Worker-thread entry (node:worker_threads) running the one dispatcher over the scripted model, as
 * the app's model.worker.ts runs it in a Web Worker: requests arrive as messages, answers leave with
 * their buffers transferred. Bundled for Node by tests/support/threadedClient.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Dispatcher } from '../../src/worker/dispatcher.ts';
import type { WorkerRequest, WorkerResponse } from '../../src/worker/protocol.ts';
import { scriptedLoad, type ScriptedClientOptions } from './scriptedLoad.ts';

const port = parentPort!;
const dispatcher = new Dispatcher({
  post: (msg: WorkerResponse, transfer: Transferable[] = []) => port.postMessage(msg, transfer as never),
  load: scriptedLoad(workerData as ScriptedClientOptions),
  crash: () => {
    throw new Error('simulated worker crash');
  },
});
port.on('message', (msg: WorkerRequest) => void dispatcher.handle(msg));
