/** Teacher forcing: score every position of a given text. */
import { EngineError } from '../../engine/errors.ts';
import { toAppError, type ActionContext } from './context.ts';

/**
 * Scores every position of a text in one parallel pass (windows when longer than the context; on a
 * server without `prompt_logprobs`, one request per position, reported in `tfProgress`). A cancel
 * (`cancelScoreText`) ends it without an error and keeps the previous result.
 */
export async function scoreText(ctx: ActionContext, text: string): Promise<void> {
  if (!ctx.link.ready || text.trim() === '') return;
  ctx.set({ busy: true, error: ctx.keptError(), tfProgress: null });
  try {
    const req = ctx.link.scoreText(text, (done, total) => {
      if (ctx.tf.request === req.requestId) ctx.set({ tfProgress: { done, total } });
    });
    ctx.tf.request = req.requestId;
    const r = await req.done;
    ctx.set({ tf: { text, tokens: r.tokens, windows: r.windows }, forwardCount: r.forwardCount });
  } catch (e) {
    if (!(e instanceof EngineError && e.code === 'cancelled')) ctx.set({ error: toAppError(e) });
  } finally {
    ctx.tf.request = 0;
    ctx.set({ tfProgress: null });
    if (ctx.s.busy) ctx.set({ busy: false });
  }
}

/** Stops the running teacher forcing between positions (no-op when none runs). */
export function cancelScoreText(ctx: ActionContext): void {
  if (ctx.tf.request) ctx.link.cancelScore(ctx.tf.request);
}
