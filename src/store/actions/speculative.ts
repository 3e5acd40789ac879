/** Speculative decoding (issue #21): one run from the cursor, shown round by round; the tree is not changed. */
import type { Drafter } from '../../engine/speculative.ts';
import { toAppError, type ActionContext } from './context.ts';

/**
 * Runs speculative generation from the cursor with the current strategy (greedy, else sampling with
 * the current settings and seed) for up to maxNewTokens tokens.
 */
export async function runSpeculative(ctx: ActionContext, drafter: Drafter, k: number): Promise<void> {
  const s = ctx.s;
  if (!ctx.link.ready || s.busy) return;
  ctx.set({ busy: true, error: ctx.keptError() });
  try {
    const r = await ctx.link.speculative(s.tree, s.cursor, {
      strategy: s.strategy === 'greedy' ? 'greedy' : 'sample',
      settings: s.sampling,
      drafter,
      k,
      seed: s.seed,
      maxNewTokens: s.maxNewTokens,
    });
    ctx.set({ specRun: { tokens: r.tokens, rounds: r.rounds, targetForwards: r.targetForwards, draftForwards: r.draftForwards, ms: r.ms } });
  } catch (e) {
    ctx.set({ error: toAppError(e) });
  } finally {
    if (ctx.s.busy) ctx.set({ busy: false });
  }
}
