/**
 * What every action module works on: the app store, the worker link, and the few values the actions
 * keep between calls that are not app state (timers, the play loop's token, the last chat). One
 * context per app (tests make their own); the action modules are plain functions over it.
 */
import { EngineError } from '../../engine/errors.ts';
import type { ChatMessage } from '../../domain/types.ts';
import type { AppError, AppState, AppStore } from '../store.ts';
import type { SessionFile } from '../sessionSchema.ts';
import { WorkerLink } from '../link.ts';

/** A request shows as busy (buttons disabled) only after this long (ms); fast steps never re-render for it. */
export const BUSY_SHOWN_AFTER_MS = 150;

/** An error as the store keeps it: engine errors keep their code, RangeErrors are invalid settings. */
export function toAppError(e: unknown): AppError {
  if (e instanceof EngineError) return { code: e.code, message: e.message };
  if (e instanceof RangeError) return { code: 'invalid-setting', message: e.message };
  return { code: 'unknown', message: e instanceof Error ? e.message : String(e) };
}

export class ActionContext {
  private busyTimer: ReturnType<typeof setTimeout> | null = null;
  /** Called after the main tree was replaced (reset, new prompt, opened session): compare mode restarts pane B. */
  readonly treeReplaced = new Set<() => void>();

  // values kept between calls, each owned by one action module
  /** step.ts: round trip and worker time of the last step request (bench), decode times of the last steps. */
  readonly perf = { lastStepRoundTripMs: 0, lastStepWorkerMs: 0, recentSteps: [] as number[] };
  /** run.ts: a running play loop ends when this changes. */
  readonly play = { token: 0 };
  /** prompt.ts: the conversation of the last chat mode, restored when chat mode is turned on again. */
  readonly chat = { last: null as ChatMessage[] | null };
  /**
   * session.ts: a session shown read-only (its model is not loaded), the autosave subscription and
   * timer, whether the next journal entry must hold the whole session (nothing saved holds it), and
   * whether changes are journaled at all (always, except while the bench measures the app without it).
   */
  readonly session = { pending: null as SessionFile | null, autosave: null as (() => void) | null, saveTimer: null as ReturnType<typeof setTimeout> | null, journalNeedsBase: true, journaling: true };
  /** classroom.ts: the running Monte-Carlo tree request. */
  readonly mc = { treeRequest: 0 };
  /** teacher.ts: the running score-text request (0: none). */
  readonly tf = { request: 0 };

  constructor(
    readonly store: AppStore,
    readonly link: WorkerLink,
  ) {}

  get s(): AppState {
    return this.store.getState();
  }

  /** The one writer of the app store for actions; `busyShown` follows `busy` after BUSY_SHOWN_AFTER_MS. */
  set(patch: Partial<AppState>): void {
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

  /** Replaces the tree (and whatever else `patch` sets): answers still out for the old tree become stale. */
  replaceTree(patch: Partial<AppState>): void {
    this.link.newTree();
    // a speculative run's rounds belong to the tree they were made in (a session file may bring its own)
    this.set({ specRun: null, ...patch });
    for (const f of this.treeReplaced) f();
  }

  /** A new action clears the last action's error, but not the notice that the worker was restarted. */
  keptError(): AppError | null {
    return this.s.error?.code === 'worker-crash' ? this.s.error : null;
  }
}
