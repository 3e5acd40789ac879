/**
 * The app's actions in one object: everything the UI (buttons, keyboard, lessons, share-link replay)
 * can ask for. Each method is one action module's function (src/store/actions/) applied to this
 * app's context (store + worker link); nothing is decided here. Tests make their own Controller over
 * their own store and worker client.
 */
import type { WorkerClient } from '../worker/client.ts';
import type { AnySource, ChatMessage, DevicePreference, Language, ModelSource } from '../domain/types.ts';
import type { CachedModel } from '../models/browserCache.ts';
import { appStore, type AppError, type AppStore } from './store.ts';
import { WorkerLink } from './link.ts';
import { ActionContext } from './actions/context.ts';
import * as model from './actions/model.ts';
import * as speculative from './actions/speculative.ts';
import * as prompt from './actions/prompt.ts';
import * as step from './actions/step.ts';
import * as run from './actions/run.ts';
import * as beam from './actions/beam.ts';
import * as settings from './actions/settings.ts';
import * as teacher from './actions/teacher.ts';
import * as session from './actions/session.ts';
import * as share from './actions/share.ts';
import * as classroom from './actions/classroom.ts';
import * as ui from './actions/ui.ts';
import * as attention from './actions/attention.ts';
import { shareFragment } from './selectors.ts';

export { BUSY_SHOWN_AFTER_MS } from './actions/context.ts';
export { currentKey, displayNodeOf, templateMessages } from './selectors.ts';
export type { SettingsPatch } from './actions/settings.ts';

export class Controller {
  /** The store, the worker link and the actions' own values; compare mode (compare.ts) shares it. */
  readonly ctx: ActionContext;

  /** @param makeClient a fresh worker client per model load (default: the real Web Worker, see WorkerLink) */
  constructor(store: AppStore = appStore, makeClient?: () => WorkerClient) {
    this.ctx = new ActionContext(store, new WorkerLink(makeClient));
  }

  // models (actions/model.ts)
  loadModel(source: AnySource, devicePref?: DevicePreference, fallbackReason: string | null = null) {
    return model.loadModel(this.ctx, source, devicePref, fallbackReason);
  }
  /** Connects to a model server as the engine (see actions/model.ts connectServer). */
  connectServer(url: string, modelName: string, apiKey: string, topN = 0) {
    return model.connectServer(this.ctx, url, modelName, apiKey, topN);
  }
  cancelLoad() {
    model.cancelLoad(this.ctx);
  }
  setDevicePref(devicePref: DevicePreference) {
    model.setDevicePref(this.ctx, devicePref);
  }
  refreshCachedModels() {
    return model.refreshCachedModels(this.ctx);
  }
  deleteCachedModel(m: Pick<CachedModel, 'modelId' | 'host'>) {
    return model.deleteCachedModel(this.ctx, m);
  }

  // prompt and chat (actions/prompt.ts)
  setPrompt(text: string, opts: { force?: boolean } = {}) {
    return prompt.setPrompt(this.ctx, text, opts);
  }
  setChat(chat: ChatMessage[] | null) {
    return prompt.setChat(this.ctx, chat);
  }
  toggleChat() {
    return prompt.toggleChat(this.ctx);
  }
  setChatAllowSpecial(on: boolean) {
    return prompt.setChatAllowSpecial(this.ctx, on);
  }
  restoreHistory(index: number) {
    return prompt.restoreHistory(this.ctx, index);
  }

  // steps (actions/step.ts, run.ts)
  ensureRecord(nodeId: number) {
    return step.ensureRecord(this.ctx, nodeId);
  }
  /** True when Step ▶ can do something (the selector `canAdvance` plus a live worker). */
  canAdvance() {
    return step.canAdvanceNow(this.ctx);
  }
  /** True when generation can continue from the cursor (the selector `canStep` plus a live worker). */
  canStep() {
    return step.canStepNow(this.ctx);
  }
  stepForward() {
    return step.stepForward(this.ctx);
  }
  stepBack() {
    step.stepBack(this.ctx);
  }
  jumpTo(nodeId: number) {
    return step.jumpTo(this.ctx, nodeId);
  }
  jumpHome() {
    step.jumpHome(this.ctx);
  }
  jumpEnd() {
    step.jumpEnd(this.ctx);
  }
  chooseToken(tokenId: number) {
    return step.chooseToken(this.ctx, tokenId);
  }
  appendToken(tokenId: number) {
    return step.appendToken(this.ctx, tokenId);
  }
  reroll() {
    return step.reroll(this.ctx);
  }
  reset() {
    return step.reset(this.ctx);
  }
  togglePlay() {
    return run.togglePlay(this.ctx);
  }
  runToEnd() {
    return run.runToEnd(this.ctx);
  }

  // beam (actions/beam.ts)
  runBeam() {
    return beam.runBeam(this.ctx);
  }
  setBeamViewStep(viewStep: number) {
    beam.setBeamViewStep(this.ctx, viewStep);
  }

  // settings and query (actions/settings.ts)
  /** @throws RangeError naming the invalid value */
  updateSettings(patch: settings.SettingsPatch) {
    return settings.updateSettings(this.ctx, patch);
  }
  /** As updateSettings, but an invalid value becomes the shown error. */
  applySettings(patch: settings.SettingsPatch) {
    return settings.applySettings(this.ctx, patch);
  }
  queryToken(text: string) {
    return settings.queryToken(this.ctx, text);
  }

  // speculative decoding (actions/speculative.ts)
  loadDraft(which: 'self' | ModelSource | null) {
    return speculative.loadDraft(this.ctx, which);
  }
  runSpeculative(drafter: 'prompt-lookup' | 'draft-model', k: number) {
    return speculative.runSpeculative(this.ctx, drafter, k);
  }

  // teacher forcing (actions/teacher.ts)
  scoreText(text: string) {
    return teacher.scoreText(this.ctx, text);
  }
  cancelScoreText() {
    teacher.cancelScoreText(this.ctx);
  }

  // session and persistence (actions/session.ts)
  restoreSession() {
    return session.restoreSession(this.ctx);
  }
  exportSession() {
    return session.exportSession(this.ctx);
  }
  importSession(text: string) {
    return session.importSession(this.ctx, text);
  }
  startSaving() {
    return session.startSaving(this.ctx);
  }
  saveNow() {
    return session.saveNow(this.ctx);
  }
  loadPendingModel() {
    return session.loadPendingModel(this.ctx);
  }
  newSession() {
    return session.newSession(this.ctx);
  }
  dismissSessionProblem() {
    session.dismissSessionProblem(this.ctx);
  }

  // share links (actions/share.ts)
  /** The current path as a share fragment (the selector `shareFragment`). */
  shareFragment() {
    return shareFragment(this.ctx.s);
  }
  openShared(hash: string) {
    return share.openShared(this.ctx, hash);
  }

  // classroom (actions/classroom.ts)
  monteCarlo(nodeId: number, n: number, topM = 50) {
    return classroom.monteCarlo(this.ctx, nodeId, n, topM);
  }
  monteCarloTree(nodeId: number, n: number, length: number) {
    return classroom.monteCarloTree(this.ctx, nodeId, n, length);
  }
  cancelMonteCarloTree() {
    classroom.cancelMonteCarloTree(this.ctx);
  }

  // view (actions/ui.ts)
  setLanguage(language: Language) {
    ui.setLanguage(this.ctx, language);
  }
  setPresenter(on: boolean) {
    ui.setPresenter(this.ctx, on);
  }
  setShowCard(on: boolean) {
    ui.setShowCard(this.ctx, on);
  }
  setStage(stage: number | null) {
    ui.setStage(this.ctx, stage);
  }
  /** The attention view (actions/attention.ts, issue #20). */
  setAttentionOpen(open: boolean) {
    return attention.setAttentionOpen(this.ctx, open);
  }
  pickAttention(layer: number, head: number | 'mean') {
    attention.pickAttention(layer, head);
  }
  loadReadout(nodeId: number) {
    return attention.loadReadout(this.ctx, nodeId);
  }
  setShowLogprob(on: boolean) {
    ui.setShowLogprob(this.ctx, on);
  }
  setSpeed(speedMs: number) {
    ui.setSpeed(this.ctx, speedMs);
  }
  reportError(error: AppError) {
    ui.reportError(this.ctx, error);
  }
  dismissError(which: 'error' | 'loadError') {
    ui.dismissError(this.ctx, which);
  }

  // benchmarks and tests: actions/bench.ts is a separate chunk, loaded on the first call (not in the main bundle)
  /** Round trip of the last step request (posted → result on the main thread), ms. */
  get lastStepRoundTripMs() {
    return this.ctx.perf.lastStepRoundTripMs;
  }
  /** Worker time of the last step request (forward + processors + record), ms. */
  get lastStepWorkerMs() {
    return this.ctx.perf.lastStepWorkerMs;
  }
  /** Round trip of the last worker request, ms. */
  get lastRoundTripMs() {
    return this.ctx.link.lastRoundTripMs;
  }
  freshRecord(ids: number[]) {
    return import('./actions/bench.ts').then((bench) => bench.freshRecord(this.ctx, ids));
  }
  benchRawDecode(reps: number, rows = 1) {
    return import('./actions/bench.ts').then((bench) => bench.benchRawDecode(this.ctx, reps, rows));
  }
  benchBeam(beamWidth: number, maxNewTokens: number) {
    return import('./actions/bench.ts').then((bench) => bench.benchBeam(this.ctx, beamWidth, maxNewTokens));
  }
  benchGenerate(maxNewTokens: number) {
    return import('./actions/bench.ts').then((bench) => bench.benchGenerate(this.ctx, maxNewTokens));
  }
  benchMask(vocabSize: number, steps: number, mode: 'follow' | 'worst') {
    return import('./actions/bench.ts').then((bench) => bench.benchMask(this.ctx, vocabSize, steps, mode));
  }
  benchMath(vocabSize: number, reps: number) {
    return import('./actions/bench.ts').then((bench) => bench.benchMath(this.ctx, vocabSize, reps));
  }
  /** Journaling of changes on or off (bench: P1 and P2 with and without the journal). */
  benchJournal(on: boolean) {
    return import('./actions/bench.ts').then((bench) => bench.benchJournal(this.ctx, on));
  }
  /** Makes the worker fail as a crash would (tests of the recovery path). */
  crashWorkerForTest() {
    this.ctx.link.crashForTest();
  }
  /** Live tensors and counters from the worker (tests and benchmarks). */
  stats() {
    return this.ctx.link.stats();
  }
}

/** The app's actions (one per page). */
export const controller = new Controller();
