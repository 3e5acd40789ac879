/**
 * View state that changes what is shown, never what is computed: the student view (engineering
 * details hidden), the slim header's menu, the welcome line, the confirmation before "New session",
 * and what a beam search reveals at the beam step shown. Kept apart from the app store so the
 * decoding state and its actions (controller) stay untouched by presentation choices.
 */
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { AppState } from './store.ts';

export interface ViewState {
  /** Hide device, threads, isolation, forward passes, tokens/s and processor order (true by default). */
  studentView: boolean;
  /** The slim header (presenter mode, phones) shows its full menu. */
  menuOpen: boolean;
  /** The welcome line was closed (remembered in localStorage). */
  welcomeClosed: boolean;
  /** "New session" was pressed once and waits for a confirmation. */
  confirmNewSession: boolean;
}

const STUDENT_KEY = 'token-by-token:student-view';
const WELCOME_KEY = 'token-by-token:welcome-closed';

function readFlag(key: string, fallback: boolean): boolean {
  try {
    const v = localStorage.getItem(key);
    return v === null ? fallback : v === 'true';
  } catch {
    return fallback;
  }
}

function writeFlag(key: string, value: boolean): void {
  try {
    localStorage.setItem(key, String(value));
  } catch {
    // storage may be unavailable (private mode): the choice lasts for this page only
  }
}

export const viewStore = createStore<ViewState>()(() => ({
  studentView: typeof localStorage === 'undefined' ? true : readFlag(STUDENT_KEY, true),
  menuOpen: false,
  welcomeClosed: typeof localStorage === 'undefined' ? false : readFlag(WELCOME_KEY, false),
  confirmNewSession: false,
}));

/** React hook over the view store with a selector. */
export function useView<T>(selector: (s: ViewState) => T): T {
  return useStore(viewStore, selector);
}

/** View actions (components call these; they never set view state themselves). */
export const viewActions = {
  toggleStudentView(): void {
    const on = !viewStore.getState().studentView;
    viewStore.setState({ studentView: on });
    writeFlag(STUDENT_KEY, on);
  },
  toggleMenu(): void {
    viewStore.setState((s) => ({ menuOpen: !s.menuOpen }));
  },
  closeWelcome(): void {
    viewStore.setState({ welcomeClosed: true });
    writeFlag(WELCOME_KEY, true);
  },
  askNewSession(ask: boolean): void {
    viewStore.setState({ confirmNewSession: ask });
  },
};

/**
 * True while a finished beam search is shown before its last step: the generated text, the chart
 * and the final hypotheses then stay at the search's start, so Step ▶ reveals the search one beam
 * step at a time instead of giving the answer away.
 */
export function beamPending(s: Pick<AppState, 'strategy' | 'beamRun' | 'cursor' | 'tree'>): boolean {
  const run = s.beamRun;
  // while the search streams, and after it until the view reaches its last step
  if (!run || (run.hypotheses !== null && run.viewStep >= run.steps.length - 1)) return false;
  return onBeamRun(s);
}

/**
 * True in beam mode while the cursor is the last beam search's start or on the beam path it added
 * (a jump elsewhere leaves the search: that node is shown as usual).
 */
export function onBeamRun(s: Pick<AppState, 'strategy' | 'beamRun' | 'cursor' | 'tree'>): boolean {
  const run = s.beamRun;
  if (!run || s.strategy !== 'beam') return false;
  for (let id = s.cursor; id !== run.startNode; ) {
    const n = s.tree.nodes[id];
    if (!n || n.parent === null || n.edge?.method !== 'beam') return false;
    id = n.parent;
  }
  return true;
}

/** The node the text and chart show: the beam search's start while it is being revealed, else the cursor. */
export function viewCursor(s: Pick<AppState, 'strategy' | 'beamRun' | 'cursor' | 'tree'>): number {
  return beamPending(s) ? s.beamRun!.startNode : s.cursor;
}

/**
 * The node whose distribution the chart shows for the view cursor: the step that produced it
 * (its parent), or the root's next-token distribution (same rule as controller's displayNodeOf).
 */
export function viewDisplayNode(s: Pick<AppState, 'strategy' | 'beamRun' | 'cursor' | 'tree'>): number {
  const n = s.tree.nodes[viewCursor(s)];
  return n && n.parent !== null ? n.parent : 0;
}

/** How many bars the stage shows: fewer in presenter mode and on phones, so the dice strip fits. */
export function stageBarLimit(presenter: boolean, phone: boolean, lessonOpen: boolean, topN: number): number {
  if (phone) return Math.min(topN, 8);
  if (presenter) return Math.min(topN, lessonOpen ? 8 : 10);
  return topN;
}
