/**
 * In-process clients of the one dispatcher (src/worker/dispatcher.ts): the real WorkerClient over a
 * stand-in Worker, so a Controller drives the real decoder without a Worker thread and the request
 * plumbing (ids, pending requests, streams, errors, crashes) is WorkerClient's own.
 * - `InProcessWorker`: `postMessage` hands a structured clone to the dispatcher on a microtask; the
 *   dispatcher's answers come back the same way (buffers transferred, as the real worker does), in
 *   posting order; a crash reaches `onerror`, as an uncaught error in a Worker does.
 * - `LocalClient(load)`: any backend (tests/*.test.ts: the ONNX Runtime backend on onnxruntime-node).
 * - `ScriptedClient`: the scripted test model (tests/scriptedBackend.ts), for controller tests.
 */
import { Dispatcher, type DispatcherHost } from '../src/worker/dispatcher.ts';
import { WorkerClient } from '../src/worker/client.ts';
import type { WorkerRequest, WorkerResponse } from '../src/worker/protocol.ts';
import type { ModelBackend } from '../src/decoder/backend.ts';
import { scriptedLoad, type ScriptedClientOptions } from './support/scriptedLoad.ts';

/** The part of the Worker interface WorkerClient uses, served by a Dispatcher in this thread. */
export class InProcessWorker {
  onmessage: ((ev: MessageEvent<WorkerResponse>) => void) | null = null;
  onerror: ((ev: ErrorEvent) => void) | null = null;
  /** Every request type received, in order (for tests). */
  readonly received: WorkerRequest['type'][] = [];
  readonly dispatcher: Dispatcher;
  private stopped = false;

  constructor(load: DispatcherHost['load']) {
    this.dispatcher = new Dispatcher({
      post: (msg, transfer = []) => {
        if (this.stopped) return;
        const copy = structuredClone(msg, { transfer });
        queueMicrotask(() => {
          if (!this.stopped) this.onmessage?.({ data: copy } as MessageEvent<WorkerResponse>);
        });
      },
      load,
      // an uncaught error in the worker: its error event, on a later task
      crash: () =>
        setTimeout(() => {
          if (!this.stopped) this.onerror?.({ message: 'simulated worker crash', preventDefault() {} } as ErrorEvent);
        }, 0),
    });
  }

  postMessage(msg: WorkerRequest, transfer: Transferable[] = []): void {
    if (this.stopped) return;
    const copy = structuredClone(msg, { transfer });
    queueMicrotask(() => {
      if (this.stopped) return;
      this.received.push(copy.type);
      void this.dispatcher.handle(copy);
    });
  }

  terminate(): void {
    this.stopped = true;
  }
}

/** WorkerClient over an InProcessWorker, with the decoder's counters for tests. */
export class LocalClient extends WorkerClient {
  readonly inProcess: InProcessWorker;

  constructor(load: DispatcherHost['load']) {
    const worker = new InProcessWorker(load);
    super(() => worker as unknown as Worker);
    this.inProcess = worker;
  }

  /** Every request type the dispatcher received, in order. */
  get received(): readonly WorkerRequest['type'][] {
    return this.inProcess.received;
  }

  get dispatcher(): Dispatcher {
    return this.inProcess.dispatcher;
  }

  /** Forward passes the backend ran. */
  get forwardCount(): number {
    return this.dispatcher.decoder?.forwardCount ?? 0;
  }

  /** Cache entries the decoder found covering other ids than asked (see NodeCache); 0 when the main thread keeps node ids straight. */
  get staleCacheHits(): number {
    return this.dispatcher.decoder?.staleCacheHits.count ?? 0;
  }

  get staleDetails(): readonly string[] {
    return this.dispatcher.decoder?.staleCacheHits.details ?? [];
  }
}

/** A LocalClient whose every 'load' answers with an already loaded backend (its caches forgotten). */
export function clientFor(backend: ModelBackend): LocalClient {
  return new LocalClient(async () => backend);
}

export type { ScriptedClientOptions } from './support/scriptedLoad.ts';

/**
 * The scripted test model behind the one dispatcher (tests/support/scriptedLoad.ts: a 'load'
 * reports progress as the real worker does, then names the model after the request's source).
 */
export class ScriptedClient extends LocalClient {
  constructor(opts: ScriptedClientOptions = {}) {
    super(scriptedLoad(opts));
  }
}
