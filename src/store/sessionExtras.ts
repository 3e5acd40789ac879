/**
 * What a session saves besides the tree, held by other stores: the classroom results (quiz, votes,
 * Monte-Carlo). The classroom store registers itself here, so the controller saves and restores it
 * without importing it (the classroom module imports the controller).
 */
import type { SessionClassroom } from './sessionSchema.ts';

export interface ClassroomBridge {
  /** The results to save, or null when there are none. */
  get(): SessionClassroom | null;
  /** Puts saved results back (null: none saved). */
  set(c: SessionClassroom | null): void;
  /** Calls `listener` after each change to the results; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
}

let bridge: ClassroomBridge | null = null;

export function registerClassroomBridge(b: ClassroomBridge): void {
  bridge = b;
}

export function classroomForSave(): SessionClassroom | null {
  return bridge?.get() ?? null;
}

export function restoreClassroom(c: SessionClassroom | null | undefined): void {
  bridge?.set(c ?? null);
}

export function onClassroomChange(listener: () => void): () => void {
  return bridge ? bridge.subscribe(listener) : () => undefined;
}
