/**
 * In-process clients of the one dispatcher (src/worker/dispatcher.ts): structurally a WorkerClient
 * (request / busy / terminate / onCrash / lastRequestId), so a Controller drives the real decoder
 * without a Worker. Messages are structured-cloned both ways and answered asynchronously (never
 * inside `request`), in the order the real worker answers them.
 * - `LocalClient(load)`: any backend (tests/*.test.ts: the ONNX Runtime backend on onnxruntime-node).
 * - `ScriptedClient`: the scripted test model (tests/scriptedBackend.ts), for controller tests.
 */
import { EngineError } from '../src/engine/errors.ts';
import { Dispatcher, type DispatcherHost } from '../src/worker/dispatcher.ts';
import type { RequestBody } from '../src/worker/client.ts';
import type { WorkerRequest, WorkerResponse } from '../src/worker/protocol.ts';
import type { ModelBackend } from '../src/decoder/backend.ts';
import { ScriptedBackend, scriptedModelInfo, SCRIPTED_CONTEXT } from './scriptedBackend.ts';

type Pending = {
  resolve: (m: WorkerResponse) => void;
  reject: (e: EngineError) => void;
  onStream?: (m: WorkerResponse) => void;
  final: WorkerResponse['type'][];
  sentAt: number;
};

export class LocalClient {
  /** Called once when the "worker" dies unexpectedly (crash-for-test). */
  onCrash: ((reason: string) => void) | null = null;
  /** Id of the last request sent (as WorkerClient.lastRequestId). */
  lastRequestId = 0;
  /** Round trip of the last finished request (ms). */
  lastRoundTripMs = 0;
  /** Every request type received, in order (for tests). */
  readonly received: WorkerRequest['type'][] = [];
  readonly dispatcher: Dispatcher;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private crashed = false;

  constructor(load: DispatcherHost['load']) {
    this.dispatcher = new Dispatcher({
      post: (msg) => this.post(msg),
      load,
      crash: () => setTimeout(() => this.die('simulated worker crash'), 0),
    });
  }

  /** Sends a request; resolves with its final message, rejects with an EngineError. */
  request<T extends WorkerResponse['type']>(
    body: RequestBody,
    final: T[],
    onStream?: (m: WorkerResponse) => void,
    _transfer: Transferable[] = [],
  ): Promise<Extract<WorkerResponse, { type: T }>> {
    if (this.crashed) return Promise.reject(new EngineError('worker-crash', 'the worker has stopped'));
    const id = this.nextId++;
    this.lastRequestId = id;
    const msg = structuredClone({ ...body, id }) as WorkerRequest;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (m: WorkerResponse) => void, reject, onStream, final, sentAt: performance.now() });
      queueMicrotask(() => {
        if (this.crashed) return;
        this.received.push(msg.type);
        void this.dispatcher.handle(msg);
      });
    });
  }

  get busy(): boolean {
    return this.pending.size > 0;
  }

  terminate(): void {
    this.die('terminated');
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

  /** Posts a message back: cloned, delivered in a later microtask, in posting order. */
  private post(msg: WorkerResponse): void {
    if (this.crashed) return;
    const copy = structuredClone(msg);
    queueMicrotask(() => {
      if (!this.crashed) this.receive(copy);
    });
  }

  private receive(msg: WorkerResponse): void {
    const p = this.pending.get(msg.id);
    if (!p) return; // stale id
    if (msg.type === 'error') {
      this.pending.delete(msg.id);
      p.reject(new EngineError(msg.code, msg.message));
      return;
    }
    if (p.final.includes(msg.type)) {
      this.pending.delete(msg.id);
      this.lastRoundTripMs = performance.now() - p.sentAt;
      p.resolve(msg);
    } else p.onStream?.(msg);
  }

  private die(reason: string): void {
    if (this.crashed) return;
    this.crashed = true;
    for (const p of this.pending.values()) p.reject(new EngineError('worker-crash', reason));
    this.pending.clear();
    this.onCrash?.(reason);
  }
}

/** A LocalClient whose every 'load' answers with an already loaded backend (its caches forgotten). */
export function clientFor(backend: ModelBackend): LocalClient {
  return new LocalClient(async () => backend);
}

export interface ScriptedClientOptions {
  contextLength?: number;
}

/**
 * The scripted test model behind the one dispatcher. A 'load' reports two "files" of progress, as
 * the real worker does (per file and overall), then names the model after the request's source.
 */
export class ScriptedClient extends LocalClient {
  constructor(opts: ScriptedClientOptions = {}) {
    const backend = new ScriptedBackend();
    super(async (msg, progress) => {
      await Promise.resolve();
      progress({ file: 'config.json', loaded: 1, total: 1, progress: 1, loadedAll: 1, totalAll: 1, overall: 1 });
      await Promise.resolve();
      progress({ file: 'onnx/model.onnx', loaded: 2, total: 4, progress: 0.5, loadedAll: 3, totalAll: 5, overall: 0.6 });
      await Promise.resolve();
      progress({ file: 'onnx/model.onnx', loaded: 4, total: 4, progress: 1, loadedAll: 5, totalAll: 5, overall: 1 });
      const name = msg.source.kind === 'hub' ? msg.source.modelId : msg.source.name;
      backend.info = scriptedModelInfo(name, msg.source.kind, opts.contextLength ?? SCRIPTED_CONTEXT);
      return backend;
    });
  }
}
