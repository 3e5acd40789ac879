/**
 * Owns the model Worker: the only postMessage caller. Requests get ids and
 * promises; streamed messages (load progress, beam steps) go to callbacks.
 */
import { EngineError } from '../engine/errors.ts';
import type { WorkerRequest, WorkerResponse } from './protocol.ts';

type Pending = {
  resolve: (m: WorkerResponse) => void;
  reject: (e: EngineError) => void;
  onStream?: (m: WorkerResponse) => void;
  /** The message type that ends this request. */
  final: WorkerResponse['type'][];
  /** performance.now() when the request was posted. */
  sentAt: number;
};

/** Distributive Omit, so `type` still narrows each request variant. */
export type RequestBody = WorkerRequest extends infer R ? (R extends WorkerRequest ? Omit<R, 'id'> : never) : never;

export class WorkerClient {
  private worker: Worker;
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private crashed = false;
  /** Id of the last request sent (to name it in a later request, e.g. 'cancel-run'). */
  lastRequestId = 0;
  /** Round-trip time of the last finished request: posted → final message received (ms). */
  lastRoundTripMs = 0;
  /** Called with a growing server vocabulary's new entries, before the answer that uses them. */
  onVocab: ((additions: Extract<WorkerResponse, { type: 'vocab' }>['additions']) => void) | null = null;
  /** Called once when the worker dies unexpectedly. */
  onCrash: ((reason: string) => void) | null = null;

  constructor(factory: () => Worker = () => new Worker(new URL('./model.worker.ts', import.meta.url), { type: 'module' })) {
    this.worker = factory();
    this.worker.onmessage = (ev: MessageEvent<WorkerResponse>) => this.receive(ev.data);
    this.worker.onerror = (ev) => {
      ev.preventDefault();
      this.worker.terminate();
      this.die(ev.message || 'worker error');
    };
  }

  private receive(msg: WorkerResponse): void {
    if (msg.type === 'vocab') {
      this.onVocab?.(msg.additions);
      return;
    }
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

  /** Sends a request; resolves with its final message, rejects with an EngineError. */
  request<T extends WorkerResponse['type']>(
    body: RequestBody,
    final: T[],
    onStream?: (m: WorkerResponse) => void,
    transfer: Transferable[] = [],
  ): Promise<Extract<WorkerResponse, { type: T }>> {
    if (this.crashed) return Promise.reject(new EngineError('worker-crash', 'the worker has stopped'));
    const id = this.nextId++;
    this.lastRequestId = id;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (m: WorkerResponse) => void, reject, onStream, final, sentAt: performance.now() });
      this.worker.postMessage({ ...body, id } as WorkerRequest, transfer);
    });
  }

  /** Ids of requests still waiting. */
  get busy(): boolean {
    return this.pending.size > 0;
  }

  terminate(): void {
    this.worker.terminate();
    this.die('terminated');
  }
}
