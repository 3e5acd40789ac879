/** Hooks for benchmarks (npm run bench) and tests: timings, fresh records, worker stats, a simulated crash. */
import type { DistributionRecord } from '../../engine/distribution.ts';
import { stepSettings } from '../selectors.ts';
import type { ActionContext } from './context.ts';

/**
 * The distribution of a fresh prefill over `ids` (no cache reuse, tree untouched), on the scratch
 * lane. For consistency checks in tests and benchmarks.
 */
export async function freshRecord(ctx: ActionContext, ids: number[]): Promise<DistributionRecord> {
  const s = ctx.s;
  const r = await ctx.link.scratchStep(ids, { strategy: s.strategy, settings: stepSettings(s), topN: s.topN, extraIds: [], drawKey: null });
  ctx.set({ forwardCount: r.forwardCount });
  return r.record;
}

/** Raw ONNX Runtime decode runs on the cursor node's KV cache (`rows` copies of it in one batch), ms each. */
export async function benchRawDecode(ctx: ActionContext, reps: number, rows = 1): Promise<number[]> {
  return (await ctx.link.benchRawDecode(ctx.s.tree, ctx.s.cursor, reps, rows)).ms;
}

/** One batched beam search from the cursor, timed in the page (no tree change): ms and beam steps. */
export async function benchBeam(ctx: ActionContext, beamWidth: number, maxNewTokens: number): Promise<{ ms: number; steps: number }> {
  const s = ctx.s;
  let steps = 0;
  const t0 = performance.now();
  await ctx.link.beam(s.tree, s.cursor, { ...s.beam, beamWidth }, maxNewTokens, (m) => {
    if (m.type === 'beam-step') steps++;
  });
  return { ms: performance.now() - t0, steps };
}

/** transformers.js generate() greedy from the prompt, total ms. */
export async function benchGenerate(ctx: ActionContext, maxNewTokens: number): Promise<number> {
  return (await ctx.link.benchGenerate(ctx.s.tree.promptIds, maxNewTokens)).ms[0];
}

/** The distribution math on a synthetic vocabulary vs one Math.exp pass, ms each. */
export async function benchMath(ctx: ActionContext, vocabSize: number, reps: number): Promise<{ ms: number[]; floorMs: number[] }> {
  const r = await ctx.link.benchMath(vocabSize, reps);
  return { ms: r.ms, floorMs: r.floorMs ?? [] };
}

/**
 * Journaling on or off (npm run bench measures P1 and P2 with and without the synchronous journal,
 * issue #19). Turned back on, the next entry holds the whole session, so nothing missed is lost.
 */
export function benchJournal(ctx: ActionContext, on: boolean): void {
  if (on && !ctx.session.journaling) ctx.session.journalNeedsBase = true;
  ctx.session.journaling = on;
}

/**
 * The constraint mask vs the distribution math on a synthetic vocabulary (issue #21), ms per step:
 * `walkMs` = a fresh mask walk, `mathMs` = computeStep, `applyMs` = a cached mask applied ('follow' only).
 */
export async function benchMask(ctx: ActionContext, vocabSize: number, steps: number, mode: 'follow' | 'worst'): Promise<{ walkMs: number[]; mathMs: number[]; applyMs: number[] }> {
  const r = await ctx.link.benchMask(vocabSize, steps, mode);
  return { walkMs: r.ms, mathMs: r.floorMs ?? [], applyMs: r.applyMs ?? [] };
}
