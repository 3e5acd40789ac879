/** View actions: language, presenter mode, the model card, chart options, autoplay speed, dismissing errors. */
import type { Language } from '../../domain/types.ts';
import type { AppError } from '../store.ts';
import type { ActionContext } from './context.ts';

/** Sets the UI language in the store (the shell applies it to i18next and the document). */
export function setLanguage(ctx: ActionContext, language: Language): void {
  ctx.set({ language });
}

export function setPresenter(ctx: ActionContext, presenter: boolean): void {
  ctx.set({ presenter });
}

export function setShowCard(ctx: ActionContext, showCard: boolean): void {
  ctx.set({ showCard });
}

/** Which processor stage the chart shows (null = the final distribution). */
export function setStage(ctx: ActionContext, stage: number | null): void {
  ctx.set({ stage });
}

export function setShowLogprob(ctx: ActionContext, showLogprob: boolean): void {
  ctx.set({ showLogprob });
}

/** Autoplay delay between steps, ms. */
export function setSpeed(ctx: ActionContext, speedMs: number): void {
  ctx.set({ speedMs });
}

/** Shows an error from a component (e.g. a control's invalid input). */
export function reportError(ctx: ActionContext, error: AppError): void {
  ctx.set({ error });
}

/** Hides the shown error of a kind: the last action's (`error`) or the last load's (`loadError`). */
export function dismissError(ctx: ActionContext, which: 'error' | 'loadError'): void {
  ctx.set(which === 'error' ? { error: null } : { loadError: null });
}
