/**
 * The main thread's one link to the model worker: it owns the WorkerClient (and the one of a model
 * still loading) and turns tree positions into the worker's cache ids. Three lanes share the worker:
 *
 * - **main**: the generation tree. A node's cache id is `epoch * 1_048_576 + nodeId`; the epoch grows
 *   whenever the tree is replaced (reset, new prompt, opened session), so an answer still out for an
 *   old tree can neither land in the new one nor fill a cache under a reused node id.
 * - **b**: compare mode's pane B, a single path hanging off the main tree's root (cache ids below
 *   B_BASE, one namespace per restart of pane B).
 * - **scratch**: one-off prefills (fresh records for consistency checks, compare's divergence
 *   records) on ids below SCRATCH_BASE, forgotten right after.
 *
 * Nothing outside this file knows a cache id, an epoch or the id arithmetic: actions name tree
 * nodes (or pane B depths) and take a `Ticket` to find out later whether their answer is stale.
 */
import type { ConstraintSpec } from '../engine/constraint/constraint.ts';
import { WorkerClient, type RequestBody } from '../worker/client.ts';
import type { WorkerResponse } from '../worker/protocol.ts';
import { EngineError } from '../engine/errors.ts';
import { sequenceIds, type GenerationTree } from '../engine/tree.ts';
import { PathSender, type PathRef } from '../worker/pathDelta.ts';
import type { BeamSettings, SamplingSettings, Strategy } from '../engine/settings.ts';
import type { AnySource, ChatMessage, DevicePreference, ModelInfo, ModelSource } from '../domain/types.ts';
import type { VocabAddition } from '../domain/vocabGrowth.ts';

declare const __ORT_PATH__: string;

/** Main-tree node ids per epoch (a tree never has this many nodes). */
const EPOCH_STRIDE = 1_048_576;
/** Pane B cache ids: negative, apart from the main tree's (≥ 0) and the scratch ids. */
const B_BASE = -(2 ** 40);
const SCRATCH_BASE = -(2 ** 41);

/** A result that arrived after its lane was replaced (reset, new prompt, history, pane B restart): dropped. */
export class StaleResult extends Error {}

/** Which generation of the lanes a request was made for (compare with `isCurrent`). */
export interface Ticket {
  readonly main: number;
  readonly b: number;
}

/**
 * What a request asks for besides the position the link fills in (its type, node id, cache path and
 * token ids): derived from the protocol's request types, never restated.
 */
type Ask<T extends RequestBody['type'], Filled extends string = never> = Omit<Extract<RequestBody, { type: T }>, 'type' | 'path' | 'ids' | 'keep' | Filled>;

/** What a step of the main tree or pane B asks for, besides the position. */
export type StepAsk = Ask<'step', 'nodeId'>;

type Stream = (m: WorkerResponse) => void;
type Final<T extends WorkerResponse['type']> = Extract<WorkerResponse, { type: T }>;

export class WorkerLink {
  private client: WorkerClient | null = null;
  /** The worker of a model still loading (cancel terminates it). */
  private loading: WorkerClient | null = null;
  private loadToken = 0;
  private epoch = 0;
  private bEpoch = 0;
  private scratch = 0;
  /** Called with a server vocabulary's new entries (issue #16), before the answer that uses them. */
  onVocab: ((additions: VocabAddition[]) => void) | null = null;
  /** Called once when the ready worker dies unexpectedly (the model actions restart it). */
  onCrash: ((reason: string) => void) | null = null;

  constructor(private readonly makeClient: () => WorkerClient = () => new WorkerClient()) {}

  /** True once a model is loaded and its worker is alive. */
  get ready(): boolean {
    return this.client !== null;
  }

  /** True while a model download can be cancelled. */
  get isLoading(): boolean {
    return this.loading !== null;
  }

  /** Round trip of the last finished request (posted → final message), ms; NaN without a worker. */
  get lastRoundTripMs(): number {
    return this.client?.lastRoundTripMs ?? NaN;
  }

  private need(): WorkerClient {
    if (!this.client) throw new EngineError('model-load', 'no model is loaded');
    return this.client;
  }

  private ask<T extends WorkerResponse['type']>(body: RequestBody, final: T[], onStream?: Stream): Promise<Final<T>> {
    return this.need().request(body, final, onStream);
  }

  // ------------------------------------------------------------------ worker lifecycle

  /**
   * Loads a model in a fresh worker. The previous worker keeps answering until the new one is ready,
   * then is terminated; if loading fails it stays. With `replaceCrashed` the previous worker is
   * already gone (crash recovery) and the load cannot be cancelled.
   * @returns the model info, or null when a newer load or a cancel overtook this one
   * @throws EngineError from the worker (missing files, WebGPU failure, …)
   */
  async load(source: AnySource, device: DevicePreference, onProgress?: Stream, replaceCrashed = false): Promise<ModelInfo | null> {
    const token = ++this.loadToken;
    const c = this.makeClient();
    if (!replaceCrashed) this.loading = c;
    const base = import.meta.env.BASE_URL;
    try {
      const msg = await c.request({ type: 'load', source, device, ortPath: `${base}${__ORT_PATH__}`, modelsPath: `${base}models/` }, ['loaded'], (m) => {
        if (token === this.loadToken) onProgress?.(m);
      });
      if (token !== this.loadToken) {
        c.terminate();
        return null;
      }
      if (this.loading === c) this.loading = null;
      const previous = this.client;
      if (previous) {
        previous.onCrash = null;
        previous.terminate();
      }
      this.client = c;
      c.onVocab = (additions) => this.onVocab?.(additions);
      c.onCrash = (reason) => {
        if (this.client === c) this.client = null;
        this.onCrash?.(reason);
      };
      return msg.info;
    } catch (e) {
      c.onCrash = null;
      c.terminate();
      if (this.loading === c) this.loading = null;
      if (token !== this.loadToken) return null;
      throw e;
    }
  }

  /** Cancels a model download in progress (terminates its worker). @returns whether one was running */
  cancelLoad(): boolean {
    if (!this.loading) return false;
    this.loadToken++;
    this.loading.onCrash = null;
    this.loading.terminate();
    this.loading = null;
    return true;
  }

  /** Terminates the ready worker without a crash callback (a failed WebGPU run: the caller restarts on WASM). */
  abandon(): void {
    const c = this.client;
    if (!c) return;
    c.onCrash = null;
    c.terminate();
    this.client = null;
  }

  // ------------------------------------------------------------------ tickets

  /** The current generation of both lanes; pass it to `isCurrent`/`check` when the answer arrives. */
  ticket(): Ticket {
    return { main: this.epoch, b: this.bEpoch };
  }

  /** True while the main tree the ticket was taken for is still the current one. */
  isCurrent(t: Ticket): boolean {
    return t.main === this.epoch;
  }

  /** True while both the main tree and pane B's path are the ones the ticket was taken for. */
  isCurrentB(t: Ticket): boolean {
    return t.main === this.epoch && t.b === this.bEpoch;
  }

  /** @throws StaleResult when the main tree was replaced since the ticket was taken */
  check(t: Ticket): void {
    if (!this.isCurrent(t)) throw new StaleResult('stale');
  }

  /** @throws StaleResult when the main tree or pane B was replaced since the ticket was taken */
  checkB(t: Ticket): void {
    if (!this.isCurrentB(t)) throw new StaleResult('stale');
  }

  // ------------------------------------------------------------------ main lane (the generation tree)

  private cid(nodeId: number): number {
    return this.epoch * EPOCH_STRIDE + nodeId;
  }

  /** Each worker's last main-lane position (a new worker starts from none). */
  private readonly senders = new WeakMap<WorkerClient, PathSender>();

  /**
   * A main-tree node as a request names it: the change from the last position sent to this worker
   * (pathDelta.ts), so a step costs the same on a 2,000-token path as on a 10-token one. The request
   * must be posted right after (the worker's register follows the requests in order).
   */
  private at(tree: GenerationTree, nodeId: number): Required<PathRef> {
    const c = this.need();
    let sender = this.senders.get(c);
    if (!sender) this.senders.set(c, (sender = new PathSender()));
    return sender.encode(tree, nodeId, (id) => this.cid(id));
  }

  /** The tree is being replaced: whatever is still out for the old one is stale from now on. */
  newTree(): void {
    this.epoch++;
  }

  /** Drops every KV cache of the worker (a new tree starts); failures are ignored. */
  async forgetAll(): Promise<void> {
    await this.client?.request({ type: 'forget', nodeIds: 'all' }, ['done']).catch(() => undefined);
  }

  /** The next-token record of a node of the tree (and the strategy's or the given choice). */
  step(tree: GenerationTree, nodeId: number, a: StepAsk): Promise<Final<'step-result'>> {
    return this.ask({ type: 'step', nodeId: this.cid(nodeId), ...this.at(tree, nodeId), ...a }, ['step-result']);
  }

  /** Attention view open or closed (issue #20): the worker's forwards compute readouts while on. */
  async readouts(on: boolean): Promise<void> {
    await this.ask({ type: 'readouts', on }, ['done']);
  }

  /** The attention and logit-lens readout of a node (its newest position's query). */
  readout(tree: GenerationTree, nodeId: number): Promise<Final<'readout-result'>> {
    return this.ask({ type: 'readout', nodeId: this.cid(nodeId), ...this.at(tree, nodeId) }, ['readout-result']);
  }

  /** Probability and rank of `tokenIds` at a node under the given settings. */
  query(tree: GenerationTree, nodeId: number, strategy: Strategy, settings: SamplingSettings, tokenIds: number[], constraint: ConstraintSpec | null = null): Promise<Final<'query-result'>> {
    return this.ask(
      { type: 'query', nodeId: this.cid(nodeId), ...this.at(tree, nodeId), settings, strategy, tokenIds, constraint },
      ['query-result'],
    );
  }

  /**
   * Run to end in the worker from node `from`; new nodes get the ids `firstNew`, `firstNew + 1`, …
   * (the ids the tree gives them when their steps are added in order).
   * @returns the final message and the request's id (for `cancelRun`) as soon as it is sent
   */
  run(
    tree: GenerationTree,
    from: number,
    firstNew: number,
    a: Ask<'run', 'nextNodeId'>,
    onStream: Stream,
  ): { done: Promise<Final<'run-done'>>; runId: number } {
    const c = this.need();
    const done = c.request({ type: 'run', ...this.at(tree, from), nextNodeId: this.cid(firstNew), ...a }, ['run-done'], onStream);
    return { done, runId: c.lastRequestId };
  }

  /** Ends the worker's run `runId` after its current step, unless the tree was replaced meanwhile. */
  cancelRun(runId: number, t: Ticket): void {
    if (runId && this.isCurrent(t)) void this.client?.request({ type: 'cancel-run', runId }, ['done']).catch(() => undefined);
  }

  /** Forgets the caches of tree nodes `ids` of the ticket's tree (a cancelled run's steps that never joined it). */
  forgetNodes(ids: number[], t: Ticket): void {
    if (ids.length === 0 || !this.isCurrent(t)) return;
    void this.client?.request({ type: 'forget', nodeIds: ids.map((id) => this.cid(id)) }, ['done']).catch(() => undefined);
  }

  /** A batched beam search from a node of the tree; each step streams as 'beam-step'. */
  beam(tree: GenerationTree, nodeId: number, settings: BeamSettings, maxNewTokens: number, onStream?: Stream): Promise<Final<'beam-done'>> {
    return this.ask(
      { type: 'beam', nodeId: this.cid(nodeId), ...this.at(tree, nodeId), settings, maxNewTokens },
      ['beam-done'],
      onStream,
    );
  }

  /** N Monte-Carlo samples of a node's final distribution. */
  mcSample(tree: GenerationTree, nodeId: number, a: Ask<'mc-sample', 'nodeId'>): Promise<Final<'mc-result'>> {
    return this.ask({ type: 'mc-sample', nodeId: this.cid(nodeId), ...this.at(tree, nodeId), ...a }, ['mc-result']);
  }

  /** N continuations from a node merged into a tree. @returns the final message and the request id (for `cancelMcTree`) */
  mcTree(
    tree: GenerationTree,
    nodeId: number,
    a: Ask<'mc-tree', 'nodeId'>,
  ): { done: Promise<Final<'mc-tree-result'>>; requestId: number } {
    const c = this.need();
    const done = c.request({ type: 'mc-tree', nodeId: this.cid(nodeId), ...this.at(tree, nodeId), ...a }, ['mc-tree-result']);
    return { done, requestId: c.lastRequestId };
  }

  /** Stops a running mc-tree request (it answers with an error `cancelled`). */
  cancelMcTree(requestId: number): void {
    if (this.client && requestId) void this.client.request({ type: 'mc-cancel', target: requestId }, ['done']).catch(() => undefined);
  }

  /** Raw ONNX Runtime decode runs on a node's KV cache, `rows` copies of it in one batch (bench). */
  benchRawDecode(tree: GenerationTree, nodeId: number, reps: number, rows = 1): Promise<Final<'bench-result'>> {
    return this.ask({ type: 'bench-raw-decode', ...this.at(tree, nodeId), reps, rows }, ['bench-result']);
  }

  // ------------------------------------------------------------------ lane B (compare mode's pane B)

  private bId(depth: number): number {
    return B_BASE - this.bEpoch * EPOCH_STRIDE - depth;
  }

  /** Pane B restarts: its path's caches (`depth` tokens) are forgotten and answers still out for it become stale. */
  async restartB(depth: number): Promise<void> {
    const ids = Array.from({ length: depth }, (_, i) => this.bId(i + 1));
    this.bEpoch++;
    if (this.client && ids.length > 0) await this.client.request({ type: 'forget', nodeIds: ids }, ['done']).catch(() => undefined);
  }

  /** Pane B was cut from `from` tokens to `to`: the caches of the dropped tokens are forgotten. */
  async truncateB(from: number, to: number): Promise<void> {
    const ids = Array.from({ length: from - to }, (_, i) => this.bId(to + i + 1));
    if (ids.length > 0) await this.need().request({ type: 'forget', nodeIds: ids }, ['done']).catch(() => undefined);
  }

  /** Pane B's next step after its `tokens` (generated so far), hanging off the main tree's root. */
  stepB(tree: GenerationTree, tokens: number[], a: StepAsk): Promise<Final<'step-result'>> {
    const depth = tokens.length;
    const path = [this.cid(0), ...Array.from({ length: depth }, (_, i) => this.bId(i + 1))];
    return this.ask({ type: 'step', nodeId: path[path.length - 1], path, ids: [...tree.promptIds, ...tokens], ...a }, ['step-result']);
  }

  /** Pane B's beam search from the prompt (the main tree's root cache). */
  beamB(tree: GenerationTree, settings: BeamSettings, maxNewTokens: number, onStream: Stream): Promise<Final<'beam-done'>> {
    return this.ask({ type: 'beam', nodeId: this.cid(0), path: [this.cid(0)], ids: tree.promptIds, settings, maxNewTokens }, ['beam-done'], onStream);
  }

  // ------------------------------------------------------------------ scratch lane and tree-free requests

  /** A fresh prefill over `ids` on a scratch cache id, forgotten afterwards (no reuse, tree untouched). */
  async scratchStep(ids: number[], a: Omit<StepAsk, 'choose'>): Promise<Final<'step-result'>> {
    const id = SCRATCH_BASE - this.scratch++;
    const c = this.need();
    const r = await c.request({ type: 'step', nodeId: id, path: [id], ids, ...a, choose: 'none' }, ['step-result']);
    await c.request({ type: 'forget', nodeIds: [id] }, ['done']);
    return r;
  }

  /** Token ids of a text (plain tokenizer). */
  tokenize(text: string, addSpecialTokens: boolean): Promise<Final<'tokens'>> {
    return this.ask({ type: 'tokenize', text, addSpecialTokens }, ['tokens']);
  }

  /** Prompt ids of a conversation through the model's chat template. */
  chatTokenize(messages: ChatMessage[], allowSpecial = false): Promise<Final<'tokens'>> {
    return this.ask({ type: 'chat-tokenize', messages, allowSpecial }, ['tokens']);
  }

  /** Loads a draft model beside the loaded one (null: removes it); the worker checks that the tokenizers match. */
  loadDraft(source: ModelSource | null, device: DevicePreference): Promise<Final<'draft-loaded'>> {
    const base = import.meta.env.BASE_URL;
    return this.ask({ type: 'load-draft', source, device, ortPath: `${base}${__ORT_PATH__}`, modelsPath: `${base}models/` }, ['draft-loaded']);
  }

  /** Speculative generation from a node's sequence (issue #21); the caller adds the kept tokens to the tree. */
  speculative(
    tree: GenerationTree,
    nodeId: number,
    a: Ask<'speculative', 'promptLength'>,
  ): Promise<Final<'speculative-result'>> {
    return this.ask({ type: 'speculative', ids: sequenceIds(tree, nodeId), promptLength: tree.promptIds.length, ...a }, ['speculative-result']);
  }

  /**
   * Teacher forcing over a text; `onProgress` gets its 'score-progress' messages.
   * @returns the final message and the request id (for `cancelScore`)
   */
  scoreText(text: string, onProgress?: (done: number, total: number) => void): { done: Promise<Final<'score-result'>>; requestId: number } {
    const c = this.need();
    const done = c.request({ type: 'score-text', text }, ['score-result'], (m) => {
      if (m.type === 'score-progress') onProgress?.(m.done, m.total);
    });
    return { done, requestId: c.lastRequestId };
  }

  /** Stops a running score-text request between positions (it answers with an error `cancelled`). */
  cancelScore(requestId: number): void {
    if (this.client && requestId) void this.client.request({ type: 'score-cancel', target: requestId }, ['done']).catch(() => undefined);
  }

  /** Live tensors and counters of the worker. */
  stats(): Promise<Final<'stats-result'>> {
    return this.ask({ type: 'stats' }, ['stats-result']);
  }

  /** transformers.js generate() from `ids` (bench). */
  benchGenerate(ids: number[], maxNewTokens: number): Promise<Final<'bench-result'>> {
    return this.ask({ type: 'bench-generate', ids, maxNewTokens }, ['bench-result']);
  }

  /** The constraint mask vs the distribution math on a synthetic vocabulary (bench, issue #21). */
  benchMask(vocabSize: number, steps: number, mode: 'follow' | 'worst'): Promise<Final<'bench-result'>> {
    return this.ask({ type: 'bench-mask', vocabSize, steps, mode }, ['bench-result']);
  }

  /** The distribution math on a synthetic vocabulary (bench). */
  benchMath(vocabSize: number, reps: number): Promise<Final<'bench-result'>> {
    return this.ask({ type: 'bench-math', vocabSize, reps }, ['bench-result']);
  }

  /** Makes the worker fail as a crash would (tests of the recovery path). */
  crashForTest(): void {
    void this.client?.request({ type: 'crash-for-test' }, ['done']).catch(() => undefined);
  }
}
