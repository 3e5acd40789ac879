/**
 * The one dispatcher of the worker protocol: every WorkerRequest is answered here, by the decoder
 * over whichever model backend the host loads. The real worker (model.worker.ts: the ONNX Runtime
 * backend) and in-process clients (LocalClient: the scripted test model, or the ONNX backend in Node
 * tests) use this same code; only loading and the crash hook differ (DispatcherHost).
 * Benchmark requests load their module on demand (./testHooks.ts), so production bundles stay lean.
 */
import { Decoder, type DecoderOptions } from '../decoder/decoder.ts';
import type { ModelBackend } from '../decoder/backend.ts';
import { EngineError } from '../engine/errors.ts';
import type { WorkerRequest, WorkerResponse } from './protocol.ts';
import { PathReceiver } from './pathDelta.ts';
import type { VocabAddition } from '../domain/vocabGrowth.ts';

export type LoadRequest = Extract<WorkerRequest, { type: 'load' }>;
/** A 'load-progress' message without its type and id. */
export type LoadProgress = Omit<Extract<WorkerResponse, { type: 'load-progress' }>, 'type' | 'id'>;

/** What differs between the hosts of the dispatcher. */
export interface DispatcherHost {
  /** Delivers an answer to the client (with buffers to transfer). */
  post(msg: WorkerResponse, transfer?: Transferable[]): void;
  /**
   * Loads the model a 'load' request names; `progress` posts a 'load-progress' message. May return
   * the backend already loaded (then its decoder stays, with its caches forgotten).
   */
  load(msg: LoadRequest, progress: (p: LoadProgress) => void): Promise<ModelBackend>;
  /** 'crash-for-test': make the host fail as a crash would (answers nothing). */
  crash(): void;
  decoderOptions?: DecoderOptions;
}

/** The record buffers a step answer transfers. */
function recordBuffers(rec: { tokenIds: Int32Array; logits: Float32Array; stageProbs: Float64Array; kept: Uint8Array; restMass: Float64Array; removedAt: Int8Array; cumBefore: Float64Array }): Transferable[] {
  return [rec.tokenIds.buffer, rec.logits.buffer, rec.stageProbs.buffer, rec.kept.buffer, rec.restMass.buffer, rec.removedAt.buffer, rec.cumBefore.buffer] as Transferable[];
}

export class Dispatcher {
  /** The decoder over the loaded backend (null before the first load). */
  decoder: Decoder | null = null;
  /** Ids of 'run' requests asked to stop. */
  private readonly cancelledRuns = new Set<number>();
  /** Ids of 'score-text' requests asked to stop. */
  private readonly cancelledScores = new Set<number>();
  /** The main lane's last position: requests with `keep` send only its change (pathDelta.ts). */
  private readonly paths = new PathReceiver();

  constructor(private readonly host: DispatcherHost) {}

  private fail(id: number, e: unknown): void {
    this.postVocab(id);
    if (e instanceof EngineError) this.host.post({ type: 'error', id, code: e.code, message: e.message });
    else if (e instanceof RangeError) this.host.post({ type: 'error', id, code: 'invalid-setting', message: e.message });
    else this.host.post({ type: 'error', id, code: 'unknown', message: e instanceof Error ? e.message : String(e) });
  }

  /** Posts the vocabulary entries a growing server vocabulary gained (before the answer that uses them). */
  private postVocab(id: number): void {
    const b = this.decoder?.backend as { takeVocabAdditions?: () => VocabAddition[] } | undefined;
    const additions = b?.takeVocabAdditions?.();
    if (additions && additions.length > 0) this.host.post({ type: 'vocab', id, additions });
  }

  private need(): Decoder {
    if (!this.decoder) throw new EngineError('model-load', 'no model is loaded');
    return this.decoder;
  }

  private async load(msg: LoadRequest): Promise<void> {
    const backend = await this.host.load(msg, (p) => this.host.post({ type: 'load-progress', id: msg.id, ...p }));
    const old = this.decoder;
    if (old && old.backend === backend) await old.forget('all');
    else {
      if (old) await old.release();
      this.decoder = new Decoder(backend, this.host.decoderOptions);
    }
    this.host.post({ type: 'loaded', id: msg.id, info: backend.info });
  }

  /** Answers one request (never throws: failures are answered with an 'error' message). */
  async handle(msg: WorkerRequest): Promise<void> {
    const post = (m: WorkerResponse, transfer?: Transferable[]) => {
      this.postVocab(m.id);
      this.host.post(m, transfer);
    };
    try {
      // before any await: positions are deltas in posting order
      if ('path' in msg && msg.keep !== undefined) msg = { ...msg, ...this.paths.resolve(msg), keep: undefined };
      switch (msg.type) {
        case 'load':
          await this.load(msg);
          break;
        case 'cancel-load':
          // cancelling terminates the worker from the client; nothing to do here
          break;
        case 'tokenize':
          post({ type: 'tokens', id: msg.id, ids: await this.need().tokenize(msg.text, msg.addSpecialTokens) });
          break;
        case 'chat-tokenize':
          post({ type: 'tokens', id: msg.id, ...(await this.need().chatTokens(msg.messages, msg.allowSpecial === true)) });
          break;
        case 'step': {
          const t0 = performance.now();
          const d = this.need();
          const r = await d.step(msg);
          const readout = msg.readout ? d.heldReadout(msg.path, msg.ids) : null;
          post(
            {
              type: 'step-result',
              id: msg.id,
              nodeId: msg.nodeId,
              record: r.record,
              choice: r.choice,
              stop: r.stop,
              forwardCount: d.forwardCount,
              forwardMs: r.ms,
              workerMs: performance.now() - t0,
              phase: r.phase,
              ...(readout ? { readout } : {}),
            },
            recordBuffers(r.record),
          );
          break;
        }
        case 'query':
          post({ type: 'query-result', id: msg.id, nodeId: msg.nodeId, stats: await this.need().query(msg) });
          break;
        case 'speculative': {
          const t0 = performance.now();
          const r = await this.need().speculative(msg);
          post({ type: 'speculative-result', id: msg.id, ...r, ms: performance.now() - t0 });
          break;
        }
        case 'load-draft': {
          const d = this.need();
          if (!msg.source) {
            await d.detachDraft();
            post({ type: 'draft-loaded', id: msg.id, draft: null });
            break;
          }
          const backend = await this.host.load({ type: 'load', id: msg.id, source: msg.source, device: msg.device, ortPath: msg.ortPath, modelsPath: msg.modelsPath }, () => undefined);
          try {
            await d.attachDraft(backend);
          } catch (e) {
            if (backend !== d.backend) await backend.dispose();
            throw e;
          }
          post({ type: 'draft-loaded', id: msg.id, draft: { id: backend.info.id, vocabSize: backend.info.vocabSize } });
          break;
        }
        case 'cancel-run':
          this.cancelledRuns.add(msg.runId);
          post({ type: 'done', id: msg.id });
          break;
        case 'run': {
          const d = this.need();
          try {
            const steps = await d.run(
              msg,
              (r) => post({ type: 'run-step', id: msg.id, record: r.record, choice: r.choice, stop: r.stop, forwardCount: d.forwardCount, forwardMs: r.ms, phase: r.phase }, recordBuffers(r.record)),
              () => this.cancelledRuns.has(msg.id),
            );
            post({ type: 'run-done', id: msg.id, steps, forwardCount: d.forwardCount });
          } finally {
            this.cancelledRuns.delete(msg.id);
          }
          break;
        }
        case 'beam': {
          const d = this.need();
          const hyps = await d.beam(msg, (record) => post({ type: 'beam-step', id: msg.id, record, forwardCount: d.forwardCount }));
          post({ type: 'beam-done', id: msg.id, hypotheses: hyps, forwardCount: d.forwardCount });
          break;
        }
        case 'score-text': {
          const d = this.need();
          try {
            const r = await d.scoreText(msg.text, {
              progress: (done, total) => post({ type: 'score-progress', id: msg.id, done, total }),
              cancelled: () => this.cancelledScores.has(msg.id),
            });
            post({ type: 'score-result', id: msg.id, tokens: r.tokens, windows: r.windows, forwardCount: d.forwardCount });
          } finally {
            this.cancelledScores.delete(msg.id);
          }
          break;
        }
        case 'score-cancel':
          this.cancelledScores.add(msg.target);
          post({ type: 'done', id: msg.id });
          break;
        case 'mc-sample': {
          const d = this.need();
          const h = await d.mcSample(msg);
          post({ type: 'mc-result', id: msg.id, histogram: h, forwardCount: d.forwardCount }, [h.tokenIds.buffer, h.counts.buffer, h.probs.buffer, h.finalProbs.buffer] as Transferable[]);
          break;
        }
        case 'mc-tree': {
          const d = this.need();
          post({ type: 'mc-tree-result', id: msg.id, nodes: await d.mcTree(msg), forwardCount: d.forwardCount });
          break;
        }
        case 'mc-cancel':
          this.need().cancelMcTree(msg.target);
          post({ type: 'done', id: msg.id });
          break;
        case 'forget':
          await this.need().forget(msg.nodeIds);
          post({ type: 'done', id: msg.id });
          break;
        case 'readouts':
          this.need().setReadouts(msg.on);
          post({ type: 'done', id: msg.id });
          break;
        case 'readout': {
          const d = this.need();
          const readout = await d.readout(msg.path, msg.ids);
          post({ type: 'readout-result', id: msg.id, nodeId: msg.nodeId, readout, forwardCount: d.forwardCount });
          break;
        }
        case 'stats':
          post({ type: 'stats-result', id: msg.id, ...this.need().stats() });
          break;
        case 'bench-raw-decode':
        case 'bench-generate':
        case 'bench-math':
        case 'bench-mask': {
          // benchmarks only: their module is loaded on the first such request
          const hooks = await import('./testHooks.ts');
          post(await hooks.runBenchmark(msg, this.decoder));
          break;
        }
        case 'crash-for-test':
          this.host.crash();
          break;
        default: {
          const never: never = msg;
          throw new Error(`unknown message ${JSON.stringify(never)}`);
        }
      }
    } catch (e) {
      this.fail(msg.id, e);
    }
  }
}
