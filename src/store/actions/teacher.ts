/** Teacher forcing: score every position of a given text. */
import { toAppError, type ActionContext } from './context.ts';

/** Scores every position of a text in one parallel pass (windows when longer than the context). */
export async function scoreText(ctx: ActionContext, text: string): Promise<void> {
  if (!ctx.link.ready || text.trim() === '') return;
  ctx.set({ busy: true, error: ctx.keptError() });
  try {
    const r = await ctx.link.scoreText(text);
    ctx.set({ tf: { text, tokens: r.tokens, windows: r.windows }, forwardCount: r.forwardCount });
  } catch (e) {
    ctx.set({ error: toAppError(e) });
  } finally {
    if (ctx.s.busy) ctx.set({ busy: false });
  }
}
