/**
 * The worker protocol answered in-process by a real ModelSession (the code behind model.worker.ts,
 * on onnxruntime-node): lets Node tests drive the Controller with the embedded model, no Worker.
 * Only the requests the controllers under test send are handled; others fail loudly.
 */
import { EngineError } from '../src/engine/errors.ts';
import type { ModelSession } from '../src/worker/session.ts';
import type { RequestBody } from '../src/worker/client.ts';
import type { WorkerRequest, WorkerResponse } from '../src/worker/protocol.ts';

export class InProcessClient {
  onCrash: ((reason: string) => void) | null = null;
  lastRoundTripMs = 0;
  private nextId = 1;
  private readonly ms: ModelSession;
  private readonly cancelled = new Set<number>();
  /** Id of the last request sent (as WorkerClient.lastRequestId). */
  lastRequestId = 0;

  constructor(ms: ModelSession) {
    this.ms = ms;
  }

  async request<T extends WorkerResponse['type']>(
    body: RequestBody,
    final: T[],
    onStream?: (m: WorkerResponse) => void,
  ): Promise<Extract<WorkerResponse, { type: T }>> {
    const msg = { ...body, id: this.nextId++ } as WorkerRequest;
    this.lastRequestId = msg.id;
    await Promise.resolve(); // answered asynchronously, as a worker would
    const answer = await this.answer(msg, onStream);
    if (!final.includes(answer.type as T)) throw new Error(`expected ${final.join('/')}, got ${answer.type}`);
    return answer as Extract<WorkerResponse, { type: T }>;
  }

  private async answer(msg: WorkerRequest, onStream?: (m: WorkerResponse) => void): Promise<WorkerResponse> {
    const ms = this.ms;
    switch (msg.type) {
      case 'load':
        return { type: 'loaded', id: msg.id, info: ms.info };
      case 'tokenize':
        return { type: 'tokens', id: msg.id, ids: ms.tokenize(msg.text, msg.addSpecialTokens) };
      case 'step': {
        const r = await ms.step(msg);
        return { type: 'step-result', id: msg.id, nodeId: msg.nodeId, record: r.record, choice: r.choice, forwardCount: ms.forwardCount, forwardMs: r.ms, workerMs: 0, phase: r.phase };
      }
      case 'query':
        return { type: 'query-result', id: msg.id, nodeId: msg.nodeId, stats: await ms.query(msg) };
      case 'beam': {
        const hyps = await ms.beam(msg, (record) => onStream?.({ type: 'beam-step', id: msg.id, record, forwardCount: ms.forwardCount }));
        return { type: 'beam-done', id: msg.id, hypotheses: hyps, forwardCount: ms.forwardCount };
      }
      case 'forget':
        await ms.forget(msg.nodeIds);
        return { type: 'done', id: msg.id };
      case 'stats':
        return { type: 'stats-result', id: msg.id, ...ms.stats() };
      case 'run': {
        const steps = await ms.run(
          msg,
          (r) => onStream?.({ type: 'run-step', id: msg.id, record: r.record, choice: r.choice, forwardCount: ms.forwardCount, forwardMs: r.ms, phase: r.phase }),
          () => this.cancelled.has(msg.id),
        );
        this.cancelled.delete(msg.id);
        return { type: 'run-done', id: msg.id, steps, forwardCount: ms.forwardCount };
      }
      case 'cancel-run':
        this.cancelled.add(msg.runId);
        return { type: 'done', id: msg.id };
      case 'score-text': {
        const r = await ms.scoreText(msg.text);
        return { type: 'score-result', id: msg.id, tokens: r.tokens, windows: r.windows, forwardCount: ms.forwardCount };
      }
      default:
        throw new EngineError('unknown', `InProcessClient does not handle ${msg.type}`);
    }
  }

  terminate(): void {}
}
