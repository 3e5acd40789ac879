/**
 * The decoder: the single owner of decoding. It holds a model backend (ModelBackend), the caches
 * keyed by tree node (NodeCache), every decode loop — step, Run to end, token query, beam search,
 * Monte-Carlo samples and continuations, teacher forcing — and the one stop rule; the math is
 * src/engine's (one sampling implementation: computeStep and its stages). One model call runs at a
 * time (a queue), so requests are answered in the order they arrive.
 *
 * Pure TypeScript: runs in the Web Worker over the ONNX Runtime backend, and in Node tests over
 * that backend or the scripted test model.
 */
import { EngineError } from '../engine/errors.ts';
import { decideStep, effectiveSettings, type StepChoice, type StepInput } from '../engine/step.ts';
import { stageDistributions, tokenStats } from '../engine/fastStep.ts';
import { monteCarloHistogram, type McHistogram } from '../engine/monteCarlo.ts';
import type { McTreeNode } from '../engine/mcTree.ts';
import type { DistributionRecord, TokenStat } from '../engine/distribution.ts';
import type { BeamHypothesis } from '../engine/beam.ts';
import { validateSamplingSettings } from '../engine/settings.ts';
import type { BeamStepRecord, ChatMessage, ModelInfo, ScoredToken, WorkerRequest } from '../worker/protocol.ts';
import { sameVocabulary, type ModelBackend } from './backend.ts';
import { NodeCache, type Phase } from './nodeCache.ts';
import type { Readout } from './readout.ts';
import { isStopToken } from './stopRule.ts';
import { beamSearch, type BeamRequest } from './beamSearch.ts';
import { continuationTree, type McTreeRequest } from './continuations.ts';
import { scoreText, type ScoreHooks } from './teacherForcing.ts';
import { ConstraintMasks } from './constraints.ts';
import { speculativeGenerateOn, type SpeculativeResult } from './speculative.ts';
import { UNREPORTED_SCORE, markTopRecord, positionScores, reportedOf } from './topScores.ts';

export type StepRequest = Extract<WorkerRequest, { type: 'step' }>;
export type RunRequest = Extract<WorkerRequest, { type: 'run' }>;
export type QueryRequest = Extract<WorkerRequest, { type: 'query' }>;
export type McSampleRequest = Extract<WorkerRequest, { type: 'mc-sample' }>;
export type { BeamRequest, McTreeRequest };

/** One step's answer: the node's record, the choice (null when none was asked), and whether the chosen token ends the sequence. */
export interface StepOutcome {
  record: DistributionRecord;
  choice: StepChoice | null;
  /** True when the chosen token is a stop token (EOS or end-of-turn): the sequence ends after it. */
  stop: boolean;
  /** Forward time (ms), 0 when served from the logits cache. */
  ms: number;
  phase: Phase;
}

export interface DecoderOptions {
  /** Snapshot memory budget in bytes (default 256 MB). */
  cacheBudgetBytes?: number;
}

/** Resolves after one turn of the event loop, so queued messages (a 'cancel-run') are handled. */
function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      ch.port1.close();
      resolve();
    };
    ch.port2.postMessage(null);
  });
}

export class Decoder {
  readonly backend: ModelBackend;
  /** A second backend with the same vocabulary (a draft model for speculative decoding), when attached. */
  draft: ModelBackend | null = null;
  private readonly nodes: NodeCache;
  private queue: Promise<unknown> = Promise.resolve();
  /** The constraint stage's vocabulary trie and compiled constraints (built on first use). */
  private constraintMasks: ConstraintMasks | null = null;
  /** Ids of mc-tree requests asked to stop (checked between levels). */
  private readonly mcCancelled = new Set<number>();

  constructor(backend: ModelBackend, opts: DecoderOptions = {}) {
    this.backend = backend;
    this.nodes = new NodeCache(backend, opts.cacheBudgetBytes ?? 256 * 1024 * 1024);
  }

  get info(): ModelInfo {
    return this.backend.info;
  }

  /**
   * Attaches a draft backend beside the target (the one this decoder was built with); the previous
   * draft, if any, is disposed (never the target itself, which may serve as its own draft). Its
   * caches are the lane's own (none are kept by node).
   * @throws EngineError `draft-tokenizer` when its tokenizer differs from the target's (vocabulary
   *   size, any token's bytes, or the EOS / BOS / end-of-turn ids): token ids would not mean the same
   */
  async attachDraft(draft: ModelBackend): Promise<void> {
    if (!sameVocabulary(this.backend.info, draft.info)) {
      const a = this.info;
      const b = draft.info;
      throw new EngineError('draft-tokenizer', `${b.id} has another vocabulary than ${a.id} (${b.vocabSize} vs ${a.vocabSize} tokens${b.vocabSize === a.vocabSize ? ', different token bytes or special ids' : ''})`);
    }
    const old = this.draft;
    this.draft = draft;
    if (old && old !== draft && old !== this.backend) await old.dispose();
  }

  /** Removes the draft backend (disposed unless it is the target itself). */
  async detachDraft(): Promise<void> {
    const old = this.draft;
    this.draft = null;
    if (old && old !== this.backend) await old.dispose();
  }

  /** Forward passes run so far. */
  get forwardCount(): number {
    return this.backend.stats().forwardCount;
  }

  /** Cache entries asked for with other token ids than they cover (recomputed; see NodeCache). */
  get staleCacheHits(): { count: number; details: readonly string[] } {
    return { count: this.nodes.staleHits, details: this.nodes.staleDetails };
  }

  /** Runs `fn` after every earlier model call (overlapping engine calls fail on ONNX Runtime). */
  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Runs `fn` in the decoder's queue, alone with the backend (benchmark hooks). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.enqueue(fn);
  }

  /** A node's prefix cache, computed when missing; call only inside `exclusive` (the handle stays the node cache's). */
  async snapshotAt(path: number[], ids: number[]) {
    return (await this.nodes.startOf(path, ids)).cache;
  }

  /** Token ids of a text (see ModelBackend.tokenize). */
  tokenize(text: string, addSpecialTokens = false): Promise<number[]> {
    return this.backend.tokenize(text, addSpecialTokens);
  }

  /** Text of ids, exactly (special tokens kept, no clean-up). */
  decode(ids: number[]): Promise<string> {
    return this.backend.decode(ids);
  }

  /**
   * Prompt ids of a conversation through the model's chat template, ending with the generation prompt.
   * @throws EngineError `chat-template` when the model has none or rendering fails
   */
  async chatTokenize(messages: ChatMessage[]): Promise<number[]> {
    if (!this.info.hasChatTemplate || !this.backend.applyChatTemplate) throw new EngineError('chat-template', `${this.info.id} has no chat template`);
    return this.backend.applyChatTemplate(messages);
  }

  /**
   * As chatTokenize, choosing whether special-token strings typed in message text become special
   * tokens, with the positions of those that did (src/worker/chatTokenize.ts).
   * @throws EngineError `chat-template` when the model has none or rendering fails
   */
  async chatTokens(messages: ChatMessage[], allowSpecial: boolean): Promise<{ ids: number[]; injected: number[] }> {
    if (this.backend.chatTemplateTokens && this.info.hasChatTemplate) return this.backend.chatTemplateTokens(messages, allowSpecial);
    return { ids: await this.chatTokenize(messages), injected: [] };
  }

  /** decideStep with the end-of-turn token pinned in the record like EOS, so its probability is always shown; and the stop rule on the choice. */
  private decide(logits: Float32Array, input: StepInput): { record: DistributionRecord; choice: StepChoice | null; stop: boolean } {
    const eot = this.info.endOfTurnTokenId;
    // a top-N engine: the record shows at most the reported tokens, back on the engine's scale (topScores.ts)
    const rep = reportedOf(logits);
    // …and pins EOS / end-of-turn only when reported (an unreported token has no probability to show, not 0)
    const shown = (id: number | null) => (id !== null && (!rep || logits[id] !== UNREPORTED_SCORE) ? id : null);
    const asked = rep ? { ...input, topN: Math.min(input.topN, rep.count) } : input;
    const pinEot = shown(eot);
    let r = decideStep(logits, pinEot === null ? asked : { ...asked, extraIds: [...asked.extraIds, pinEot] }, shown(this.info.eosTokenId));
    if (rep) r = markTopRecord(r.record, r.choice, rep);
    return { ...r, stop: r.choice !== null && isStopToken(this.info, r.choice.tokenId) };
  }

  /** The constraint's mask after `ids` (the prompt is ids minus the path's generated tokens), null for none. */
  private async allowedAt(constraint: StepRequest['constraint'], ids: readonly number[], promptLength: number): Promise<Uint8Array | null> {
    if (!constraint || constraint.kind === 'none') return null;
    // a mask needs every token's bytes and score: a top-N server (vocabulary learnt as it appears) has neither
    if (this.backend.capabilities.vocabulary !== 'full') throw new EngineError('invalid-setting', 'a constraint needs the whole vocabulary; this engine reports only its top tokens');
    this.constraintMasks ??= new ConstraintMasks(this.info);
    return this.constraintMasks.allowedAt(constraint, ids, promptLength);
  }

  /**
   * The repetition penalty acts on raw logits (Hugging Face: positive divided, negative multiplied),
   * which an engine reporting only log-probabilities (a server) cannot give: refused there, never approximated.
   * @throws EngineError `invalid-setting`
   */
  private checkPenalty(repetitionPenalty: number): void {
    if (repetitionPenalty !== 1 && this.backend.capabilities.scores !== 'logits') {
      throw new EngineError('invalid-setting', 'the repetition penalty needs raw logits; this engine reports only log-probabilities');
    }
  }

  /**
   * Switches the readouts (attention and logit lens) on or off for the forwards that follow
   * (the attention view is open or closed, issue #20); off drops none of the readouts kept.
   */
  setReadouts(on: boolean): void {
    this.nodes.readoutsOn = on;
  }

  /**
   * The attention and logit-lens readout of node `path.at(-1)` (its newest position's query), kept
   * from its forward or recomputed from its parent's KV snapshot (NodeCache.readoutAt).
   * @throws EngineError `invalid-setting` when the model gives no attention
   */
  readout(path: number[], ids: number[]): Promise<Readout> {
    return this.enqueue(() => this.nodes.readoutAt(path, ids));
  }

  /** Node `path.at(-1)`'s readout if one is kept (never computes one). */
  heldReadout(path: number[], ids: number[]): Readout | null {
    return this.nodes.heldReadout(path, ids);
  }

  /** One generation step: the node's distribution record and (unless `choose` is 'none') the chosen token. */
  step(req: StepRequest): Promise<StepOutcome> {
    return this.enqueue(async () => {
      validateSamplingSettings(req.settings);
      this.checkPenalty(req.settings.repetitionPenalty);
      const { logits, ms, phase } = await this.nodes.logitsAt(req.path, req.ids);
      const allowed = await this.allowedAt(req.constraint, req.ids, req.ids.length - (req.path.length - 1));
      return { ...this.decide(logits, { ...req, allowed }), ms, phase };
    });
  }

  /**
   * Several steps in one request (protocol 'run'): each step as `step` computes it with choose = null,
   * streamed through `onStep`; ends after a stop token, after `count` steps, or when `cancelled()`
   * turns true between steps. @returns the number of steps taken
   */
  run(req: RunRequest, onStep: (r: StepOutcome & { choice: StepChoice }) => void, cancelled: () => boolean): Promise<number> {
    return this.enqueue(async () => {
      validateSamplingSettings(req.settings);
      this.checkPenalty(req.settings.repetitionPenalty);
      const path = req.path.slice();
      const ids = req.ids.slice();
      for (let k = 0; k < req.count; k++) {
        // let a 'cancel-run' message in between steps (a MessageChannel turn, ~0.05 ms)
        if (k > 0) await yieldToEvents();
        if (cancelled()) return k;
        const { logits, ms, phase } = await this.nodes.logitsAt(path, ids);
        const drawKey = req.strategy === 'sample' ? { seed: req.seed, depth: req.startDepth + k, reroll: k === 0 ? req.firstReroll : 0, stream: 0 } : null;
        const allowed = await this.allowedAt(req.constraint, ids, req.ids.length - (req.path.length - 1));
        const r = this.decide(logits, { ids, strategy: req.strategy, settings: req.settings, topN: req.topN, extraIds: req.extraIds, drawKey, choose: null, allowed });
        const choice = r.choice!;
        onStep({ ...r, choice, ms, phase });
        if (r.stop) return k + 1;
        path.push(req.nextNodeId + k);
        ids.push(choice.tokenId);
      }
      return req.count;
    });
  }

  /**
   * Speculative generation (issue #21) from `ids` on the target (and the attached draft model for
   * drafter `draft-model`), in the decoder's queue; its caches are its own and released at the end.
   */
  speculative(req: Extract<WorkerRequest, { type: 'speculative' }>): Promise<SpeculativeResult> {
    return this.enqueue(async () => {
      validateSamplingSettings(req.settings);
      return speculativeGenerateOn(this.backend, this.draft, {
        prompt: req.ids,
        maxNewTokens: req.maxNewTokens,
        strategy: req.strategy,
        settings: req.settings,
        spec: { drafter: req.drafter, k: req.k, seed: req.seed, reroll: 0 },
        startDepth: req.startDepth ?? 0,
        allowedAt: (ids) => this.allowedAt(req.constraint, ids, req.promptLength ?? req.ids.length),
      });
    });
  }

  /** Probability and rank of any token ids at a node, under the strategy's processors (the step's own math). */
  query(req: QueryRequest): Promise<TokenStat[]> {
    return this.enqueue(async () => {
      const { logits } = await this.nodes.logitsAt(req.path, req.ids);
      const allowed = await this.allowedAt(req.constraint, req.ids, req.ids.length - (req.path.length - 1));
      const stats = tokenStats(logits, req.ids, effectiveSettings(req.strategy, req.settings), req.tokenIds, allowed);
      // a top-N engine: model probabilities on the engine's scale (an unreported token: 0, "not reported")
      const rep = reportedOf(logits);
      if (rep) for (const st of stats) {
        st.prob *= rep.mass;
        st.logprob += Math.log(rep.mass);
      }
      return stats;
    });
  }

  /** Last-position logits of a node (Float32Array of length vocabSize), through the node cache. */
  nodeLogits(path: number[], ids: number[]): Promise<Float32Array> {
    return this.enqueue(async () => (await this.nodes.logitsAt(path, ids)).logits);
  }

  /**
   * Logits of a fresh forward over the whole sequence with no cache ([ids.length × vocabSize], row t
   * predicts token t + 1). For checks.
   */
  fullForward(ids: number[]): Promise<Float32Array> {
    return this.enqueue(async () => {
      const out = await this.backend.forward([{ prefix: null, tokens: ids }], { positions: 'all', keepCache: false });
      const row = out.rows[0];
      if (row.coverage !== 'full') throw new EngineError('invalid-setting', 'this backend reports only the top tokens');
      return row.values;
    });
  }

  /** One batched forward of several candidate next tokens on a node's cached prefix: one logits row per token. */
  branchLogits(path: number[], ids: number[], nextTokens: number[]): Promise<Float32Array[]> {
    return this.enqueue(async () => {
      const start = await this.nodes.startOf(path, ids);
      const out = await this.backend.forward(nextTokens.map((t) => ({ prefix: start.cache, tokens: [t] })), { keepCache: false });
      return out.rows.map((r) => positionScores(r, 0, this.info.vocabSize));
    });
  }

  /** Batched beam search from a node, each step streamed through `onStep` (see beamSearch.ts). */
  beam(req: BeamRequest, onStep: (r: BeamStepRecord) => void): Promise<BeamHypothesis[]> {
    return this.enqueue(() => {
      this.checkPenalty(req.settings.repetitionPenalty);
      return beamSearch(this.backend, this.nodes, req, onStep);
    });
  }

  /** N Monte-Carlo samples from a node's final distribution (the step's processors). */
  mcSample(req: McSampleRequest): Promise<McHistogram> {
    return this.enqueue(async () => {
      validateSamplingSettings(req.settings);
      const { logits } = await this.nodes.logitsAt(req.path, req.ids);
      const d = stageDistributions(logits, req.ids, req.settings);
      return monteCarloHistogram(d.rawProbs, d.finalProbs, req.n, req.seed, req.depth, req.topM);
    });
  }

  /** Asks a running mc-tree request to stop before its next level. */
  cancelMcTree(requestId: number): void {
    this.mcCancelled.add(requestId);
  }

  /** N continuations from a node merged into a tree (see continuations.ts). @throws EngineError `cancelled` */
  mcTree(req: McTreeRequest): Promise<McTreeNode[]> {
    return this.enqueue(async () => {
      try {
        return await continuationTree(this.backend, this.nodes, req, () => this.mcCancelled.has(req.id));
      } finally {
        this.mcCancelled.delete(req.id);
      }
    });
  }

  /** Teacher forcing over a text, with progress and cancel (see teacherForcing.ts). @throws EngineError `cancelled` */
  scoreText(text: string, hooks: ScoreHooks = {}): Promise<{ tokens: ScoredToken[]; windows: number }> {
    return this.enqueue(() => scoreText(this.backend, text, hooks));
  }

  /** Drops caches of the given nodes (or all), after every model call already queued. */
  forget(nodeIds: number[] | 'all'): Promise<void> {
    return this.enqueue(async () => this.nodes.forget(nodeIds));
  }

  /** Live engine tensors, snapshot bytes and counters (protocol 'stats-result'). */
  stats() {
    const b = this.backend.stats();
    const n = this.nodes.stats();
    return { liveTensors: b.liveTensors, forwardCount: b.forwardCount, disposedTwice: b.disposedTwice, ...n };
  }

  /** Frees every cache, then the backend. */
  async release(): Promise<void> {
    await this.forget('all');
    await this.backend.dispose();
    if (this.draft && this.draft !== this.backend) await this.draft.dispose();
  }
}
