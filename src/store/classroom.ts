/**
 * The classroom slice (Monte-Carlo sampling, predict-then-reveal quiz, class vote): its own
 * small zustand store beside the app store, and its actions. Numbers come from the worker
 * (through the controller) or from src/engine; nothing is computed here.
 *
 * Quiz answers and votes are keyed by the token sequence of the step they are about
 * (`sequenceKey`), so they stay attached to the right step when the tree is replaced.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { useStore } from 'zustand';
import { sequenceIds, type GenerationTree } from '../engine/tree.ts';
import type { McHistogram } from '../engine/monteCarlo.ts';
import type { McTreeNode } from '../engine/mcTree.ts';
import { EngineError } from '../engine/errors.ts';
import { appStore, useApp, type AppState } from './store.ts';
import { controller } from './controller.ts';
import { displayNodeOf } from './selectors.ts';

/** The Monte-Carlo sample sizes offered. */
export const MC_SIZES = [100, 1000, 10000] as const;

/** A quiz answer at one step. */
export interface QuizAnswer {
  /** The token the student picked. */
  pick: number;
  /** The most probable token (model probability) at that step. */
  top: number;
  /** The shortlist shown, in its shuffled order. */
  options: number[];
}

export interface ClassroomState {
  mcN: number;
  /** The last histogram, with the step (sequence key) and the settings/seed it was drawn under. */
  mc: { seqKey: string; settingsKey: string; histogram: McHistogram } | null;
  mcBusy: boolean;
  mcTreeN: number;
  mcTreeLength: number;
  mcTree: { seqKey: string; settingsKey: string; nodes: McTreeNode[] } | null;
  mcTreeBusy: boolean;
  quizOn: boolean;
  quizAnswers: Record<string, QuizAnswer>;
  quizScore: { right: number; total: number };
  voteOn: boolean;
  /** sequence key → token id → votes. */
  votes: Record<string, Record<number, number>>;
  /** sequence key → whether the model's distribution is shown. */
  voteRevealed: Record<string, boolean>;
}

export function initialClassroom(): ClassroomState {
  return {
    mcN: 1000,
    mc: null,
    mcBusy: false,
    mcTreeN: 100,
    mcTreeLength: 4,
    mcTree: null,
    mcTreeBusy: false,
    quizOn: false,
    quizAnswers: {},
    quizScore: { right: 0, total: 0 },
    voteOn: false,
    votes: {},
    voteRevealed: {},
  };
}

export const classroomStore: StoreApi<ClassroomState> = createStore<ClassroomState>()(() => initialClassroom());

/** React hook over the classroom store. */
export function useClassroom<T>(selector: (s: ClassroomState) => T): T {
  return useStore(classroomStore, selector);
}

/** Key of a step: the prompt and generated token ids of the node whose next token it is about. */
export function sequenceKey(tree: GenerationTree, nodeId: number): string {
  return sequenceIds(tree, nodeId).join(',');
}

/** Key of what the Monte-Carlo draws depend on besides the step: the sampling settings and the seed. */
export function mcSettingsKey(s: Pick<AppState, 'sampling' | 'seed'>): string {
  return JSON.stringify([s.sampling, s.seed]);
}

/**
 * The step the quiz asks about: the step the chart shows while it is unanswered (its bars stay
 * hidden), else the next step after the cursor.
 */
export function quizNodeOf(app: Pick<AppState, 'tree' | 'cursor'>, answers: Record<string, QuizAnswer>): number {
  const shown = displayNodeOf(app);
  return answers[sequenceKey(app.tree, shown)] ? app.cursor : shown;
}

/** True when quiz mode hides the chart's bars (the shown step is not answered yet). */
export function quizHidesChart(app: Pick<AppState, 'tree' | 'cursor'>, c: Pick<ClassroomState, 'quizOn' | 'quizAnswers'>): boolean {
  return c.quizOn && app.tree.promptIds.length > 0 && !c.quizAnswers[sequenceKey(app.tree, displayNodeOf(app))];
}

/** True while quiz or class-vote mode keeps the chart's bars hidden. */
export function chartHidden(app: Pick<AppState, 'tree' | 'cursor'>, c: Pick<ClassroomState, 'quizOn' | 'quizAnswers' | 'voteOn' | 'voteRevealed'>): boolean {
  if (quizHidesChart(app, c)) return true;
  const shown = displayNodeOf(app);
  return c.voteOn && shown === app.cursor && app.tree.promptIds.length > 0 && !c.voteRevealed[sequenceKey(app.tree, shown)];
}

/** React hook: `chartHidden` over both stores. */
export function useChartHidden(): boolean {
  const c = useClassroom((x) => x);
  return useApp((s) => chartHidden(s, c));
}

/** Quiz mode on or off. */
export function setQuizOn(quizOn: boolean): void {
  classroomStore.setState({ quizOn });
}

/** Class-vote mode on or off. */
export function setVoteOn(voteOn: boolean): void {
  classroomStore.setState({ voteOn });
}

/** Sample sizes of the Monte-Carlo panel (validated by its inputs). */
export function setMcOptions(patch: Partial<Pick<ClassroomState, 'mcN' | 'mcTreeN' | 'mcTreeLength'>>): void {
  classroomStore.setState(patch);
}

function reportError(e: unknown): void {
  if (e instanceof EngineError && e.code === 'cancelled') return;
  const err = e instanceof EngineError ? { code: e.code, message: e.message } : { code: 'unknown' as const, message: e instanceof Error ? e.message : String(e) };
  controller.reportError(err);
}

/** Draws N samples at the step the chart shows. */
export async function runMonteCarlo(): Promise<void> {
  const c = classroomStore.getState();
  if (c.mcBusy) return;
  const app = appStore.getState();
  const node = displayNodeOf(app);
  const seqKey = sequenceKey(app.tree, node);
  const settingsKey = mcSettingsKey(app);
  classroomStore.setState({ mcBusy: true });
  try {
    const histogram = await controller.monteCarlo(node, c.mcN);
    if (histogram) classroomStore.setState({ mc: { seqKey, settingsKey, histogram } });
  } catch (e) {
    reportError(e);
  } finally {
    classroomStore.setState({ mcBusy: false });
  }
}

/** Samples N continuations of length L from the step the chart shows. */
export async function runMonteCarloTree(): Promise<void> {
  const c = classroomStore.getState();
  if (c.mcTreeBusy) return;
  const app = appStore.getState();
  const node = displayNodeOf(app);
  const seqKey = sequenceKey(app.tree, node);
  const settingsKey = mcSettingsKey(app);
  classroomStore.setState({ mcTreeBusy: true });
  try {
    const nodes = await controller.monteCarloTree(node, c.mcTreeN, c.mcTreeLength);
    if (nodes) classroomStore.setState({ mcTree: { seqKey, settingsKey, nodes } });
  } catch (e) {
    reportError(e);
  } finally {
    classroomStore.setState({ mcTreeBusy: false });
  }
}

/** Records a quiz answer at the quiz's step and updates the score (once per step). */
export function answerQuiz(pick: number, top: number, options: number[]): void {
  const app = appStore.getState();
  const c = classroomStore.getState();
  const key = sequenceKey(app.tree, quizNodeOf(app, c.quizAnswers));
  if (c.quizAnswers[key]) return;
  classroomStore.setState({
    quizAnswers: { ...c.quizAnswers, [key]: { pick, top, options } },
    quizScore: { right: c.quizScore.right + (pick === top ? 1 : 0), total: c.quizScore.total + 1 },
  });
}

/** Sets the votes for a token at the cursor's next step (a whole number ≥ 0). */
/** Most votes one option can hold (a show of hands; keeps totals exact). */
export const MAX_VOTES = 1_000_000;

export function setVotes(tokenId: number, votes: number): void {
  if (!Number.isInteger(votes) || votes < 0 || votes > MAX_VOTES) throw new RangeError(`votes must be an integer in [0, ${MAX_VOTES}]: ${votes}`);
  const app = appStore.getState();
  const key = sequenceKey(app.tree, app.cursor);
  const c = classroomStore.getState();
  classroomStore.setState({ votes: { ...c.votes, [key]: { ...c.votes[key], [tokenId]: votes } } });
}

/** One more vote for a token at the cursor's next step. */
export function addVote(tokenId: number): void {
  const app = appStore.getState();
  const current = classroomStore.getState().votes[sequenceKey(app.tree, app.cursor)]?.[tokenId] ?? 0;
  if (current < MAX_VOTES) setVotes(tokenId, current + 1);
}

/** Clears the votes (and hides the model) at the cursor's next step. */
export function clearVotes(): void {
  const app = appStore.getState();
  const key = sequenceKey(app.tree, app.cursor);
  const c = classroomStore.getState();
  classroomStore.setState({ votes: { ...c.votes, [key]: {} }, voteRevealed: { ...c.voteRevealed, [key]: false } });
}

/** Shows or hides the model's distribution beside the class's at the cursor's next step. */
export function setVoteRevealed(revealed: boolean): void {
  const app = appStore.getState();
  const key = sequenceKey(app.tree, app.cursor);
  classroomStore.setState({ voteRevealed: { ...classroomStore.getState().voteRevealed, [key]: revealed } });
}
