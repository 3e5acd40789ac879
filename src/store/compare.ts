/**
 * Compare mode: pane A is the main session (its tree, cursor and settings); pane B is a second lane
 * on the same prompt, model and seed with its own settings and its own path. Pane B's steps go to
 * the same worker as pane A's (same ModelSession, same `decideStep` and beam code) on cache ids of
 * their own; nothing of pane B enters the generation tree, so the main session, its export and its
 * share link are unchanged by it.
 */
import { beamBestSoFar, firstDivergence } from '../engine/compare.ts';
import { generatedIds, pathTo } from '../engine/tree.ts';
import { HF_ORDER, DEFAULT_SAMPLING, processorOrder, validateBeamSettings, validateSamplingSettings, type SamplingSettings, type Strategy } from '../engine/settings.ts';
import type { DistributionRecord } from '../engine/distribution.ts';
import { controller as mainController, type Controller } from './controller.ts';
import { toAppError, type ActionContext } from './actions/context.ts';
import { StaleResult, type Ticket } from './link.ts';
import { appStore, DEFAULT_SETTINGS, type AppState, type AppStore, type CompareDivergence, type ComparePaneSettings, type CompareSlice } from './store.ts';

export type ComparePreset = Exclude<CompareSlice['compare']['preset'], 'custom'>;

/** The settings pairs the presets set: pane A (the main session) and pane B. */
export const COMPARE_PRESETS: Record<ComparePreset, { a: ComparePaneSettings; b: ComparePaneSettings }> = {
  temperature: { a: pane('sample', { temperature: 0.3 }), b: pane('sample', { temperature: 1.2 }) },
  'top-p-min-p': { a: pane('sample', { topP: 0.9 }), b: pane('sample', { minP: 0.1 }) },
  'greedy-beam': { a: pane('greedy', {}), b: { ...pane('beam', {}), beam: { ...DEFAULT_SETTINGS.beam, beamWidth: 3 } } },
};

function pane(strategy: Strategy, sampling: Partial<SamplingSettings>): ComparePaneSettings {
  return { strategy, sampling: { ...DEFAULT_SAMPLING, order: HF_ORDER, ...sampling }, orderName: 'hf', beam: { ...DEFAULT_SETTINGS.beam } };
}

/** One pane's generated tokens as shown, with the model probability of each (beam: from the beam's scores). */
export interface PaneTokens {
  tokens: number[];
  probs: number[];
  /** Beam panes: true once the shown hypothesis is the search's final best. */
  final: boolean;
}

/**
 * Pane A's tokens: the path to the cursor; under beam search, the best hypothesis so far at the
 * beam step shown (appended to the path where the search started).
 */
export function paneATokens(s: Pick<AppState, 'tree' | 'cursor' | 'strategy' | 'beamRun'>): PaneTokens {
  const run = s.beamRun;
  if (s.strategy === 'beam' && run && run.steps.length > 0 && s.tree.nodes[run.startNode]) {
    const path = pathTo(s.tree, run.startNode).slice(1);
    const best = beamBestSoFar(run.steps, Math.min(Math.max(0, run.viewStep), run.steps.length - 1));
    return {
      tokens: [...generatedIds(s.tree, run.startNode), ...best.tokens],
      probs: [...path.map((id) => s.tree.nodes[id].edge!.prob), ...best.logprobs.map(Math.exp)],
      final: best.final && run.hypotheses !== null,
    };
  }
  const path = pathTo(s.tree, s.cursor).slice(1);
  return { tokens: path.map((id) => s.tree.nodes[id].edge!.tokenId), probs: path.map((id) => s.tree.nodes[id].edge!.prob), final: false };
}

/**
 * True when pane A's path holds tokens kept by speculative rounds (their draws are on the
 * speculative streams, so pane A and pane B do not share u at those steps).
 */
export function paneAHasSpeculative(s: Pick<AppState, 'tree' | 'cursor'>): boolean {
  for (let n = s.tree.nodes[s.cursor]; n && n.edge; n = s.tree.nodes[n.parent ?? -1]) if (n.edge.method === 'speculative') return true;
  return false;
}

/** Pane B's tokens: its own steps, or (beam search) the best hypothesis so far at the beam step shown. */
export function paneBTokens(s: Pick<AppState, 'compare'>): PaneTokens {
  const c = s.compare;
  if (c.b.strategy === 'beam') {
    if (!c.beam || c.beam.viewStep < 0 || c.beam.steps.length === 0) return { tokens: [], probs: [], final: false };
    const best = beamBestSoFar(c.beam.steps, Math.min(c.beam.viewStep, c.beam.steps.length - 1));
    return { tokens: best.tokens, probs: best.logprobs.map(Math.exp), final: best.final && c.beam.hypotheses !== null };
  }
  return { tokens: c.steps.map((x) => x.tokenId), probs: c.steps.map((x) => x.prob), final: false };
}

/** The first 0-based generated-token index where the panes differ, or null. */
export function compareDivergenceStep(s: AppState): number | null {
  return firstDivergence(paneATokens(s).tokens, paneBTokens(s).tokens);
}

/** The sampling settings a worker step uses for a pane (beam: its repetition penalty). */
function stepSettingsOf(p: ComparePaneSettings): SamplingSettings {
  return p.strategy === 'beam' ? { ...p.sampling, repetitionPenalty: p.beam.repetitionPenalty } : p.sampling;
}

/**
 * Compare mode's actions over the app store: pane A's steps are the main session's actions; pane
 * B's go through the same worker link on its lane B. Results that arrive after pane B restarted
 * (settings change, reset, new prompt) are dropped.
 */
export class CompareController {
  /** Pane B's lane as of its last restart: work taken under an older one is dropped. */
  private lane: Ticket;
  private readonly ctx: ActionContext;
  private readonly main: Controller;

  /** @param _store kept for callers that name it: pane B uses the main controller's store */
  constructor(_store: AppStore = appStore, main: Controller = mainController) {
    this.main = main;
    this.ctx = main.ctx;
    this.lane = this.ctx.link.ticket();
    this.ctx.treeReplaced.add(() => void this.resetB());
  }

  private get s(): AppState {
    return this.ctx.s;
  }

  private setC(patch: Partial<CompareSlice['compare']>): void {
    this.ctx.set({ compare: { ...this.s.compare, ...patch } });
  }

  /** @throws StaleResult when pane B restarted or the main tree was replaced since `lane` was taken */
  private check(lane: Ticket): void {
    this.ctx.link.checkB(lane);
  }

  /** Compare mode on or off; pane B starts empty either way. */
  async toggle(): Promise<void> {
    const on = !this.s.compare.on;
    await this.resetB();
    this.setC({ on });
  }

  /**
   * Applies a preset: pane A's settings go to the main session (its cursor returns to the prompt;
   * the tree is kept), pane B's to pane B, which restarts.
   * @throws RangeError when the main session refuses the settings (read-only session)
   */
  async applyPreset(name: ComparePreset): Promise<void> {
    const p = COMPARE_PRESETS[name];
    await this.main.updateSettings({ strategy: p.a.strategy, sampling: p.a.sampling, orderName: p.a.orderName, beam: p.a.beam });
    this.ctx.set({ beamRun: null });
    await this.main.jumpTo(0);
    await this.resetB();
    this.setC({ preset: name, b: p.b });
  }

  /**
   * Changes pane B's settings (validated first); pane B restarts and replays up to pane A's length.
   * @throws RangeError naming the invalid value
   */
  async updateB(patch: Partial<ComparePaneSettings>): Promise<void> {
    const b = { ...this.s.compare.b, ...patch };
    if (patch.orderName) b.sampling = { ...b.sampling, order: processorOrder(patch.orderName) };
    validateSamplingSettings(b.sampling);
    validateBeamSettings(b.beam);
    await this.resetB();
    this.setC({ b, preset: 'custom' });
    const lenA = paneATokens(this.s).tokens.length;
    if (lenA > 0) await this.run(() => this.advanceB(lenA));
  }

  /** Drops pane B's path (and its worker caches). */
  async resetB(): Promise<void> {
    const forgotten = this.ctx.link.restartB(this.s.compare.steps.length);
    this.lane = this.ctx.link.ticket();
    this.setC({ steps: [], stop: null, beam: null, divergence: null, busy: false, error: null });
    await forgotten;
  }

  /** True when pane B can take another token. */
  canStepB(): boolean {
    const s = this.s;
    const c = s.compare;
    if (!this.ctx.link.ready || s.readOnly || s.promptError || s.tree.promptIds.length === 0) return false;
    if (c.b.strategy === 'beam') return !c.beam || c.beam.viewStep < c.beam.steps.length - 1 || c.beam.hypotheses === null;
    return c.stop === null && c.steps.length < s.maxNewTokens;
  }

  /** Runs pane B work with the busy flag and error handling; a result overtaken by a restart is dropped. */
  private async run(work: () => Promise<void>): Promise<void> {
    this.setC({ busy: true, error: null });
    try {
      await work();
    } catch (e) {
      if (!(e instanceof StaleResult)) this.setC({ error: toAppError(e) });
    } finally {
      if (this.s.compare.busy) this.setC({ busy: false });
    }
  }

  /**
   * Step both ▶: pane A takes its next step (the main session's Step ▶), then pane B takes steps
   * until it has as many tokens as pane A (one step when pane A could not move), then the
   * distributions at the first divergence are fetched.
   */
  async stepBoth(): Promise<void> {
    if (this.s.busy || this.s.compare.busy || !this.s.compare.on) return;
    const before = paneATokens(this.s).tokens.length;
    if (this.main.canAdvance()) await this.main.stepForward();
    const lenA = paneATokens(this.s).tokens.length;
    const lenB = paneBTokens(this.s).tokens.length;
    await this.run(async () => {
      await this.advanceB(lenA > before ? Math.max(lenA, lenB) : lenB + 1);
      await this.fetchDivergence();
    });
  }

  /** Back ◀ both: pane A steps back (beam: one beam step back), pane B is cut to pane A's length. */
  async backBoth(): Promise<void> {
    if (this.s.busy || this.s.compare.busy || !this.s.compare.on) return;
    const run = this.s.beamRun;
    if (this.s.strategy === 'beam' && run?.hypotheses && run.viewStep > 0) this.main.setBeamViewStep(run.viewStep - 1);
    else this.main.stepBack();
    const lenA = paneATokens(this.s).tokens.length;
    const c = this.s.compare;
    if (c.b.strategy === 'beam') {
      if (c.beam) this.setC({ beam: { ...c.beam, viewStep: Math.min(c.beam.viewStep, lenA - 1) } });
    } else if (c.steps.length > lenA) {
      this.setC({ steps: c.steps.slice(0, lenA), stop: null });
      await this.ctx.link.truncateB(c.steps.length, lenA);
    }
    await this.run(() => this.fetchDivergence());
  }

  /** Pane B takes steps until it shows `target` tokens or cannot go on. */
  private async advanceB(target: number): Promise<void> {
    const lane = this.lane;
    this.check(lane);
    if (this.s.compare.b.strategy === 'beam') {
      if (!this.s.compare.beam) await this.runBeamB(lane);
      const beam = this.s.compare.beam!;
      this.setC({ beam: { ...beam, viewStep: Math.min(Math.max(target - 1, beam.viewStep), beam.steps.length - 1) } });
      return;
    }
    while (this.s.compare.steps.length < target && this.canStepB()) await this.stepB(lane);
  }

  /** One greedy or sampling step of pane B through the worker (`decideStep`, the same as pane A's steps). */
  private async stepB(lane: Ticket): Promise<void> {
    const s = this.s;
    const c = s.compare;
    const depth = c.steps.length;
    const tokens = c.steps.map((x) => x.tokenId);
    const r = await this.ctx.link.stepB(s.tree, tokens, {
      strategy: c.b.strategy,
      settings: stepSettingsOf(c.b),
      topN: s.topN,
      extraIds: [],
      // the same key pane A uses at this depth (no re-rolls): same seed and step, same u
      drawKey: c.b.strategy === 'sample' ? { seed: s.seed, depth, reroll: 0, stream: 0 } : null,
      choose: null,
    });
    this.check(lane);
    const choice = r.choice!;
    const info = this.s.info!;
    const n = depth + 1;
    const ids = [...s.tree.promptIds, ...tokens];
    // the worker's one stop rule (EOS or the end-of-turn token) decides the end, as for pane A
    const stop = r.stop ? 'eos' : n >= this.s.maxNewTokens || ids.length + 1 >= info.contextLength ? 'max-length' : null;
    const next = this.s.compare;
    this.ctx.set({
      forwardCount: r.forwardCount,
      compare: { ...next, steps: [...next.steps, { tokenId: choice.tokenId, prob: choice.prob, finalProb: choice.finalProb, u: choice.u, record: r.record }], stop },
    });
  }

  /** Pane B's batched beam search from the prompt (the worker's beam code); its steps are shown one per Step both. */
  private async runBeamB(lane: Ticket): Promise<void> {
    const s = this.s;
    this.setC({ beam: { steps: [], hypotheses: null, viewStep: -1 } });
    const done = await this.ctx.link.beamB(s.tree, s.compare.b.beam, s.maxNewTokens, (m) => {
      if (m.type !== 'beam-step' || !this.ctx.link.isCurrentB(lane)) return;
      const beam = this.s.compare.beam!;
      this.setC({ beam: { ...beam, steps: [...beam.steps, m.record] } });
    });
    this.check(lane);
    this.ctx.set({ forwardCount: done.forwardCount });
    this.setC({ beam: { ...this.s.compare.beam!, hypotheses: done.hypotheses } });
  }

  /**
   * Both panes' distributions at the first divergence: one fresh step request per pane on the
   * shared prefix (prompt + the tokens both panes agree on) with that pane's settings, on a scratch
   * cache id dropped afterwards. Both panes' tokens are always in both records. Pane A's record uses
   * the main session's current settings (its tokens may have been chosen under earlier ones); u is
   * the draw each pane actually used at that step (null for greedy, beam and hand-picked tokens).
   */
  private async fetchDivergence(): Promise<void> {
    const lane = this.lane;
    const s = this.s;
    const a = paneATokens(s).tokens;
    const b = paneBTokens(s).tokens;
    const d = firstDivergence(a, b);
    if (d === null) {
      if (s.compare.divergence) this.setC({ divergence: null });
      return;
    }
    const have = s.compare.divergence;
    if (have && have.step === d && have.a.tokenId === a[d] && have.b.tokenId === b[d] && have.a.record && have.b.record) return;
    const ids = [...s.tree.promptIds, ...a.slice(0, d)];
    const mainPane: ComparePaneSettings = { strategy: s.strategy, sampling: s.sampling, orderName: s.orderName, beam: s.beam };
    const recA = await this.recordAt(ids, mainPane, [a[d], b[d]]);
    const recB = await this.recordAt(ids, s.compare.b, [a[d], b[d]]);
    this.check(lane);
    const aPath = pathTo(this.s.tree, this.s.cursor);
    const uA = s.strategy === 'sample' && aPath[d + 1] !== undefined ? (this.s.tree.nodes[aPath[d + 1]].edge?.u ?? null) : null;
    const uB = s.compare.b.strategy === 'sample' ? (s.compare.steps[d]?.u ?? null) : null;
    const divergence: CompareDivergence = { step: d, a: { tokenId: a[d], record: recA, u: uA }, b: { tokenId: b[d], record: recB, u: uB } };
    this.setC({ divergence });
  }

  private async recordAt(ids: number[], p: ComparePaneSettings, extraIds: number[]): Promise<DistributionRecord> {
    const r = await this.ctx.link.scratchStep(ids, { strategy: p.strategy, settings: stepSettingsOf(p), topN: this.s.topN, extraIds, drawKey: null });
    this.ctx.set({ forwardCount: r.forwardCount });
    return r.record;
  }
}

export const compareController = new CompareController();
