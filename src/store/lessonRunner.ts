/**
 * Runs lessons (src/lessons) on the app: "Next" performs a step's actions through the controller,
 * "Back" rebuilds the previous step's state by replaying the lesson from its start (every action is
 * deterministic: greedy, seeded draws, beam search), so Back never depends on what the user did in
 * between. Lesson position lives in its own small store; the app state stays in the app store.
 */
import { attentionStore, readoutKey } from './attention.ts';
import type { Readout } from '../decoder/readout.ts';
import type { AnySource, ModelInfo } from '../domain/types.ts';
import { createStore, type StoreApi } from 'zustand/vanilla';
import { useStore } from 'zustand';
import { displayTokens } from '../engine/tokens.ts';
import { sequenceIds } from '../engine/tree.ts';
import { LESSONS, lessonById } from '../lessons/index.ts';
import { evaluateClaim, type ClaimContext, type ClaimResult } from '../lessons/claims.ts';
import type { Lesson, LessonAction, LessonStep, RegionId } from '../lessons/types.ts';
import { EMBEDDED_MODEL } from '../config.ts';
import { appStore, DEFAULT_SETTINGS, type AppState, type AppStore, type SettingsSlice } from './store.ts';
import { setQuizOn, setVoteOn } from './classroom.ts';
import { compareController } from './compare.ts';
import { controller as defaultController, type Controller } from './controller.ts';
import { displayNodeOf } from './selectors.ts';

/** Where the lesson panel is. */
export interface LessonState {
  /** The lesson panel is open (list or a running lesson). */
  open: boolean;
  /** The running lesson, null while the list is shown. */
  lessonId: string | null;
  /** 0-based index of the current step. */
  step: number;
  /** True while a step's actions (or a replay for Back) are running. */
  running: boolean;
  /** The region the current step talks about. */
  region: RegionId | null;
  /** Forward-pass counter when the current step's own actions started. */
  forwardBase: number;
  /** A failed action's message (e.g. the model is not ready), null when fine. */
  problem: string | null;
}

export const lessonStore: StoreApi<LessonState> = createStore<LessonState>()(() => ({
  open: false,
  lessonId: null,
  step: 0,
  running: false,
  region: null,
  forwardBase: 0,
  problem: null,
}));

/** React hook over the lesson store. */
export function useLesson<T>(selector: (s: LessonState) => T): T {
  return useStore(lessonStore, selector);
}

/** Resolves once the app has no request in flight. */
function idle(store: AppStore): Promise<void> {
  if (!store.getState().busy) return Promise.resolve();
  return new Promise((resolve) => {
    const off = store.subscribe((s) => {
      if (!s.busy) {
        off();
        resolve();
      }
    });
  });
}

/** The shown step's attention readout (issue #20) and token ids, from the attention view's store. */
function shownReadout(s: AppState, shown: number): { readout: Readout | null; shownIds: number[] } {
  if (!s.info || !s.tree.promptIds.length || !s.tree.nodes[shown]) return { readout: null, shownIds: [] };
  const shownIds = sequenceIds(s.tree, shown);
  return { readout: attentionStore.getState().readouts.get(readoutKey(s.info.id, shownIds)) ?? null, shownIds };
}

/** Builds what claims look at from the app state. */
export function claimContext(s: AppState, forwardBase: number): ClaimContext {
  const info = s.info;
  const shown = displayNodeOf(s);
  const ids = s.tree.promptIds.length ? sequenceIds(s.tree, s.cursor) : [];
  const bytes = (id: number) => (info && !info.special[id] ? info.vocabBytes.subarray(info.vocabOffsets[id], info.vocabOffsets[id + 1]) : null);
  const shownTokens = info ? displayTokens(ids.map(bytes)) : [];
  // a token's own text (not what it completes), to compare spellings such as "the" and " the"
  const own = info ? ids.map((id) => displayTokens([bytes(id) ?? new Uint8Array(0)])[0]) : [];
  return {
    tree: s.tree,
    cursor: s.cursor,
    record: s.records[shown]?.record ?? null,
    eosTokenId: info?.eosTokenId ?? null,
    pathTokens: ids.map((id, i) => ({ id, text: own[i]?.rawText ?? '', partial: shownTokens[i]?.partial ?? false })),
    beamRun: s.beamRun,
    teacherTokens: s.tf ? s.tf.tokens.length : null,
    forwardPasses: s.forwardCount - forwardBase,
    specRun: s.specRun ? { startNode: s.specRun.startNode, tokens: s.specRun.tokens, targetForwards: s.specRun.targetForwards, accepted: s.specRun.rounds.reduce((a, r) => a + r.accepted, 0) } : null,
    ...shownReadout(s, shown),
  };
}

/** Is the embedded model (the one the lessons are written for) the loaded one? */
function isEmbedded(info: ModelInfo | null): boolean {
  return !!info && info.sourceKind === 'embedded' && info.id === EMBEDDED_MODEL;
}

/** Drives lessons; one per app. */
export class LessonRunner {
  /** Bumped by every navigation: a replay that is overtaken stops between actions. */
  private generation = 0;

  constructor(
    private readonly store: AppStore = appStore,
    private readonly ctl: Controller = defaultController,
    readonly lessons: readonly Lesson[] = LESSONS,
  ) {}

  private get lesson(): Lesson | null {
    const id = lessonStore.getState().lessonId;
    return id ? (this.lessons.find((l) => l.id === id) ?? lessonById(id) ?? null) : null;
  }

  /**
   * The user's prompt and settings before the first lesson ran, brought back when the panel closes;
   * with another model than the embedded one (a server, a Hub model, a folder), also that model and the
   * whole session (the lessons load the embedded model, which replaces both): reloaded and reimported.
   */
  private saved: { prompt: string; settings: SettingsSlice; source: AnySource | null; session: string | null } | null = null;

  /** Opens or closes the lesson panel; closing brings back the prompt and settings the user had before. */
  async toggle(): Promise<void> {
    const open = !lessonStore.getState().open;
    this.generation++;
    lessonStore.setState({ open, lessonId: null, step: 0, region: null, running: false, problem: null });
    if (!open) await this.restoreUserState();
  }

  private async restoreUserState(): Promise<void> {
    const saved = this.saved;
    this.saved = null;
    if (!saved) return;
    await idle(this.store);
    if (saved.source && saved.session && isEmbedded(this.store.getState().info)) {
      // a lesson replaced the user's model (and with it the session): load it again
      await this.ctl.loadModel(saved.source);
      const now = this.store.getState();
      // reloaded (a server reconnected, a cached Hub model): the session comes back as it was
      if (now.status === 'ready' && !isEmbedded(now.info)) await this.ctl.importSession(saved.session);
      return;
    }
    if (this.store.getState().readOnly) return;
    await this.ctl.updateSettings({ ...saved.settings });
    const s = this.store.getState();
    if (s.prompt === saved.prompt) return;
    // the user's tree went to the prompt history when the lesson typed its first prompt
    const i = s.history.findIndex((h) => h.prompt === saved.prompt);
    if (i >= 0) await this.ctl.restoreHistory(i);
    else await this.ctl.setPrompt(saved.prompt);
  }

  /** Starts a lesson at its first step (quiz, class vote and compare mode are switched off: they change what the steps show). */
  async start(id: string): Promise<void> {
    if (!this.lessons.some((l) => l.id === id)) throw new RangeError(`no lesson ${id}`);
    if (!this.saved) {
      const s = this.store.getState();
      const { strategy, sampling, orderName, beam, seed, maxNewTokens, topN, constraint } = s;
      const own = s.source && !isEmbedded(s.info) ? s.source : null;
      this.saved = { prompt: s.prompt, settings: { strategy, sampling, orderName, beam, seed, maxNewTokens, topN, constraint }, source: own, session: own ? this.ctl.exportSession() : null };
    }
    lessonStore.setState({ open: true, lessonId: id, step: 0, problem: null });
    setQuizOn(false);
    setVoteOn(false);
    if (this.store.getState().compare.on) await compareController.toggle();
    await this.goTo(0);
  }

  /** Back to the lesson list. */
  leave(): void {
    this.generation++;
    lessonStore.setState({ lessonId: null, step: 0, region: null, running: false, problem: null });
  }

  /** The app state a finished step left (model, prompt, tree, cursor, settings, scored text). */
  private fingerprint(): string {
    const s = this.store.getState();
    const { strategy, sampling, beam, seed, maxNewTokens, topN, constraint } = s;
    return JSON.stringify([s.info?.sourceKind, s.info?.id, s.prompt, s.tree.nodes.length, s.cursor, s.tf?.text ?? null, strategy, sampling, beam, seed, maxNewTokens, topN, constraint ?? null]);
  }

  /** The fingerprint when the current step's actions finished; null while none has. */
  private settledAs: string | null = null;

  /**
   * Next: performs the next step's actions. When the app was changed by hand since the current
   * step (another model, prompt, token or setting), the lesson is replayed up to the next step
   * instead, so the step always shows what its text says. At the last step it does nothing.
   */
  async next(): Promise<void> {
    const l = this.lesson;
    const st = lessonStore.getState();
    if (!l || st.running || st.step >= l.steps.length - 1) return;
    if (this.settledAs !== this.fingerprint()) return this.goTo(st.step + 1);
    const gen = ++this.generation;
    const step = st.step + 1;
    this.settledAs = null;
    lessonStore.setState({ step, running: true, region: l.steps[step].region, problem: null });
    await this.perform(l.steps[step], gen);
  }

  /** Back: rebuilds the state of the previous step. */
  async back(): Promise<void> {
    const st = lessonStore.getState();
    if (!this.lesson || st.running || st.step === 0) return;
    await this.goTo(st.step - 1);
  }

  /** Replays the lesson from its start up to and including step `k`. */
  private async goTo(k: number): Promise<void> {
    const l = this.lesson;
    if (!l) return;
    const gen = ++this.generation;
    this.settledAs = null;
    lessonStore.setState({ step: k, running: true, region: l.steps[k].region, problem: null });
    try {
      await idle(this.store);
      // lessons are written for the embedded model: load it when another one is in use
      const info = this.store.getState().info;
      if (!isEmbedded(info)) await this.ctl.loadModel({ kind: 'embedded', name: EMBEDDED_MODEL });
      // a session recorded with another model is shown read-only: leave it for a fresh one
      if (this.store.getState().readOnly) await this.ctl.setPrompt(this.store.getState().prompt, { force: true });
      if (gen !== this.generation) return;
      // a lesson starts from the default settings with greedy decoding (the lessons are written for
      // it; sampling is the app's default); its first prompt action makes a fresh tree (the
      // user's tree goes to the prompt history, where closing the lessons finds it again)
      this.store.setState({ tf: null, query: null, stage: null, specRun: null });
      await this.ctl.updateSettings({ ...DEFAULT_SETTINGS, strategy: 'greedy', orderName: 'hf', constraint: undefined });
      for (let i = 0; i < k; i++) {
        for (const a of l.steps[i].actions) {
          if (gen !== this.generation) return;
          await this.act(a);
        }
      }
    } catch (e) {
      if (gen === this.generation) lessonStore.setState({ running: false, problem: e instanceof Error ? e.message : String(e) });
      return;
    }
    await this.perform(l.steps[k], gen);
  }

  /** Performs one step's own actions, counting forward passes from their start. */
  private async perform(step: LessonStep, gen: number): Promise<void> {
    try {
      await idle(this.store);
      lessonStore.setState({ forwardBase: this.store.getState().forwardCount });
      for (const a of step.actions) {
        if (gen !== this.generation) return;
        await this.act(a);
      }
      await idle(this.store);
      const err = this.store.getState().error;
      if (gen === this.generation) {
        this.settledAs = this.fingerprint();
        lessonStore.setState({ running: false, problem: err ? err.message : null });
      }
    } catch (e) {
      if (gen === this.generation) lessonStore.setState({ running: false, problem: e instanceof Error ? e.message : String(e) });
    }
  }

  private async act(a: LessonAction): Promise<void> {
    const ctl = this.ctl;
    await idle(this.store);
    const s = this.store.getState();
    switch (a.do) {
      case 'prompt':
        this.store.setState({ tf: null });
        await ctl.setPrompt(a.textHant !== undefined && s.language === 'zh-Hant' ? a.textHant : a.text, { force: true });
        return;
      case 'settings':
        await ctl.updateSettings({
          ...(a.strategy ? { strategy: a.strategy } : {}),
          ...(a.sampling ? { sampling: { ...s.sampling, ...a.sampling } } : {}),
          ...(a.beam ? { beam: { ...s.beam, ...a.beam } } : {}),
          ...(a.seed !== undefined ? { seed: a.seed } : {}),
          ...(a.maxNewTokens !== undefined ? { maxNewTokens: a.maxNewTokens } : {}),
          ...(a.constraint !== undefined ? { constraint: a.constraint ?? undefined } : {}),
        });
        return;
      case 'speculative':
        await ctl.runSpeculative(a.drafter, a.k);
        return;
      case 'step':
        // with beam search a step runs a new search (Step ▶ would walk through a finished one)
        if (s.strategy === 'beam') {
          await ctl.runBeam();
          // a lesson talks about the finished search: show all of it (Step ▶ reveals it step by step)
          const run = this.store.getState().beamRun;
          if (run?.hypotheses) ctl.setBeamViewStep(run.steps.length - 1);
          return;
        }
        for (let i = 0; i < a.count; i++) {
          await idle(this.store);
          await ctl.stepForward();
        }
        return;
      case 'back':
        for (let i = 0; i < a.count; i++) ctl.stepBack();
        await idle(this.store);
        await ctl.ensureRecord(displayNodeOf(this.store.getState()));
        return;
      case 'home':
        await ctl.jumpTo(0);
        return;
      case 'choose-rank': {
        await ctl.ensureRecord(displayNodeOf(this.store.getState()));
        const rec = this.store.getState().records[displayNodeOf(this.store.getState())]?.record;
        if (!rec || rec.tokenIds.length < a.rank) throw new RangeError(`no token of rank ${a.rank} is shown`);
        await ctl.chooseToken(rec.tokenIds[a.rank - 1]);
        return;
      }
      case 'run-to-end':
        await ctl.runToEnd();
        return;
      case 'play-then-pause': {
        const target = this.store.getState().tree.nodes[this.store.getState().cursor].depth + a.steps;
        let loop: Promise<void> = Promise.resolve();
        await new Promise<void>((resolve) => {
          const off = this.store.subscribe((st) => {
            const n = st.tree.nodes[st.cursor];
            if (!st.playing || (n && n.depth >= target && !st.busy)) {
              off();
              // pausing here, between steps, marks the stop as the user's
              if (st.playing) void ctl.togglePlay();
              resolve();
            }
          });
          loop = ctl.togglePlay();
        });
        await loop;
        return;
      }
      case 'teacher':
        await ctl.scoreText(a.text);
        return;
      case 'attention': {
        await ctl.setAttentionOpen(true);
        ctl.pickAttention(a.layer, a.head);
        await idle(this.store);
        const st = this.store.getState();
        await ctl.ensureRecord(displayNodeOf(st));
        await ctl.loadReadout(displayNodeOf(this.store.getState()));
        return;
      }
    }
  }

  /** The current step's claims, evaluated on the app state now. */
  claims(s: AppState = this.store.getState()): { claim: LessonStep['claims'][number]; result: ClaimResult }[] {
    const l = this.lesson;
    if (!l) return [];
    const st = lessonStore.getState();
    const ctx = claimContext(s, st.forwardBase);
    return l.steps[st.step].claims.map((claim) => ({ claim, result: evaluateClaim(claim, ctx) }));
  }
}

export const lessonRunner = new LessonRunner();
