/**
 * The step keys, declared once: what each global key does, as the same actions the buttons call
 * (Step ▶, Back ◀, Play/Pause, Home, End; in compare mode ← and → move both panes). The one
 * keyboard listener (StepControls) looks a key up here.
 */
import { appStore } from './store.ts';
import { controller } from './controller.ts';
import { compareController } from './compare.ts';

export interface KeyBinding {
  /** `KeyboardEvent.key`. */
  key: string;
  /** What it does (for the docs and the keys hint). */
  does: string;
  /** Left to the focused button (Space presses a button). */
  notOnButton?: boolean;
  perform: () => void;
}

const comparing = () => appStore.getState().compare.on;

export const STEP_KEYS: readonly KeyBinding[] = [
  { key: 'ArrowRight', does: 'Step ▶ (compare mode: Step both)', perform: () => void (comparing() ? compareController.stepBoth() : controller.stepForward()) },
  { key: 'ArrowLeft', does: 'Back ◀ (compare mode: Back both)', perform: () => void (comparing() ? compareController.backBoth() : controller.stepBack()) },
  { key: ' ', does: 'Play / Pause', notOnButton: true, perform: () => void controller.togglePlay() },
  { key: 'Home', does: 'to the prompt', perform: () => controller.jumpHome() },
  { key: 'End', does: 'to the end of the last branch', perform: () => controller.jumpEnd() },
];

/** The action bound to `key`, or null (also when the key belongs to a focused button). */
export function stepKeyAction(key: string, onButton: boolean): (() => void) | null {
  const b = STEP_KEYS.find((k) => k.key === key);
  return b && !(b.notOnButton && onButton) ? b.perform : null;
}
