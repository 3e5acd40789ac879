/**
 * A stand-in for WorkerClient that answers the worker protocol the way
 * src/worker/model.worker.ts + ModelSession do, but with a *scripted model*: a
 * deterministic pure function of the last two token ids over a 12-token
 * vocabulary instead of a neural network. For controller tests (no Worker, no
 * ONNX). All decoding math is src/engine's, called exactly as ModelSession calls it.
 */
import { EngineError } from '../engine/errors.ts';
import { finalProbs, runProcessors, tokenStat, type DistributionRecord } from '../engine/distribution.ts';
import { monteCarloHistogram } from '../engine/monteCarlo.ts';
import { growLevel, startMcTree, type McFrontierRow } from '../engine/mcTree.ts';
import { decideStep, effectiveSettings } from '../engine/step.ts';
import { beamLogprobs, beamStep, initialBeamState, type BeamHypothesis } from '../engine/beam.ts';
import { validateBeamSettings, validateSamplingSettings } from '../engine/settings.ts';
import type { RequestBody } from '../worker/client.ts';
import type { BeamStepRecord, ModelInfo, StepChoice, WorkerRequest, WorkerResponse } from '../worker/protocol.ts';

/** Vocabulary: ids 0..10 are the letters a..k, 11 is EOS (also used as BOS). */
export const SCRIPTED_PIECES: readonly string[] = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', '</s>'];
export const SCRIPTED_VOCAB = SCRIPTED_PIECES.length;
export const SCRIPTED_EOS = 11;
export const SCRIPTED_CONTEXT = 64;

/** 32-bit integer hash (murmur3-style finaliser over two inputs). */
function mix(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b ^ 0x7f4a7c15, 0xc2b2ae35);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  h = Math.imul(h, 0x297a2d39);
  h ^= h >>> 15;
  return h >>> 0;
}

/**
 * The scripted model: next-token logits after `ids` (Float32Array of length
 * SCRIPTED_VOCAB), a pure function of the last two ids. Rows come in five
 * shapes so distributions vary: one sharp peak, quantised values with many
 * ties, smooth values, nearly flat, and a two-way tie at the top. All values
 * are multiples of 1/4 (exact in float32) except the smooth rows.
 */
export function logitsFor(ids: readonly number[]): Float32Array {
  const a = ids.length >= 2 ? ids[ids.length - 2] : -1;
  const b = ids.length >= 1 ? ids[ids.length - 1] : -1;
  let h = mix(a + 2, b + 2);
  const next = (): number => (h = mix(h, 0x5bd1e995));
  const pick = (n: number): number => next() % n;
  const out = new Float32Array(SCRIPTED_VOCAB);
  const kind = h % 5;
  switch (kind) {
    case 0: // peaked
      for (let i = 0; i < out.length; i++) out[i] = -3 + pick(17) / 4;
      out[SCRIPTED_EOS] = -2 + pick(9) / 4;
      out[pick(SCRIPTED_VOCAB)] = 9;
      break;
    case 1: // quantised: many ties
      for (let i = 0; i < out.length; i++) out[i] = [-1, 0, 0.5, 2][pick(4)];
      break;
    case 2: // smooth
      for (let i = 0; i < out.length; i++) out[i] = (next() / 2 ** 32) * 6 - 3;
      out[SCRIPTED_EOS] = -1.5 + (next() / 2 ** 32) * 2;
      break;
    case 3: // nearly flat: two tied favourites
      out.fill(0.25);
      out[pick(SCRIPTED_VOCAB)] = 1.5;
      out[pick(SCRIPTED_VOCAB)] = 1.5;
      break;
    default: {
      // two-way tie at the top, negative tail
      for (let i = 0; i < out.length; i++) out[i] = -4 + pick(17) / 4;
      const x = pick(SCRIPTED_VOCAB - 1);
      out[x] = 5;
      out[(x + 1 + pick(SCRIPTED_VOCAB - 2)) % (SCRIPTED_VOCAB - 1)] = 5;
      break;
    }
  }
  return out;
}

/** The scripted tokenizer: letters a..k become ids 0..10; every other character is ignored; no special tokens added. */
export function scriptedTokenize(text: string): number[] {
  const ids: number[] = [];
  for (const ch of text) {
    const i = SCRIPTED_PIECES.indexOf(ch);
    if (i >= 0 && i !== SCRIPTED_EOS) ids.push(i);
  }
  return ids;
}

/** ModelInfo of the scripted model, as the worker would report it. */
export function scriptedModelInfo(id: string, sourceKind: ModelInfo['sourceKind'], contextLength = SCRIPTED_CONTEXT): ModelInfo {
  const enc = new TextEncoder();
  const chunks = SCRIPTED_PIECES.map((p) => enc.encode(p));
  const offsets = new Uint32Array(SCRIPTED_VOCAB + 1);
  let off = 0;
  chunks.forEach((c, i) => {
    offsets[i] = off;
    off += c.length;
  });
  offsets[SCRIPTED_VOCAB] = off;
  const vocabBytes = new Uint8Array(off);
  chunks.forEach((c, i) => vocabBytes.set(c, offsets[i]));
  const special = new Uint8Array(SCRIPTED_VOCAB);
  special[SCRIPTED_EOS] = 1;
  return {
    id,
    sourceKind,
    modelType: 'scripted',
    vocabSize: SCRIPTED_VOCAB,
    contextLength,
    bosTokenId: SCRIPTED_EOS,
    eosTokenId: SCRIPTED_EOS,
    device: 'wasm',
    dtype: 'fp32',
    threads: 1,
    crossOriginIsolated: false,
    fallbackReason: null,
    vocabBytes,
    vocabOffsets: offsets,
    vocabPieces: [...SCRIPTED_PIECES],
    special,
    pieceEncoding: 'plain',
    hasChatTemplate: false,
    endOfTurnTokenId: null,
    modelCard: null,
    fingerprint: null,
  };
}

type Pending = {
  resolve: (m: WorkerResponse) => void;
  reject: (e: EngineError) => void;
  onStream?: (m: WorkerResponse) => void;
  final: WorkerResponse['type'][];
};

/** A "KV snapshot": the token ids the cache of a node covers. */
interface Snapshot {
  ids: number[];
}

const LOGITS_LRU = 64;

function sameIds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export interface ScriptedClientOptions {
  contextLength?: number;
}

/**
 * Structurally a WorkerClient (request / busy / terminate / onCrash); pass it to
 * the Controller as `() => new ScriptedClient() as unknown as WorkerClient`.
 * Messages are structured-cloned both ways and answered asynchronously (never
 * inside `request`), in the order the real worker would answer them: step,
 * query, beam and forget run one at a time; tokenize and stats are answered at
 * once, so they can overtake queued steps, as in model.worker.ts.
 */
export class ScriptedClient {
  /** Called once when the "worker" dies unexpectedly (crash-for-test). */
  onCrash: ((reason: string) => void) | null = null;
  /** Forward passes "run" so far (cache misses and beam steps), like ModelSession.forwardCount. */
  forwardCount = 0;
  /**
   * Times a cached logits row or KV snapshot was used for a node whose stored
   * token ids differ from the request's: the real worker would silently return
   * logits of the wrong sequence there. Also recorded in `staleDetails`.
   */
  staleCacheHits = 0;
  readonly staleDetails: string[] = [];
  /** Id of the last request sent (as WorkerClient.lastRequestId). */
  lastRequestId = 0;
  /** Every request type received, in order (for tests). */
  readonly received: WorkerRequest['type'][] = [];

  private info: ModelInfo | null = null;
  private readonly contextLength: number;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private crashed = false;
  private readonly snapshots = new Map<number, Snapshot>();
  private readonly logits = new Map<number, { ids: number[]; logits: Float32Array }>();
  private queue: Promise<unknown> = Promise.resolve();
  private readonly cancelledRuns = new Set<number>();

  constructor(opts: ScriptedClientOptions = {}) {
    this.contextLength = opts.contextLength ?? SCRIPTED_CONTEXT;
  }

  // ------------------------------------------------------------ client side

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
      this.pending.set(id, { resolve: resolve as (m: WorkerResponse) => void, reject, onStream, final });
      queueMicrotask(() => void this.onMessage(msg));
    });
  }

  get busy(): boolean {
    return this.pending.size > 0;
  }

  terminate(): void {
    this.die('terminated');
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

  // ------------------------------------------------------------ worker side

  /** Posts a message back: cloned, delivered in a later microtask, in posting order. */
  private post(msg: WorkerResponse): void {
    if (this.crashed) return;
    const copy = structuredClone(msg);
    queueMicrotask(() => {
      if (!this.crashed) this.receive(copy);
    });
  }

  private fail(id: number, e: unknown): void {
    if (e instanceof EngineError) this.post({ type: 'error', id, code: e.code, message: e.message });
    else if (e instanceof RangeError) this.post({ type: 'error', id, code: 'invalid-setting', message: e.message });
    else this.post({ type: 'error', id, code: 'unknown', message: e instanceof Error ? e.message : String(e) });
  }

  private need(): ModelInfo {
    if (!this.info) throw new EngineError('model-load', 'no model is loaded');
    return this.info;
  }

  /** The model.worker.ts message handler. */
  private async onMessage(msg: WorkerRequest): Promise<void> {
    if (this.crashed) return;
    this.received.push(msg.type);
    try {
      switch (msg.type) {
        case 'load': {
          // two "files", as model.worker.ts reports them: per file and overall
          await Promise.resolve();
          this.post({ type: 'load-progress', id: msg.id, file: 'config.json', loaded: 1, total: 1, progress: 1, loadedAll: 1, totalAll: 1, overall: 1 });
          await Promise.resolve();
          this.post({ type: 'load-progress', id: msg.id, file: 'onnx/model.onnx', loaded: 2, total: 4, progress: 0.5, loadedAll: 3, totalAll: 5, overall: 0.6 });
          await Promise.resolve();
          this.post({ type: 'load-progress', id: msg.id, file: 'onnx/model.onnx', loaded: 4, total: 4, progress: 1, loadedAll: 5, totalAll: 5, overall: 1 });
          const name = msg.source.kind === 'hub' ? msg.source.modelId : msg.source.name;
          this.forget('all');
          this.info = scriptedModelInfo(name, msg.source.kind, this.contextLength);
          this.post({ type: 'loaded', id: msg.id, info: this.info });
          break;
        }
        case 'cancel-load':
          break;
        case 'tokenize':
          this.need();
          this.post({ type: 'tokens', id: msg.id, ids: scriptedTokenize(msg.text) });
          break;
        case 'chat-tokenize':
          // the scripted model has no chat template, as ModelSession.chatTokenize reports for such a model
          throw new EngineError('chat-template', `${this.need().id} has no chat template`);
        case 'step': {
          this.need();
          const r = await this.step(msg);
          this.post({ type: 'step-result', id: msg.id, nodeId: msg.nodeId, record: r.record, choice: r.choice, forwardCount: this.forwardCount, forwardMs: r.ms, workerMs: r.ms, phase: r.phase });
          break;
        }
        case 'run': {
          this.need();
          const steps = await this.run(
            msg,
            (r) => this.post({ type: 'run-step', id: msg.id, record: r.record, choice: r.choice, forwardCount: this.forwardCount, forwardMs: r.ms, phase: r.phase }),
            () => this.cancelledRuns.has(msg.id),
          );
          this.cancelledRuns.delete(msg.id);
          this.post({ type: 'run-done', id: msg.id, steps, forwardCount: this.forwardCount });
          break;
        }
        case 'cancel-run':
          this.cancelledRuns.add(msg.runId);
          this.post({ type: 'done', id: msg.id });
          break;
        case 'query':
          this.need();
          this.post({ type: 'query-result', id: msg.id, nodeId: msg.nodeId, stats: await this.query(msg) });
          break;
        case 'beam': {
          this.need();
          const hyps = await this.beam(msg, (record) => this.post({ type: 'beam-step', id: msg.id, record, forwardCount: this.forwardCount }));
          this.post({ type: 'beam-done', id: msg.id, hypotheses: hyps, forwardCount: this.forwardCount });
          break;
        }
        case 'mc-sample': {
          this.need();
          const h = await this.enqueue(async () => {
            const { logits } = await this.logitsAt(msg.path, msg.ids);
            const stages = runProcessors(logits, msg.ids, msg.settings);
            return monteCarloHistogram(stages.states[0].probs, finalProbs(stages), msg.n, msg.seed, msg.depth, msg.topM);
          });
          this.post({ type: 'mc-result', id: msg.id, histogram: h, forwardCount: this.forwardCount });
          break;
        }
        case 'mc-tree': {
          const info = this.need();
          // ModelSession.mcTree with one scripted "forward" per distinct prefix
          const nodes = await this.enqueue(async () => {
            const { logits } = await this.logitsAt(msg.path, msg.ids);
            const tree = startMcTree(msg.n);
            let frontier: McFrontierRow[] = [{ node: 0, ids: msg.ids.slice(), samples: Array.from({ length: msg.n }, (_, i) => i) }];
            let rows: Float32Array[] = [logits];
            for (let j = 0; j < msg.length; j++) {
              const next = growLevel(tree, frontier, rows, msg.settings, msg.seed, msg.depth, j, info.eosTokenId);
              if (next.length === 0 || j === msg.length - 1) break;
              rows = await Promise.all(next.map((r) => this.forward(r.ids.slice(0, -1), r.ids.slice(-1))));
              frontier = next;
            }
            return tree;
          });
          this.post({ type: 'mc-tree-result', id: msg.id, nodes, forwardCount: this.forwardCount });
          break;
        }
        case 'mc-cancel':
          this.post({ type: 'done', id: msg.id });
          break;
        case 'score-text':
          this.need();
          throw new EngineError('unknown', 'teacher forcing is not scripted');
        case 'forget':
          this.need();
          // queued behind earlier model calls, as ModelSession.forget
          await this.enqueue(async () => this.forget(msg.nodeIds));
          this.post({ type: 'done', id: msg.id });
          break;
        case 'stats':
          this.need();
          this.post({
            type: 'stats-result',
            id: msg.id,
            liveTensors: this.snapshots.size * 2,
            cacheBytes: [...this.snapshots.values()].reduce((n, s) => n + s.ids.length * 64, 0),
            snapshots: this.snapshots.size,
            forwardCount: this.forwardCount,
            disposedTwice: 0,
          });
          break;
        case 'crash-for-test':
          setTimeout(() => this.die('simulated worker crash'), 0);
          break;
        case 'bench-raw-decode':
        case 'bench-generate':
        case 'bench-math':
          throw new EngineError('unknown', 'benchmarks need the real worker');
        default: {
          const never: never = msg;
          throw new Error(`unknown message ${JSON.stringify(never)}`);
        }
      }
    } catch (e) {
      this.fail(msg.id, e);
    }
  }

  // ------------------------------------------------------------ ModelSession mirror

  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private noteStale(what: string, nodeId: number, have: readonly number[], want: readonly number[]): void {
    this.staleCacheHits++;
    this.staleDetails.push(`${what} of node ${nodeId} covers [${have.join(',')}] but the request is for [${want.join(',')}]`);
  }

  /** One "forward pass" over `newTokens` on top of a cache covering `past` ids: the logits of the last position. */
  private async forward(past: readonly number[], newTokens: readonly number[]): Promise<Float32Array> {
    const total = past.length + newTokens.length;
    if (total > this.need().contextLength) {
      throw new EngineError('context-overflow', `sequence of ${total} tokens exceeds the context of ${this.need().contextLength}`);
    }
    await Promise.resolve(); // the ONNX run is asynchronous: other messages may be handled meanwhile
    this.forwardCount++;
    return logitsFor([...past, ...newTokens]);
  }

  private rememberLogits(nodeId: number, ids: number[], logits: Float32Array): void {
    this.logits.delete(nodeId);
    this.logits.set(nodeId, { ids, logits });
    if (this.logits.size > LOGITS_LRU) this.logits.delete(this.logits.keys().next().value!);
  }

  /** ModelSession.logitsAt: logits cache, else a forward of the missing tokens on the nearest ancestor's snapshot. */
  private async logitsAt(path: number[], ids: number[]): Promise<{ logits: Float32Array; ms: number; phase: 'prefill' | 'decode' | 'cached' }> {
    const info = this.need();
    const nodeId = path[path.length - 1];
    const cached = this.logits.get(nodeId);
    if (cached) {
      if (!sameIds(cached.ids, ids)) this.noteStale('cached logits', nodeId, cached.ids, ids);
      this.rememberLogits(nodeId, cached.ids, cached.logits);
      return { logits: cached.logits, ms: 0, phase: 'cached' };
    }
    if (ids.length === 0) throw new EngineError('empty-prompt', 'the prompt is empty and the model has no BOS token');
    if (ids.length > info.contextLength) {
      throw new EngineError('context-overflow', `sequence of ${ids.length} tokens exceeds the context of ${info.contextLength}`);
    }
    const promptLength = ids.length - (path.length - 1);
    let base: Snapshot | null = null;
    for (let i = path.length - 1; i >= 0; i--) {
      const s = this.snapshots.get(path[i]);
      if (s && s.ids.length === promptLength + i) {
        base = s;
        if (!sameIds(s.ids, ids.slice(0, s.ids.length))) this.noteStale('KV snapshot', path[i], s.ids, ids.slice(0, s.ids.length));
        break;
      }
    }
    const pastLength = base ? base.ids.length : 0;
    const newTokens = ids.slice(pastLength);
    if (newTokens.length === 0) {
      // the snapshot exists but its logits were evicted: recompute from the parent
      this.snapshots.delete(nodeId);
      const r = await this.logitsAt(path, ids);
      return { logits: r.logits, ms: r.ms, phase: r.phase === 'cached' ? 'decode' : r.phase };
    }
    // what the real model computes: the cached prefix (whatever it holds) + the new tokens
    const covered = base ? base.ids : [];
    const logits = await this.forward(covered, newTokens);
    this.snapshots.set(nodeId, { ids: [...covered, ...newTokens] });
    this.rememberLogits(nodeId, [...covered, ...newTokens], logits);
    return { logits, ms: 1, phase: base ? 'decode' : 'prefill' };
  }

  /** ModelSession.step: the same engine function on the scripted logits. */
  private step(req: Extract<WorkerRequest, { type: 'step' }>): Promise<{ record: DistributionRecord; choice: StepChoice | null; ms: number; phase: 'prefill' | 'decode' | 'cached' }> {
    return this.enqueue(async () => {
      validateSamplingSettings(req.settings);
      const { logits, ms, phase } = await this.logitsAt(req.path, req.ids);
      return { ...decideStep(logits, req, this.need().eosTokenId), ms, phase };
    });
  }

  /** ModelSession.run: the same loop over the scripted logits. */
  private run(
    req: Extract<WorkerRequest, { type: 'run' }>,
    onStep: (r: { record: DistributionRecord; choice: StepChoice; ms: number; phase: 'prefill' | 'decode' | 'cached' }) => void,
    cancelled: () => boolean,
  ): Promise<number> {
    return this.enqueue(async () => {
      validateSamplingSettings(req.settings);
      const path = req.path.slice();
      const ids = req.ids.slice();
      for (let k = 0; k < req.count; k++) {
        if (k > 0) await new Promise((r) => setTimeout(r, 0)); // a 'cancel-run' can arrive between steps
        if (cancelled()) return k;
        const { logits, ms, phase } = await this.logitsAt(path, ids);
        const drawKey = req.strategy === 'sample' ? { seed: req.seed, depth: req.startDepth + k, reroll: k === 0 ? req.firstReroll : 0, stream: 0 } : null;
        const r = decideStep(logits, { ids, strategy: req.strategy, settings: req.settings, topN: req.topN, extraIds: req.extraIds, drawKey, choose: null }, this.need().eosTokenId);
        onStep({ record: r.record, choice: r.choice!, ms, phase });
        if (r.choice!.tokenId === this.need().eosTokenId) return k + 1;
        path.push(req.nextNodeId + k);
        ids.push(r.choice!.tokenId);
      }
      return req.count;
    });
  }

  /** ModelSession.query. */
  private query(req: Extract<WorkerRequest, { type: 'query' }>) {
    return this.enqueue(async () => {
      const { logits } = await this.logitsAt(req.path, req.ids);
      const stages = runProcessors(logits, req.ids, effectiveSettings(req.strategy, req.settings));
      return req.tokenIds.map((id) => tokenStat(stages, id));
    });
  }

  /** ModelSession.beam: one batched forward per step after the first, each step streamed. */
  private beam(req: Extract<WorkerRequest, { type: 'beam' }>, onStep: (r: BeamStepRecord) => void): Promise<BeamHypothesis[]> {
    return this.enqueue(async () => {
      validateBeamSettings(req.settings);
      const info = this.need();
      const opts = {
        beamWidth: req.settings.beamWidth,
        lengthPenalty: req.settings.lengthPenalty,
        earlyStopping: req.settings.earlyStopping,
        eosTokenId: info.eosTokenId,
        maxNewTokens: req.maxNewTokens,
      };
      const maxNew = Math.min(req.maxNewTokens, info.contextLength - req.ids.length);
      if (maxNew < 1) throw new EngineError('context-overflow', `no room for new tokens in a context of ${info.contextLength}`);
      opts.maxNewTokens = maxNew;
      const { logits } = await this.logitsAt(req.path, req.ids);
      const rootSnap = this.snapshots.get(req.path[req.path.length - 1]);
      let state = initialBeamState();
      let rows = [beamLogprobs(logits, req.ids, req.settings.repetitionPenalty)];
      for (;;) {
        const before = state.running.map((b) => ({ tokens: b.tokens.slice(), sumLogprobs: b.sumLogprobs }));
        const r = beamStep(state, rows, opts);
        state = r.state;
        onStep({ step: state.step, beams: before, candidates: r.candidates, finished: state.finished, done: state.done });
        if (state.done) break;
        if (!rootSnap) throw new EngineError('unknown', 'missing root cache for beam search');
        if (state.step === 1 && !sameIds(rootSnap.ids, req.ids)) this.noteStale('KV snapshot', req.nodeId, rootSnap.ids, req.ids);
        // one batched forward of every running beam's last token on the root cache + its tokens
        const rowsLogits: Float32Array[] = [];
        for (const b of state.running) {
          const past = [...rootSnap.ids, ...b.tokens.slice(0, -1)];
          rowsLogits.push(logitsFor([...past, b.tokens[b.tokens.length - 1]]));
          const total = past.length + 1;
          if (total > info.contextLength) {
            throw new EngineError('context-overflow', `sequence of ${total} tokens exceeds the context of ${info.contextLength}`);
          }
        }
        await Promise.resolve();
        this.forwardCount++;
        rows = state.running.map((b, j) => beamLogprobs(rowsLogits[j], [...req.ids, ...b.tokens], req.settings.repetitionPenalty));
      }
      return state.finished;
    });
  }

  /** ModelSession.forget. */
  private forget(nodeIds: number[] | 'all'): void {
    const ids = nodeIds === 'all' ? [...this.snapshots.keys()] : nodeIds;
    for (const id of ids) this.snapshots.delete(id);
    if (nodeIds === 'all') this.logits.clear();
    else for (const id of nodeIds) this.logits.delete(id);
  }
}
