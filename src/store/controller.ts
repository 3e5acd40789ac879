/**
 * Actions: everything the UI can ask for, as plain functions over the store and
 * the worker client. Each writes results to the store as they arrive.
 */
import { onBeamRun } from './view.ts';
import { WorkerClient } from '../worker/client.ts';
import { EngineError } from '../engine/errors.ts';
import {
  addChild,
  childWithToken,
  createTree,
  findReusableChild,
  getNode,
  pathTo,
  sequenceIds,
  settingsKey,
  updateNode,
  type ChoiceMethod,
  type Edge,
  type GenerationTree,
} from '../engine/tree.ts';
import { processorOrder, validateBeamSettings, validateSamplingSettings, type ProcessorOrderName, type SamplingSettings } from '../engine/settings.ts';
import type { DrawKey } from '../engine/random.ts';
import type { DistributionRecord } from '../engine/distribution.ts';
import type { McHistogram } from '../engine/monteCarlo.ts';
import type { McTreeNode } from '../engine/mcTree.ts';
import type { ChatMessage, DevicePreference, ModelSource, StepChoice, WorkerResponse } from '../worker/protocol.ts';
import { appStore, DEFAULT_SETTINGS, type AppError, type AppState, type AppStore, type SettingsSlice } from './store.ts';
import { parseSession, recordsOf, toSessionFile, type SessionFile } from './sessionSchema.ts';
import { clearSavedSession, readSavedSession, writeSession } from './persistence.ts';
import { decodeShare, encodeShare, MAX_SHARE_BRANCHES, MAX_SHARE_CHARS, settingsFromKey, type ShareEdge, type SharePayload } from './shareLink.ts';
import { deleteCachedModel, listCachedModels, type CachedModel } from '../models/browserCache.ts';

declare const __ORT_PATH__: string;

function toAppError(e: unknown): AppError {
  if (e instanceof EngineError) return { code: e.code, message: e.message };
  if (e instanceof RangeError) return { code: 'invalid-setting', message: e.message };
  return { code: 'unknown', message: e instanceof Error ? e.message : String(e) };
}

/** The node whose distribution the chart shows: the cursor's parent (how its token was chosen), or the root. */
export function displayNodeOf(s: Pick<AppState, 'tree' | 'cursor'>): number {
  const n = s.tree.nodes[s.cursor];
  return n && n.parent !== null ? n.parent : 0;
}

/** Settings key of the current strategy (greedy ignores the sampling warpers). */
export function currentKey(s: AppState): string {
  if (s.strategy === 'greedy') return settingsKey('greedy', { repetitionPenalty: s.sampling.repetitionPenalty });
  if (s.strategy === 'beam') return settingsKey('beam', { ...s.beam });
  return settingsKey('sample', { ...s.sampling, order: s.orderName, seed: s.seed });
}

function stepSettings(s: AppState): SamplingSettings {
  return s.strategy === 'beam' ? { ...s.sampling, repetitionPenalty: s.beam.repetitionPenalty } : s.sampling;
}

/**
 * The messages a chat template receives: an empty system message is left out (the template then
 * renders no system turn); every other message is kept as typed.
 */
export function templateMessages(chat: readonly ChatMessage[]): ChatMessage[] {
  return chat.filter((m) => m.role !== 'system' || m.content.trim() !== '').map((m) => ({ role: m.role, content: m.content }));
}

/** A result that arrived after its tree was replaced (reset, new prompt, history): dropped. */
class StaleResult extends Error {}

/** A request shows as busy (buttons disabled) only after this long (ms); fast steps never re-render for it. */
export const BUSY_SHOWN_AFTER_MS = 150;

export class Controller {
  private client: WorkerClient | null = null;
  /**
   * Incremented whenever the tree is replaced. Worker cache ids are epoch-qualified, so an answer
   * still out for an old tree can neither land in the new one nor fill a cache under a reused node id.
   */
  private epoch = 0;
  private loadToken = 0;
  /** The worker of a model still loading (cancel terminates it). */
  private loading: WorkerClient | null = null;
  private playToken = 0;
  private scratch = 0;
  /** Round trip of the last step request (for the benchmark). */
  lastStepRoundTripMs = 0;
  /** Worker time of the last step request (forward + processors + record). */
  lastStepWorkerMs = 0;
  private saveTimer: ReturnType<typeof setTimeout> | null = null;
  private autosave: (() => void) | null = null;
  /** A session shown read-only (its model is not loaded). */
  private pending: SessionFile | null = null;
  private recentSteps: number[] = [];
  /** The conversation of the last chat mode, restored when chat mode is turned on again. */
  private lastChat: ChatMessage[] | null = null;
  private readonly store: AppStore;
  private readonly makeClient: () => WorkerClient;

  constructor(store: AppStore = appStore, makeClient: () => WorkerClient = () => new WorkerClient()) {
    this.store = store;
    this.makeClient = makeClient;
  }

  /** Worker cache id of a node of the current tree. */
  private cid(nodeId: number): number {
    return this.epoch * 1_048_576 + nodeId;
  }

  /** Worker cache ids of the path from the root to `nodeId`. */
  private cachePath(nodeId: number): number[] {
    return pathTo(this.s.tree, nodeId).map((id) => this.cid(id));
  }

  /** Replaces the tree (and whatever else `patch` sets): a new epoch. */
  private replaceTree(patch: Partial<AppState>): void {
    this.epoch++;
    this.set(patch);
    this.onTreeReplaced?.();
  }

  /** Called after the tree was replaced (reset, new prompt, opened session): compare mode restarts its pane B. */
  onTreeReplaced: (() => void) | null = null;

  /**
   * What compare mode's pane B (src/store/compare.ts) needs to share this session's worker: the
   * client (null before a model is loaded), the tree epoch, and a node's worker cache id.
   */
  compareAccess(): { client: WorkerClient | null; epoch: number; cacheId: (nodeId: number) => number } {
    return { client: this.client, epoch: this.epoch, cacheId: (nodeId) => this.cid(nodeId) };
  }

  private checkEpoch(epoch: number): void {
    if (epoch !== this.epoch) throw new StaleResult('stale');
  }

  private get s(): AppState {
    return this.store.getState();
  }

  private set(patch: Partial<AppState>): void {
    // busyShown follows busy after BUSY_SHOWN_AFTER_MS (see AppState.busyShown)
    if (patch.busy === true && !this.s.busy) {
      if (this.busyTimer) clearTimeout(this.busyTimer);
      this.busyTimer = setTimeout(() => {
        this.busyTimer = null;
        if (this.s.busy) this.store.setState({ busyShown: true });
      }, BUSY_SHOWN_AFTER_MS);
    } else if (patch.busy === false) {
      if (this.busyTimer) clearTimeout(this.busyTimer);
      this.busyTimer = null;
      if (this.s.busyShown) patch = { ...patch, busyShown: false };
    }
    this.store.setState(patch);
  }

  private busyTimer: ReturnType<typeof setTimeout> | null = null;

  private need(): WorkerClient {
    if (!this.client) throw new EngineError('model-load', 'no model is loaded');
    return this.client;
  }

  // ------------------------------------------------------------------ models

  /**
   * Loads a model in a fresh worker; the previous model keeps working until the
   * new one is ready (and stays if loading fails). WebGPU failures retry on WASM.
   */
  async loadModel(source: ModelSource, devicePref: DevicePreference = this.s.devicePref, fallbackReason: string | null = null): Promise<void> {
    if (source.kind === 'hub' && !source.host && typeof location !== 'undefined') {
      const host = new URLSearchParams(location.search).get('hubHost');
      if (host) source = { ...source, host: host.endsWith('/') ? host : `${host}/` };
    }
    const token = ++this.loadToken;
    const previous = this.client;
    this.set({ status: 'loading', progress: 0, progressFile: '', loadError: null, devicePref, loadBytes: 0, loadTotalBytes: 0, loadFiles: 0, loadFilesDone: 0 });
    const c = this.makeClient();
    this.loading = c;
    /** Per file: finished (loaded ≥ total > 0)? */
    const files = new Map<string, boolean>();
    try {
      const msg = await this.requestLoad(c, source, devicePref, (m) => {
        if (m.type !== 'load-progress' || token !== this.loadToken) return;
        files.set(m.file, m.total > 0 && m.loaded >= m.total);
        this.set({
          progress: m.overall,
          progressFile: `${m.file} (${Math.round(m.progress * 100)} %)`,
          loadBytes: m.loadedAll,
          loadTotalBytes: m.totalAll,
          loadFiles: files.size,
          loadFilesDone: [...files.values()].filter(Boolean).length,
        });
      });
      if (token !== this.loadToken) {
        c.terminate();
        return;
      }
      this.loading = null;
      if (previous) {
        previous.onCrash = null;
        previous.terminate();
      }
      this.client = c;
      c.onCrash = (reason) => void this.recover(reason);
      const info = { ...msg.info, fallbackReason };
      this.set({ status: 'ready', info, source, progress: 1, forwardCount: 0 });
      if (source.kind === 'hub') void this.refreshCachedModels();
      await this.setPrompt(this.s.prompt, { force: true });
    } catch (e) {
      c.onCrash = null;
      c.terminate();
      this.loading = null;
      if (token !== this.loadToken) return;
      const err = toAppError(e);
      const fileProblem = err.code === 'model-missing-file' || err.code === 'model-not-causal-lm' || err.code === 'model-fetch' || err.code === 'cancelled';
      if (devicePref !== 'wasm' && !fileProblem && (err.message.startsWith('[webgpu]') || err.code === 'worker-crash')) {
        return this.loadModel(source, 'wasm', err.message.replace('[webgpu] ', ''));
      }
      err.message = err.message.replace('[webgpu] ', '');
      this.set({ status: previous ? 'ready' : 'error', loadError: err, progress: 0 });
    }
  }

  /** The load request of a fresh worker, with the app's own ONNX Runtime and models paths. */
  private requestLoad(c: WorkerClient, source: ModelSource, device: DevicePreference, onProgress?: Parameters<WorkerClient['request']>[2]) {
    const base = import.meta.env.BASE_URL;
    return c.request({ type: 'load', source, device, ortPath: `${base}${__ORT_PATH__}`, modelsPath: `${base}models/` }, ['loaded'], onProgress);
  }

  /** Drops every KV cache of the worker (a new tree starts). */
  private async forgetAll(): Promise<void> {
    await this.client?.request({ type: 'forget', nodeIds: 'all' }, ['done']).catch(() => undefined);
  }

  /** Cancels a model download in progress (terminates its worker). */
  cancelLoad(): void {
    if (!this.loading) return;
    this.loadToken++;
    this.loading.onCrash = null;
    this.loading.terminate();
    this.loading = null;
    this.set({ status: this.client ? 'ready' : 'idle', loadError: { code: 'cancelled', message: 'loading cancelled' }, progress: 0 });
  }

  /** Reads the hub models kept in the browser's Cache Storage into `cachedModels`. */
  async refreshCachedModels(): Promise<void> {
    if (typeof caches === 'undefined') {
      this.set({ cachedModels: [], cacheError: 'unavailable' });
      return;
    }
    try {
      this.set({ cachedModels: await listCachedModels(caches), cacheError: null });
    } catch (e) {
      this.set({ cachedModels: [], cacheError: e instanceof Error ? e.message : String(e) });
    }
  }

  /** Deletes one cached hub model's files from Cache Storage, then re-reads the list. */
  async deleteCachedModel(model: Pick<CachedModel, 'modelId' | 'host'>): Promise<void> {
    try {
      await deleteCachedModel(caches, model);
    } catch (e) {
      this.set({ cacheError: e instanceof Error ? e.message : String(e) });
    }
    await this.refreshCachedModels();
  }

  /** After a worker crash: new worker, same model (WASM if the GPU failed), caches rebuilt on demand; tree and cursor unchanged. */
  private async recover(reason: string): Promise<void> {
    const source = this.s.source;
    if (!source) return;
    this.client = null;
    this.set({ error: { code: 'worker-crash', message: reason }, busy: false, playing: false });
    const pref = this.s.info?.device === 'webgpu' ? 'wasm' : this.s.devicePref;
    const token = ++this.loadToken;
    const c = this.makeClient();
    try {
      const msg = await this.requestLoad(c, source, pref);
      if (token !== this.loadToken) return c.terminate();
      this.client = c;
      c.onCrash = (r) => void this.recover(r);
      this.set({ info: { ...msg.info, fallbackReason: this.s.info?.device === 'webgpu' ? reason : null }, status: 'ready', records: {} });
      await this.ensureRecord(displayNodeOf(this.s));
    } catch (e) {
      c.terminate();
      this.set({ status: 'error', loadError: toAppError(e) });
    }
  }

  // ------------------------------------------------------------------ prompt

  /**
   * Tokenizes the prompt and starts a new tree (the old one goes to history).
   * An empty prompt starts from BOS when the model has one; a prompt longer
   * than the context is refused with a message (never truncated).
   */
  async setPrompt(text: string, opts: { force?: boolean } = {}): Promise<void> {
    if (this.s.readOnly) {
      // typing a new prompt leaves the read-only session and starts new work on the loaded model
      this.pending = null;
      this.set({ readOnly: null, records: {} });
      this.startAutosave();
    }
    const s = this.s;
    // the same prompt again (e.g. a debounced edit that ended where it started) keeps the tree
    if (s.prompt === text && s.tree.promptIds.length > 0 && s.info && !opts.force) return;
    this.epoch++; // whatever is still out for the old prompt is stale from now on
    if (s.tree.nodes.length > 1 && s.prompt !== text) {
      const entry = { prompt: s.prompt, chat: s.chat, tree: s.tree, cursor: s.cursor };
      this.set({ history: [entry, ...s.history.filter((h) => h.prompt !== s.prompt)].slice(0, 20) });
    }
    this.set({ prompt: text, promptError: null, error: null, beamRun: null, query: null, playing: false });
    if (!this.client || !this.s.info) return;
    const info = this.s.info;
    // a model without a chat template cannot be in chat mode (e.g. after loading another model)
    if (this.s.chat && !info.hasChatTemplate) this.set({ chat: null });
    const chat = this.s.chat;
    let ids: number[];
    try {
      ids = (await this.promptIdsOf(text, chat)).ids;
    } catch (e) {
      this.set({ error: toAppError(e) });
      return;
    }
    if (this.s.prompt !== text || this.s.chat !== chat) return; // a newer prompt arrived
    if (ids.length === 0) {
      if (info.bosTokenId === null) {
        this.replaceTree({ promptError: { code: 'empty-prompt', message: 'empty prompt and no BOS token' }, tree: createTree([]), cursor: 0, records: {} });
        return;
      }
      ids = [info.bosTokenId];
    }
    if (ids.length >= info.contextLength) {
      this.replaceTree({
        promptError: { code: 'context-overflow', message: `${ids.length} tokens; the context holds ${info.contextLength}` },
        tree: createTree(ids),
        cursor: 0,
        records: {},
      });
      return;
    }
    await this.forgetAll();
    this.replaceTree({ tree: createTree(ids), cursor: 0, records: {}, stepEntropy: {} });
    await this.ensureRecord(0);
  }

  /** Prompt ids: the plain prompt tokenized, or in chat mode the conversation through the chat template. */
  private promptIdsOf(text: string, chat: readonly ChatMessage[] | null) {
    return chat
      ? this.need().request({ type: 'chat-tokenize', messages: templateMessages(chat) }, ['tokens'])
      : this.need().request({ type: 'tokenize', text, addSpecialTokens: true }, ['tokens']);
  }

  /**
   * Chat mode on (with `chat` as the conversation) or off (null): the prompt becomes the chat
   * template's rendering of the conversation, or the plain prompt again. The old tree goes to
   * history. Ignored when turning chat mode on for a model without a chat template.
   */
  async setChat(chat: ChatMessage[] | null): Promise<void> {
    const s = this.s;
    if (chat && !s.info?.hasChatTemplate) return;
    if (s.tree.nodes.length > 1 && !s.readOnly) {
      const entry = { prompt: s.prompt, chat: s.chat, tree: s.tree, cursor: s.cursor };
      this.set({ history: [entry, ...s.history].slice(0, 20) });
    }
    this.set({ chat: chat ? chat.map((m) => ({ ...m })) : null });
    await this.setPrompt(this.s.prompt, { force: true });
  }

  /**
   * The chat-toggle: off → on with the conversation used last (or a user message holding the
   * current prompt and an empty system message); on → off, back to the plain prompt.
   */
  async toggleChat(): Promise<void> {
    if (this.s.chat) {
      this.lastChat = this.s.chat;
      return this.setChat(null);
    }
    return this.setChat(this.lastChat ?? [{ role: 'system', content: '' }, { role: 'user', content: this.s.prompt }]);
  }

  /** Restores an earlier prompt and its tree from history. */
  async restoreHistory(index: number): Promise<void> {
    const h = this.s.history[index];
    if (!h) return;
    const s = this.s;
    const history = s.history.filter((_, i) => i !== index);
    if (s.tree.nodes.length > 1) history.unshift({ prompt: s.prompt, chat: s.chat, tree: s.tree, cursor: s.cursor });
    await this.forgetAll();
    this.replaceTree({ prompt: h.prompt, chat: h.chat ?? null, tree: h.tree, cursor: h.cursor, history, records: {}, stepEntropy: {}, beamRun: null });
    await this.ensureRecord(displayNodeOf(this.s));
  }

  // ------------------------------------------------------------------ steps

  private drawKey(nodeId: number): DrawKey {
    const n = getNode(this.s.tree, nodeId);
    return { seed: this.s.seed, depth: n.depth, reroll: n.rerolls, stream: 0 };
  }

  /**
   * Asks the worker for a node's step. With `apply` the store is updated at once; without, the
   * caller merges `patch` into its own single update (one render per step).
   */
  private async requestStep(
    nodeId: number,
    choose: number | null | 'none',
    apply = true,
  ): Promise<{ choice: StepChoice | null; record: DistributionRecord; patch: Partial<AppState> }> {
    const s = this.s;
    const epoch = this.epoch;
    const ids = sequenceIds(s.tree, nodeId);
    const key = currentKey(s);
    const client = this.need();
    const r = await client.request(
      {
        type: 'step',
        nodeId: this.cid(nodeId),
        path: this.cachePath(nodeId),
        ids,
        strategy: s.strategy,
        settings: stepSettings(s),
        topN: s.topN,
        extraIds: this.s.query?.ids.slice(0, 1) ?? [],
        drawKey: s.strategy === 'sample' ? this.drawKey(nodeId) : null,
        choose,
      },
      ['step-result'],
    );
    this.lastStepRoundTripMs = client.lastRoundTripMs;
    this.lastStepWorkerMs = r.workerMs;
    this.checkEpoch(epoch);
    const patch = this.resultPatch(nodeId, key, r);
    if (apply) this.set(patch);
    return { choice: r.choice, record: r.record, patch };
  }

  /** The store update for a node's record from the worker (a step or one step of a run). */
  private resultPatch(
    nodeId: number,
    key: string,
    r: { record: DistributionRecord; forwardCount: number; forwardMs: number; phase: 'prefill' | 'decode' | 'cached' },
  ): Partial<AppState> {
    // an answer computed under settings that changed meanwhile never replaces one for the current settings
    const current = currentKey(this.s);
    const held = this.s.records[nodeId];
    const keep = key !== current && held?.key === current;
    const patch: Partial<AppState> = {
      records: keep ? this.s.records : { ...this.s.records, [nodeId]: { key, record: r.record } },
      forwardCount: r.forwardCount,
    };
    if (r.phase === 'decode') {
      // decode throughput of the model itself (one token per forward pass), over the last steps
      patch.lastForwardMs = r.forwardMs;
      this.recentSteps = [...this.recentSteps.slice(-9), Math.max(0.01, r.forwardMs)];
      patch.tokensPerSec = 1000 / (this.recentSteps.reduce((a, b) => a + b, 0) / this.recentSteps.length);
    } else if (r.phase === 'prefill') patch.lastForwardMs = r.forwardMs;
    return patch;
  }

  /** A new action clears the last action's error, but not the notice that the worker was restarted. */
  private keptError(): AppError | null {
    return this.s.error?.code === 'worker-crash' ? this.s.error : null;
  }

  /** A failed run on WebGPU poisons the session: continue on WASM in a fresh worker (tree kept). */
  private onRunError(e: unknown): AppError {
    const err = toAppError(e);
    if (this.s.info?.device === 'webgpu' && (err.code === 'unknown' || err.code === 'non-finite-logits') && this.client) {
      const c = this.client;
      c.onCrash = null;
      c.terminate();
      void this.recover(`WebGPU: ${err.message}`);
    }
    return err;
  }

  /** Fetches the node's record if it is missing or was computed under other settings (no forward when logits are cached). */
  async ensureRecord(nodeId: number): Promise<void> {
    if (this.s.readOnly) return; // a read-only session shows only what it recorded
    if (!this.client || this.s.promptError || this.s.tree.promptIds.length === 0) return;
    const rec = this.s.records[nodeId];
    if (rec && rec.key === currentKey(this.s)) return;
    try {
      await this.requestStep(nodeId, 'none');
    } catch (e) {
      if (e instanceof StaleResult) return;
      this.set({ error: this.onRunError(e) });
    }
  }

  /** A finished beam search has steps not shown yet (Step ▶ walks through them). */
  private beamViewCanAdvance(): boolean {
    const run = this.s.beamRun;
    return this.s.strategy === 'beam' && !!run?.hypotheses && run.viewStep < run.steps.length - 1;
  }

  /** True when Step ▶ can do something: generate, or show the next step of a finished beam search. */
  canAdvance(): boolean {
    return this.beamViewCanAdvance() || this.canStep();
  }

  /** True when generation can continue from the cursor. */
  canStep(): boolean {
    const s = this.s;
    if (s.readOnly) return false;
    if (!this.client || s.promptError || s.tree.promptIds.length === 0) return false;
    const n = s.tree.nodes[s.cursor];
    if (!n || n.stop === 'eos') return false;
    // a max-length stop holds only while the limit does (the user may raise max new tokens)
    return n.depth < s.maxNewTokens && s.tree.promptIds.length + n.depth < (s.info?.contextLength ?? Infinity);
  }

  /** @param key settings key the choice was made under (taken before the request: settings may change meanwhile) */
  private addEdge(
    parentId: number,
    choice: StepChoice,
    method: ChoiceMethod,
    drawKey: DrawKey | null,
    key: string,
    rec: DistributionRecord,
  ): { id: number; patch: Partial<AppState> } {
    const s = this.s;
    const existing =
      method === 'manual' ? childWithToken(s.tree, parentId, choice.tokenId) : findReusableChild(s.tree, parentId, { method, settingsKey: key, drawKey });
    if (existing) return { id: existing.id, patch: {} };
    const edge: Edge = {
      tokenId: choice.tokenId,
      method,
      settingsKey: key,
      drawKey,
      u: choice.u,
      prob: choice.prob,
      finalProb: choice.finalProb,
      logprob: choice.logprob,
      rank: choice.rank,
    };
    const added = addChild(s.tree, parentId, edge);
    const id = added.id;
    const tree = this.markStop(added.tree, id);
    return { id, patch: { tree, stepEntropy: { ...s.stepEntropy, [id]: [rec.entropyRawBits, rec.entropyFinalBits] } } };
  }

  private markStop(tree: GenerationTree, id: number, maxNewTokens = this.s.maxNewTokens): GenerationTree {
    const n = getNode(tree, id);
    const info = this.s.info!;
    if (info.eosTokenId !== null && n.edge?.tokenId === info.eosTokenId) return updateNode(tree, id, { stop: 'eos' });
    // an instruct model's end-of-turn token ends generation like EOS
    if (info.endOfTurnTokenId !== null && n.edge?.tokenId === info.endOfTurnTokenId) return updateNode(tree, id, { stop: 'eos' });
    if (n.depth >= maxNewTokens || tree.promptIds.length + n.depth >= info.contextLength) return updateNode(tree, id, { stop: 'max-length' });
    return tree;
  }

  /** What the screen reader hears after a step: the chosen token and the top three. */
  private announcement(tokenId: number, rec: DistributionRecord): string {
    return `${tokenId}|${Array.from(rec.tokenIds.slice(0, 3)).join(',')}`;
  }

  /** Step ▶: reuse a child made the same way, else compute one. */
  async stepForward(): Promise<boolean> {
    if (!this.s.busy && this.beamViewCanAdvance()) {
      this.setBeamViewStep(this.s.beamRun!.viewStep + 1);
      return true;
    }
    if (this.s.busy || !this.canStep()) return false;
    const s = this.s;
    if (s.strategy === 'beam') {
      await this.runBeam();
      return false;
    }
    const from = s.cursor;
    const method: ChoiceMethod = s.strategy === 'sample' ? 'sampled' : 'greedy';
    const drawKey = s.strategy === 'sample' ? this.drawKey(from) : null;
    const reuse = findReusableChild(s.tree, from, { method, settingsKey: currentKey(s), drawKey });
    const epoch = this.epoch;
    this.set({ busy: true, error: this.keptError() });
    try {
      if (s.tree.nodes[from].stop !== null) this.set({ tree: updateNode(this.s.tree, from, { stop: null }) });
      if (reuse) {
        this.set({ cursor: reuse.id });
        await this.ensureRecord(from);
        const rec = this.s.records[from]?.record;
        if (rec) this.set({ announcement: this.announcement(reuse.edge!.tokenId, rec) });
      } else {
        const { choice, record, patch } = await this.requestStep(from, null, false);
        this.checkEpoch(epoch);
        const edge = this.addEdge(from, choice!, method, drawKey, currentKey(s), record);
        // one store update: the record, the new node, the cursor, the announcement, the end of the step
        this.set({ ...patch, ...edge.patch, cursor: edge.id, announcement: this.announcement(choice!.tokenId, record), busy: false });
        await this.ensureRecord(from); // settings may have changed during the step
      }
      return this.canStep();
    } catch (e) {
      if (e instanceof StaleResult) return false;
      this.set({ error: this.onRunError(e), playing: false });
      return false;
    } finally {
      if (this.s.busy) this.set({ busy: false });
    }
  }

  /** Back ◀: move to the parent, no model call. */
  stepBack(): void {
    // a beam search being revealed goes back one beam step, then to its start (view state only)
    const run = this.s.beamRun;
    if (run && run.hypotheses && onBeamRun(this.s) && this.s.cursor !== run.startNode) {
      if (run.viewStep > 0) this.setBeamViewStep(run.viewStep - 1);
      else this.set({ cursor: run.startNode, beamRun: null });
      return;
    }
    const n = this.s.tree.nodes[this.s.cursor];
    if (!n || n.parent === null) return;
    this.set({ cursor: n.parent });
    void this.ensureRecord(displayNodeOf(this.s));
  }

  /** Jump to any node of the tree. */
  async jumpTo(nodeId: number): Promise<void> {
    if (!this.s.tree.nodes[nodeId]) return;
    this.set({ cursor: nodeId });
    await this.ensureRecord(displayNodeOf(this.s));
  }

  /** Home: back to the prompt; End: to the deepest node along first children. */
  jumpHome(): void {
    void this.jumpTo(0);
  }

  jumpEnd(): void {
    let id = this.s.cursor;
    for (;;) {
      const kids = this.s.tree.nodes[id].children;
      if (kids.length === 0) break;
      id = kids[kids.length - 1];
    }
    void this.jumpTo(id);
  }

  /** Chooses `tokenId` at the step the chart shows (a branch when it differs from the current token). */
  async chooseToken(tokenId: number): Promise<void> {
    return this.chooseAt(displayNodeOf(this.s), tokenId);
  }

  /** Chooses `tokenId` as the next token after node `at` (a branch when `at` already has other children). */
  private async chooseAt(at: number, tokenId: number): Promise<void> {
    if (this.s.busy || !this.client || this.s.readOnly) return;
    const key = currentKey(this.s);
    const epoch = this.epoch;
    this.set({ busy: true, error: this.keptError() });
    try {
      const { choice, record, patch } = await this.requestStep(at, tokenId, false);
      this.checkEpoch(epoch);
      const edge = this.addEdge(at, choice!, 'manual', null, key, record);
      this.set({ ...patch, ...edge.patch, cursor: edge.id, announcement: this.announcement(tokenId, record), busy: false });
      await this.ensureRecord(at); // settings may have changed during the step
    } catch (e) {
      if (!(e instanceof StaleResult)) this.set({ error: toAppError(e) });
    } finally {
      if (this.s.busy) this.set({ busy: false });
    }
  }

  /** Re-roll this step: a new draw (reroll count + 1) at the step that produced the cursor's token. */
  async reroll(): Promise<void> {
    const s = this.s;
    const n = s.tree.nodes[s.cursor];
    if (s.busy || !n || n.parent === null || s.strategy !== 'sample' || s.readOnly) return;
    const parent = getNode(s.tree, n.parent);
    // the parent must still be allowed to generate (the limit may have been lowered since)
    if (parent.depth >= s.maxNewTokens) return;
    this.set({ tree: updateNode(s.tree, parent.id, { rerolls: parent.rerolls + 1 }), cursor: parent.id });
    await this.stepForward();
    await this.ensureRecord(displayNodeOf(this.s));
  }

  /** Play/Pause autoplay at the speed setting; pausing marks a user stop. */
  async togglePlay(): Promise<void> {
    if (this.s.playing) {
      this.playToken++; // the running loop sees a new token and ends
      this.set({ playing: false });
      if (this.canStep()) {
        const n = this.s.tree.nodes[this.s.cursor];
        if (n.parent !== null) this.set({ tree: updateNode(this.s.tree, n.id, { stop: 'user' }) });
      }
      return;
    }
    const token = ++this.playToken;
    this.set({ playing: true });
    const mine = () => token === this.playToken && this.s.playing;
    while (mine()) {
      // a step still computing (e.g. started by hand) is waited for, not skipped
      while (this.s.busy && mine()) await new Promise((r) => setTimeout(r, 20));
      if (!mine()) return;
      const more = await this.stepForward();
      if (!more || !mine()) break;
      await new Promise((r) => setTimeout(r, this.s.speedMs));
    }
    if (token === this.playToken) this.set({ playing: false });
  }

  /**
   * Run to end: step until EOS or max new tokens (or Pause). New steps are computed by the worker's
   * own loop ('run' requests, see runInWorker); a step that can reuse an existing child, a beam
   * search or a finished beam view goes through stepForward as before.
   */
  async runToEnd(): Promise<void> {
    this.set({ playing: true });
    while (this.s.playing && (this.canRunInWorker() ? await this.runInWorker() : await this.stepForward()));
    // a beam search is shown whole: every step, the hypotheses and the generated text
    if (this.s.strategy === 'beam' && this.s.beamRun?.hypotheses) this.setBeamViewStep(this.s.beamRun.steps.length - 1);
    this.set({ playing: false });
  }

  /** The worker may run the steps: greedy or sampling from the cursor, and no existing child to reuse. */
  private canRunInWorker(): boolean {
    const s = this.s;
    if (s.busy || !this.canStep() || s.strategy === 'beam' || this.beamViewCanAdvance()) return false;
    const method: ChoiceMethod = s.strategy === 'sample' ? 'sampled' : 'greedy';
    const drawKey = s.strategy === 'sample' ? this.drawKey(s.cursor) : null;
    return !findReusableChild(s.tree, s.cursor, { method, settingsKey: currentKey(s), drawKey });
  }

  /**
   * New steps from the cursor in the worker's own loop (one 'run' request up to EOS or the length
   * limit). The worker streams each step: the record and choice a 'step' request gives (same engine
   * call, same draw key). Steps join the tree in order, all that arrived within one animation frame
   * in one batch of store updates (one React render), so rendering overlaps the worker's next
   * forwards instead of delaying them (bench P2). Pause, new settings, a reset or a changed tree
   * stop applying steps and cancel the run; what the worker computed beyond that is forgotten.
   * @returns whether generation can continue
   */
  private async runInWorker(): Promise<boolean> {
    const s = this.s;
    const client = this.need();
    const from = s.cursor;
    const fromNode = getNode(s.tree, from);
    const strategy = s.strategy === 'sample' ? 'sample' : 'greedy';
    const method: ChoiceMethod = strategy === 'sample' ? 'sampled' : 'greedy';
    const key = currentKey(s);
    const epoch = this.epoch;
    const firstNew = s.tree.nodes.length;
    const count = Math.min(s.maxNewTokens, (s.info?.contextLength ?? Infinity) - s.tree.promptIds.length) - fromNode.depth;
    if (count <= 0) return false;
    this.set({ busy: true, error: this.keptError() });
    if (fromNode.stop !== null) this.set({ tree: updateNode(this.s.tree, from, { stop: null }) });
    let parent = from;
    let received = 0;
    let applied = 0;
    let stopped = false; // applying ended early (pause, settings, reset, tree changed)
    let runId = 0;
    let queue: Extract<WorkerResponse, { type: 'run-step' }>[] = [];
    let scheduled = false;
    const stop = () => {
      if (stopped) return;
      stopped = true;
      if (runId && epoch === this.epoch) void client.request({ type: 'cancel-run', runId }, ['done']).catch(() => undefined);
    };
    const flush = () => {
      scheduled = false;
      const batch = queue;
      queue = [];
      for (const m of batch) {
        if (stopped) return;
        if (epoch !== this.epoch || !this.s.playing || currentKey(this.s) !== key) {
          stop();
          return;
        }
        const drawKey = strategy === 'sample' ? this.drawKey(parent) : null;
        const edge = this.addEdge(parent, m.choice, method, drawKey, key, m.record);
        if (edge.id !== firstNew + applied) {
          // the tree changed under the run: the worker's cache ids for the rest are not these nodes
          stop();
          return;
        }
        this.set({ ...this.resultPatch(parent, key, m), ...edge.patch, cursor: edge.id, announcement: this.announcement(m.choice.tokenId, m.record) });
        parent = edge.id;
        applied++;
      }
    };
    const schedule = () => {
      if (scheduled) return;
      scheduled = true;
      if (typeof requestAnimationFrame === 'function' && typeof document !== 'undefined' && document.visibilityState === 'visible') requestAnimationFrame(flush);
      else setTimeout(flush, 0);
    };
    try {
      const done = client.request(
        {
          type: 'run',
          path: this.cachePath(from),
          ids: sequenceIds(s.tree, from),
          strategy,
          settings: stepSettings(s),
          topN: s.topN,
          extraIds: s.query?.ids.slice(0, 1) ?? [],
          seed: s.seed,
          startDepth: fromNode.depth,
          firstReroll: fromNode.rerolls,
          nextNodeId: this.cid(firstNew),
          count,
        },
        ['run-done'],
        (m) => {
          if (m.type !== 'run-step') return;
          received++;
          queue.push(m);
          schedule();
        },
      );
      runId = client.lastRequestId;
      await done;
      flush();
      if (stopped && epoch === this.epoch && received > applied) {
        // forget what the worker cached under ids these steps did not get
        const stale = Array.from({ length: received - applied }, (_, k) => this.cid(firstNew + applied + k));
        void client.request({ type: 'forget', nodeIds: stale }, ['done']).catch(() => undefined);
      }
      if (epoch !== this.epoch) return false;
      this.set({ busy: false });
      await this.ensureRecord(displayNodeOf(this.s)); // settings may have changed during the run
      return this.s.playing && this.canStep();
    } catch (e) {
      flush(); // the steps that arrived before the error stay
      if (!(e instanceof StaleResult)) this.set({ error: this.onRunError(e), playing: false });
      return false;
    } finally {
      if (this.s.busy) this.set({ busy: false });
    }
  }

  /** Reset: a new tree for the same prompt; caches freed. */
  async reset(): Promise<void> {
    if (this.s.readOnly) return;
    this.set({ playing: false });
    const ids = this.s.tree.promptIds;
    await this.forgetAll();
    this.replaceTree({ tree: createTree(ids), cursor: 0, records: {}, stepEntropy: {}, beamRun: null, error: null });
    await this.ensureRecord(0);
  }

  // ------------------------------------------------------------------ settings

  /**
   * Updates settings after validation (the engine validates again); the shown
   * step is re-rendered from stored logits without a forward pass.
   * @throws RangeError naming the invalid value
   */
  async updateSettings(patch: Partial<SettingsSlice> & { orderName?: ProcessorOrderName }): Promise<void> {
    if (this.s.readOnly) throw new RangeError('a read-only session keeps the settings it was recorded with');
    const next = { ...this.s, ...patch };
    if (patch.orderName) next.sampling = { ...next.sampling, order: processorOrder(patch.orderName) };
    validateSamplingSettings(next.sampling);
    validateBeamSettings(next.beam);
    if (!Number.isInteger(next.seed) || next.seed < 0 || next.seed > 0xffffffff) throw new RangeError(`seed must be an integer in [0, 4294967295]: ${next.seed}`);
    if (!Number.isInteger(next.topN) || next.topN < 1 || next.topN > 200) throw new RangeError(`topN must be an integer in [1, 200]: ${next.topN}`);
    const ctx = this.s.info?.contextLength ?? 1e9;
    if (!Number.isInteger(next.maxNewTokens) || next.maxNewTokens < 1) throw new RangeError(`maxNewTokens must be an integer ≥ 1: ${next.maxNewTokens}`);
    const room = ctx - this.s.tree.promptIds.length;
    const clamped = Math.min(next.maxNewTokens, Math.max(1, room));
    this.set({
      strategy: next.strategy,
      sampling: next.sampling,
      orderName: next.orderName,
      beam: next.beam,
      seed: next.seed,
      topN: next.topN,
      maxNewTokens: clamped,
    });
    await this.ensureRecord(displayNodeOf(this.s));
  }

  // ------------------------------------------------------------------ query

  /** Probability and rank of a typed token or word (as its tokens) at the shown step. */
  async queryToken(text: string): Promise<void> {
    if (!this.client || text === '' || this.s.readOnly) {
      this.set({ query: null });
      return;
    }
    try {
      let ids: number[];
      const asId = /^#(\d+)$/.exec(text.trim());
      if (asId) ids = [Number(asId[1])];
      else {
        ids = (await this.need().request({ type: 'tokenize', text, addSpecialTokens: false }, ['tokens'])).ids;
        // mid-sentence words carry their leading space ("␣LORD"): prefer that spelling when it is shorter or equal
        if (!/^\s/.test(text) && this.s.tree.promptIds.length > 0) {
          const spaced = (await this.need().request({ type: 'tokenize', text: ` ${text}`, addSpecialTokens: false }, ['tokens'])).ids;
          if (spaced.length > 0 && spaced.length <= ids.length) ids = spaced;
        }
      }
      const vocab = this.s.info!.vocabSize;
      ids = ids.filter((i) => i >= 0 && i < vocab);
      if (ids.length === 0) {
        this.set({ query: { text, ids: [], stats: [] } });
        return;
      }
      const at = displayNodeOf(this.s);
      const s = this.s;
      const epoch = this.epoch;
      const r = await this.need().request(
        { type: 'query', nodeId: this.cid(at), path: this.cachePath(at), ids: sequenceIds(s.tree, at), settings: stepSettings(s), strategy: s.strategy, tokenIds: ids.slice(0, 1) },
        ['query-result'],
      );
      this.checkEpoch(epoch);
      this.set({ query: { text, ids, stats: r.stats } });
    } catch (e) {
      if (!(e instanceof StaleResult)) this.set({ error: toAppError(e) });
    }
  }

  // ------------------------------------------------------------------ beam

  /** Batched beam search from the cursor; steps stream into the beam tree; the best hypothesis joins the tree. */
  async runBeam(): Promise<void> {
    const s = this.s;
    if (s.busy || !this.client || s.readOnly || s.strategy !== 'beam' || !this.canStep()) return;
    const start = s.cursor;
    const maxNew = s.maxNewTokens - getNode(s.tree, start).depth;
    // generation continues here: a stop set under an older limit or by the user no longer holds
    if (getNode(s.tree, start).stop !== null) this.set({ tree: updateNode(s.tree, start, { stop: null }) });
    this.set({ busy: true, error: this.keptError(), beamRun: { startNode: start, steps: [], hypotheses: null, viewStep: 0, greedyIds: [] } });
    try {
      const epoch = this.epoch;
      const path = this.cachePath(start);
      const ids = sequenceIds(s.tree, start);
      const done = await this.need().request(
        { type: 'beam', nodeId: this.cid(start), path, ids, settings: s.beam, maxNewTokens: maxNew },
        ['beam-done'],
        (m) => {
          if (m.type !== 'beam-step' || epoch !== this.epoch) return;
          const run = this.s.beamRun!;
          this.set({ beamRun: { ...run, steps: [...run.steps, m.record], viewStep: run.steps.length }, forwardCount: m.forwardCount });
        },
      );
      this.checkEpoch(epoch);
      // show the run from its first step; Step ▶ walks through it
      this.set({ forwardCount: done.forwardCount, beamRun: { ...this.s.beamRun!, hypotheses: done.hypotheses, viewStep: 0 } });
      // greedy continuation for comparison, computed on scratch cache ids
      const greedy = await this.need().request(
        { type: 'beam', nodeId: this.cid(start), path, ids, settings: { ...s.beam, beamWidth: 1 }, maxNewTokens: maxNew },
        ['beam-done'],
      );
      this.checkEpoch(epoch);
      this.set({ beamRun: { ...this.s.beamRun!, greedyIds: greedy.hypotheses[0]?.tokens ?? [] }, forwardCount: greedy.forwardCount });
      // the best hypothesis becomes a path of beam edges in the tree
      const best = done.hypotheses[0];
      if (best) {
        let at = start;
        let prev = 0;
        const steps = this.s.beamRun!.steps;
        const key = currentKey(s);
        let tree = this.s.tree;
        best.tokens.forEach((tok, i) => {
          const cand = steps[i]?.candidates.find((c) => c.tokenId === tok && steps[i].beams[c.parentBeam]?.tokens.join() === best.tokens.slice(0, i).join());
          const cum = cand ? cand.sumLogprobs : prev;
          const logprob = cum - prev;
          prev = cum;
          const existing = childWithToken(tree, at, tok);
          if (existing) {
            // a node passed on the way was a stop under an older, smaller limit
            if (existing.stop !== null && existing.stop !== 'eos' && i < best.tokens.length - 1) tree = updateNode(tree, existing.id, { stop: null });
            at = existing.id;
            return;
          }
          const edge: Edge = { tokenId: tok, method: 'beam', settingsKey: key, drawKey: null, u: null, prob: Math.exp(logprob), finalProb: Math.exp(logprob), logprob, rank: 0 };
          const r = addChild(tree, at, edge);
          // only the end of the hypothesis is a stop, by the limit this run had
          tree = i === best.tokens.length - 1 ? this.markStop(r.tree, r.id, s.maxNewTokens) : r.tree;
          at = r.id;
        });
        this.set({ tree, cursor: at });
        await this.ensureRecord(displayNodeOf(this.s));
      }
    } catch (e) {
      if (!(e instanceof StaleResult)) this.set({ error: toAppError(e) });
    } finally {
      if (this.s.busy) this.set({ busy: false });
    }
  }

  setBeamViewStep(step: number): void {
    const run = this.s.beamRun;
    if (!run) return;
    this.set({ beamRun: { ...run, viewStep: Math.max(0, Math.min(run.steps.length - 1, step)) } });
  }

  // ------------------------------------------------------------------ teacher forcing

  /** Teacher forcing: scores every position of a text in one parallel pass (windows when longer than the context). */
  async scoreText(text: string): Promise<void> {
    if (!this.client || text.trim() === '') return;
    this.set({ busy: true, error: this.keptError() });
    try {
      const r = await this.need().request({ type: 'score-text', text }, ['score-result']);
      this.set({ tf: { text, tokens: r.tokens, windows: r.windows }, forwardCount: r.forwardCount });
    } catch (e) {
      this.set({ error: toAppError(e) });
    } finally {
      if (this.s.busy) this.set({ busy: false });
    }
  }

  // ------------------------------------------------------------------ persistence

  private sessionModel(): SessionFile['model'] | null {
    const info = this.s.info;
    if (!info) return null;
    return { id: info.id, sourceKind: info.sourceKind, vocabSize: info.vocabSize, fingerprint: info.fingerprint };
  }

  private matchesLoaded(s: SessionFile): boolean {
    const m = this.sessionModel();
    return !!m && m.id === s.model.id && m.vocabSize === s.model.vocabSize && m.fingerprint === s.model.fingerprint;
  }

  /**
   * After the first model load: restores the saved session when it was made with this model (the
   * identical tree, settings and cursor); a session of another model is never replayed on this one.
   * Then saves every change (debounced) until the page closes.
   */
  async restoreSession(): Promise<void> {
    let saved: Awaited<ReturnType<typeof readSavedSession>>;
    try {
      saved = await readSavedSession();
    } catch (e) {
      this.set({ storageNotice: e instanceof Error ? e.message : String(e) });
      return;
    }
    if (saved && !saved.ok) {
      this.set({ sessionProblemSource: 'saved', sessionProblem: saved.message });
      await clearSavedSession().catch(() => undefined);
    } else if (saved?.ok) {
      if (this.matchesLoaded(saved.session)) {
        const problem = await this.problemWithLoadedModel(saved.session);
        if (problem) {
          this.set({ sessionProblemSource: 'saved', sessionProblem: problem });
          await clearSavedSession().catch(() => undefined);
        } else await this.applySession(saved.session);
      }
      else {
        this.showSession(saved.session, true);
        return; // keep the saved session until the user loads its model or starts a new one
      }
    }
    this.startAutosave();
  }

  /** Puts a validated session on screen: editable (its model is loaded) or read-only (another model). */
  private showSession(s: SessionFile, readOnly: boolean): void {
    this.pending = readOnly ? s : null;
    this.replaceTree({
      prompt: s.prompt,
      chat: s.chat ?? null,
      ...s.settings,
      tree: s.tree,
      cursor: s.cursor,
      records: recordsOf(s),
      stepEntropy: {},
      beamRun: null,
      promptError: null,
      error: null,
      sessionProblem: null,
      readOnly: readOnly ? { modelId: s.model.id, sourceKind: s.model.sourceKind } : null,
    });
  }

  private async applySession(s: SessionFile): Promise<void> {
    await this.forgetAll();
    this.showSession(s, false);
    await this.ensureRecord(displayNodeOf(this.s));
  }

  /** Checks a session against the loaded model: its prompt text must give its token ids, and its deepest path must fit the context. */
  private async problemWithLoadedModel(s: SessionFile): Promise<string | null> {
    const info = this.s.info!;
    const deepest = Math.max(...s.tree.nodes.map((n) => n.depth));
    if (s.tree.promptIds.length + deepest > info.contextLength) {
      return `prompt and path of ${s.tree.promptIds.length + deepest} tokens exceed the context of ${info.contextLength}`;
    }
    if (s.chat && !info.hasChatTemplate) return `the session's prompt comes from a chat template; ${info.id} has none`;
    let ids: number[];
    try {
      ids = (await this.promptIdsOf(s.prompt, s.chat ?? null)).ids;
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
    if (ids.length === 0 && info.bosTokenId !== null) ids = [info.bosTokenId];
    if (ids.join() !== s.tree.promptIds.join()) {
      return s.chat ? 'the conversation does not give the prompt token ids of the session' : 'the prompt text does not give the prompt token ids of the session';
    }
    return null;
  }

  /** The session on screen as a session file, under the given model identity. */
  private currentSessionFile(model: SessionFile['model']): SessionFile {
    const s = this.s;
    return toSessionFile({ model, prompt: s.prompt, chat: s.chat, settings: s, tree: s.tree, cursor: s.cursor, records: s.records });
  }

  /** The current session as a versioned JSON file (with the recorded distributions). */
  exportSession(): string | null {
    const model = this.pending?.model ?? this.sessionModel();
    if (!model || this.s.tree.promptIds.length === 0) return null;
    return JSON.stringify(this.currentSessionFile(model));
  }

  /**
   * Imports a session file: validated first (nothing partial is applied); opened editable when its
   * model is the loaded one, read-only otherwise.
   */
  async importSession(text: string): Promise<void> {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      this.set({ sessionProblemSource: 'import', sessionProblem: `not JSON (${e instanceof Error ? e.message : String(e)})` });
      return;
    }
    const r = parseSession(value);
    if (!r.ok) {
      this.set({ sessionProblemSource: 'import', sessionProblem: r.message });
      return;
    }
    this.set({ sessionProblem: null, playing: false });
    if (this.matchesLoaded(r.session)) {
      const problem = await this.problemWithLoadedModel(r.session);
      if (problem) {
        this.set({ sessionProblemSource: 'import', sessionProblem: problem });
        return;
      }
      await this.applySession(r.session);
      await this.saveNow();
    } else this.showSession(r.session, true); // never replayed: shown from its recorded distributions
  }

  /** Starts saving changes to browser storage (after a share link was opened). */
  async startSaving(): Promise<void> {
    this.startAutosave();
    await this.saveNow();
  }

  private startAutosave(): void {
    if (this.autosave) return;
    this.autosave = this.store.subscribe((st, prev) => {
      if (st.tree === prev.tree && st.cursor === prev.cursor && st.prompt === prev.prompt && st.chat === prev.chat && st.sampling === prev.sampling &&
        st.beam === prev.beam && st.strategy === prev.strategy && st.seed === prev.seed && st.maxNewTokens === prev.maxNewTokens && st.topN === prev.topN) return;
      if (this.saveTimer) clearTimeout(this.saveTimer);
      this.saveTimer = setTimeout(() => void this.saveNow(), 100);
    });
    if (typeof window !== 'undefined') {
      // a reload or a closed tab right after a step still keeps it
      const flush = () => {
        if (this.saveTimer) clearTimeout(this.saveTimer);
        void this.saveNow();
      };
      window.addEventListener('pagehide', flush);
      document.addEventListener('visibilitychange', () => document.visibilityState === 'hidden' && flush());
    }
  }

  /** Writes the current session to browser storage now. */
  async saveNow(): Promise<void> {
    const model = this.sessionModel();
    if (!model || this.s.storageNotice || this.s.readOnly || this.s.tree.promptIds.length === 0) return;
    try {
      await writeSession(this.currentSessionFile(model));
    } catch (e) {
      this.set({ storageNotice: e instanceof Error ? e.message : String(e) });
    }
  }

  /** Loads the model a pending saved session was made with, then restores it. */
  async loadPendingModel(): Promise<void> {
    const p = this.pending;
    if (!p) return;
    const source: ModelSource | null =
      p.model.sourceKind === 'embedded' ? { kind: 'embedded', name: p.model.id } : p.model.sourceKind === 'hub' ? { kind: 'hub', modelId: p.model.id } : null;
    if (!source) return;
    await this.loadModel(source);
    if (this.matchesLoaded(p)) await this.applySession(p);
    this.startAutosave();
  }

  /** Discards the saved session and starts clean. */
  async newSession(): Promise<void> {
    this.pending = null;
    await clearSavedSession().catch(() => undefined);
    await this.forgetAll();
    // the tree explored so far stays reachable from the prompt history (an undo for "new session")
    const s = this.s;
    const history = !s.readOnly && s.tree.nodes.length > 1 ? [{ prompt: s.prompt, chat: s.chat, tree: s.tree, cursor: s.cursor }, ...s.history].slice(0, 20) : s.history;
    this.set({ ...DEFAULT_SETTINGS, readOnly: null, sessionProblem: null, history, beamRun: null, tf: null });
    await this.setPrompt(this.s.prompt, { force: true });
    this.startAutosave();
    await this.saveNow();
  }

  /**
   * The distribution of a fresh prefill over `ids` (no cache reuse, tree untouched), on a scratch
   * cache id that is dropped afterwards. For consistency checks in tests and benchmarks.
   */
  async freshRecord(ids: number[]): Promise<DistributionRecord> {
    const id = -1 - this.scratch++;
    const s = this.s;
    const r = await this.need().request(
      { type: 'step', nodeId: id, path: [id], ids, strategy: s.strategy, settings: stepSettings(s), topN: s.topN, extraIds: [], drawKey: null, choose: 'none' },
      ['step-result'],
    );
    await this.need().request({ type: 'forget', nodeIds: [id] }, ['done']);
    this.set({ forwardCount: r.forwardCount });
    return r.record;
  }

  // ------------------------------------------------------------------ share links

  /** The current path as a share fragment (`share=…`), or null before a model and prompt exist. */
  shareFragment(): string | null {
    const s = this.s;
    // the header selects this on every store update: encode only when its inputs changed
    const c = this.shareCache;
    if (c && c.info === s.info && c.tree === s.tree && c.cursor === s.cursor && c.prompt === s.prompt && c.readOnly === s.readOnly) return c.value;
    const value = this.encodeShareFragment();
    this.shareCache = { info: s.info, tree: s.tree, cursor: s.cursor, prompt: s.prompt, readOnly: s.readOnly, value };
    return value;
  }

  private shareCache: { info: unknown; tree: unknown; cursor: number; prompt: string; readOnly: unknown; value: string | null } | null = null;

  /** Explored branches the last share fragment carried, of all there were (beyond a size limit the export keeps them). */
  shareBranchInfo: { kept: number; total: number } = { kept: 0, total: 0 };

  private encodeShareFragment(): string | null {
    const s = this.s;
    this.shareBranchInfo = { kept: 0, total: 0 };
    if (!s.info || s.tree.promptIds.length === 0 || s.readOnly) return null;
    const toShare = (id: number): ShareEdge => {
      const e = s.tree.nodes[id].edge!;
      if (e.method === 'sampled') return { t: e.tokenId, m: 's', k: e.settingsKey, r: e.drawKey?.reroll ?? 0 };
      if (e.method === 'greedy') return { t: e.tokenId, m: 'g', k: e.settingsKey };
      return { t: e.tokenId, m: e.method === 'beam' ? 'b' : 'm' };
    };
    const path = pathTo(s.tree, s.cursor).slice(1).map(toShare);
    let payload: SharePayload = { v: 1, model: s.info.id, prompt: s.prompt, ...(s.chat ? { chat: s.chat } : {}), path };
    let value = encodeShare(payload);
    // the other explored branches (every leaf but the cursor), while the link stays under its size limit
    const leaves = s.tree.nodes.filter((n) => n.id !== 0 && n.children.length === 0 && n.id !== s.cursor).map((n) => n.id);
    let kept = 0;
    for (const leaf of leaves) {
      if (kept >= MAX_SHARE_BRANCHES) break;
      const next: SharePayload = { ...payload, branches: [...(payload.branches ?? []), pathTo(s.tree, leaf).slice(1).map(toShare)] };
      const encoded = encodeShare(next);
      if (encoded.length > MAX_SHARE_CHARS) break;
      payload = next;
      value = encoded;
      kept++;
    }
    this.shareBranchInfo = { kept, total: leaves.length };
    return value;
  }

  /**
   * Opens a share fragment: the same prompt, then the path replayed with the same choice rules
   * (greedy and sampled steps recomputed under their recorded settings and draw keys, hand-picked
   * and beam tokens chosen). A replayed token that differs is reported, never hidden.
   * @returns 'none' when the fragment is not a share link, 'refused' when the link was not opened (the
   *   current session is untouched), 'opened' when its prompt and path replaced the session
   */
  async openShared(hash: string): Promise<'none' | 'opened' | 'refused'> {
    const r = decodeShare(hash);
    if (r === null) return 'none';
    if (!r.ok) {
      this.set({ sessionProblemSource: 'share', sessionProblem: r.message });
      return 'refused';
    }
    return (await this.replayShared(r.payload)) ? 'opened' : 'refused';
  }

  /** @returns false when the link was refused before anything changed (no model, another model, no chat template) */
  private async replayShared(p: SharePayload): Promise<boolean> {
    const info = this.s.info;
    if (!info) return false;
    if (p.model !== info.id) {
      this.set({ sessionProblemSource: 'share', sessionProblem: `the share link is for the model ${p.model}; the loaded model is ${info.id}` });
      return false;
    }
    if (p.chat && !info.hasChatTemplate) {
      this.set({ sessionProblemSource: 'share', sessionProblem: `the share link's prompt comes from a chat template; ${info.id} has none` });
      return false;
    }
    this.set({ chat: p.chat ?? null });
    await this.setPrompt(p.prompt, { force: true });
    if (this.s.promptError) return true;
    const longest = Math.max(p.path.length, ...(p.branches ?? []).map((b) => b.length));
    if (this.s.maxNewTokens < longest) await this.updateSettings({ maxNewTokens: longest });
    // the other explored branches first (shared steps are reused), the link's current path last
    for (const branch of p.branches ?? []) {
      await this.jumpTo(0);
      if (!(await this.replaySharedPath(branch, info.vocabSize))) return true;
    }
    if (p.branches?.length) await this.jumpTo(0);
    await this.replaySharedPath(p.path, info.vocabSize);
    return true;
  }

  /** Replays one shared path from the cursor. @returns false when a step was refused or differed (the problem is set) */
  private async replaySharedPath(path: ShareEdge[], vocabSize: number): Promise<boolean> {
    for (const [i, e] of path.entries()) {
      if (e.t >= vocabSize) {
        this.set({ sessionProblemSource: 'share', sessionProblem: `share link: token id ${e.t} is outside the vocabulary` });
        return false;
      }
      if ((e.m === 'g' || e.m === 's') && e.k) {
        const parsed = settingsFromKey(e.k);
        const v = parsed?.values ?? {};
        try {
          if (e.m === 's') {
            const orderName = v['order'] === 'temperature-last' ? 'temperature-last' : 'hf';
            await this.updateSettings({
              strategy: 'sample',
              orderName,
              seed: Number(v['seed']),
              sampling: { temperature: Number(v['temperature']), topK: Number(v['topK']), topP: Number(v['topP']), minP: Number(v['minP']), repetitionPenalty: Number(v['repetitionPenalty']), order: processorOrder(orderName) },
            });
            const at = this.s.cursor;
            this.set({ tree: updateNode(this.s.tree, at, { rerolls: e.r ?? 0 }) });
          } else {
            await this.updateSettings({ strategy: 'greedy', sampling: { ...this.s.sampling, repetitionPenalty: Number(v['repetitionPenalty'] ?? 1) } });
          }
        } catch (err) {
          this.set({ sessionProblemSource: 'share', sessionProblem: `share link: step ${i + 1}: ${err instanceof Error ? err.message : String(err)}` });
          return false;
        }
        await this.stepForward();
        const got = this.s.tree.nodes[this.s.cursor].edge?.tokenId;
        if (got !== e.t) {
          this.set({ sessionProblemSource: 'share', sessionProblem: `share link: step ${i + 1} gave token ${String(got)} here, the link recorded ${e.t} (another backend or model version?)` });
          return false;
        }
      } else {
        // a hand-picked (or beam) token is appended after the current node
        await this.chooseAt(this.s.cursor, e.t);
      }
    }
    return true;
  }

  // ------------------------------------------------------------------ benchmarks (npm run bench)

  /** Round trip of the last worker request (posted → result message on the main thread), ms. */
  get lastRoundTripMs(): number {
    return this.client?.lastRoundTripMs ?? NaN;
  }

  /** Raw ONNX Runtime decode runs on the cursor node's KV cache, ms each. */
  async benchRawDecode(reps: number): Promise<number[]> {
    const s = this.s;
    const r = await this.need().request(
      { type: 'bench-raw-decode', path: this.cachePath(s.cursor), ids: sequenceIds(s.tree, s.cursor), reps },
      ['bench-result'],
    );
    return r.ms;
  }

  /** One batched beam search from the cursor, timed in the page (no tree change): ms and beam steps. */
  async benchBeam(beamWidth: number, maxNewTokens: number): Promise<{ ms: number; steps: number }> {
    const s = this.s;
    let steps = 0;
    const t0 = performance.now();
    await this.need().request(
      { type: 'beam', nodeId: this.cid(s.cursor), path: this.cachePath(s.cursor), ids: sequenceIds(s.tree, s.cursor), settings: { ...s.beam, beamWidth }, maxNewTokens },
      ['beam-done'],
      (m) => {
        if (m.type === 'beam-step') steps++;
      },
    );
    return { ms: performance.now() - t0, steps };
  }

  /** transformers.js generate() greedy from the prompt, total ms. */
  async benchGenerate(maxNewTokens: number): Promise<number> {
    const r = await this.need().request({ type: 'bench-generate', ids: this.s.tree.promptIds, maxNewTokens }, ['bench-result']);
    return r.ms[0];
  }

  /** The distribution math on a synthetic vocabulary vs one Math.exp pass, ms each. */
  async benchMath(vocabSize: number, reps: number): Promise<{ ms: number[]; floorMs: number[] }> {
    const r = await this.need().request({ type: 'bench-math', vocabSize, reps }, ['bench-result']);
    return { ms: r.ms, floorMs: r.floorMs ?? [] };
  }

  // ------------------------------------------------------------------ Monte-Carlo and class vote

  /** Appends `tokenId` after the cursor (a class-vote choice): a hand-picked edge, a branch when the cursor has other children. */
  async appendToken(tokenId: number): Promise<void> {
    return this.chooseAt(this.s.cursor, tokenId);
  }

  /**
   * N Monte-Carlo samples from node `nodeId`'s final distribution under the sampling settings
   * (temperature, top-k, top-p, min-p, repetition penalty, whatever the strategy), with the
   * seed setting and the node's depth in the draw keys (streams in engine/monteCarlo.ts).
   * @returns null when the tree was replaced meanwhile
   * @throws EngineError from the worker (e.g. no model), RangeError for n out of range
   */
  async monteCarlo(nodeId: number, n: number, topM = 50): Promise<McHistogram | null> {
    const s = this.s;
    const epoch = this.epoch;
    const r = await this.need().request(
      { type: 'mc-sample', nodeId: this.cid(nodeId), path: this.cachePath(nodeId), ids: sequenceIds(s.tree, nodeId), settings: s.sampling, n, seed: s.seed, depth: getNode(s.tree, nodeId).depth, topM },
      ['mc-result'],
    );
    if (epoch !== this.epoch) return null;
    this.set({ forwardCount: r.forwardCount });
    return r.histogram;
  }

  private mcTreeRequest = 0;

  /**
   * N continuations of up to `length` tokens from node `nodeId` under the sampling settings, merged
   * into a tree with visit counts (one batched forward pass per level in the worker; steps asked
   * for meanwhile wait in the worker's queue). `cancelMonteCarloTree` stops it between levels.
   * @returns null when the tree was replaced meanwhile
   * @throws EngineError `cancelled` when stopped
   */
  async monteCarloTree(nodeId: number, n: number, length: number): Promise<McTreeNode[] | null> {
    const s = this.s;
    const epoch = this.epoch;
    const client = this.need();
    const req = client.request(
      { type: 'mc-tree', nodeId: this.cid(nodeId), path: this.cachePath(nodeId), ids: sequenceIds(s.tree, nodeId), settings: s.sampling, n, length, seed: s.seed, depth: getNode(s.tree, nodeId).depth },
      ['mc-tree-result'],
    );
    this.mcTreeRequest = client.lastRequestId;
    const r = await req;
    if (epoch !== this.epoch) return null;
    this.set({ forwardCount: r.forwardCount });
    return r.nodes;
  }

  /** Stops the running Monte-Carlo continuations (they answer with an error `cancelled`). */
  cancelMonteCarloTree(): void {
    if (this.client && this.mcTreeRequest) void this.client.request({ type: 'mc-cancel', target: this.mcTreeRequest }, ['done']).catch(() => undefined);
  }

  /** Makes the worker fail as a crash would (tests of the recovery path). */
  crashWorkerForTest(): void {
    void this.client?.request({ type: 'crash-for-test' }, ['done']).catch(() => undefined);
  }

  /** Live tensors and counters from the worker (tests and benchmarks). */
  async stats() {
    return this.need().request({ type: 'stats' }, ['stats-result']);
  }
}

export const controller = new Controller();
