/** Settings and token-query actions. */
import { processorOrder, validateBeamSettings, validateSamplingSettings, type ProcessorOrderName } from '../../engine/settings.ts';
import { StaleResult } from '../link.ts';
import { displayNodeOf, stepSettings } from '../selectors.ts';
import type { SettingsSlice } from '../store.ts';
import { toAppError, type ActionContext } from './context.ts';
import { ensureRecord } from './step.ts';

export type SettingsPatch = Partial<SettingsSlice> & { orderName?: ProcessorOrderName };

/**
 * Updates settings after validation (the engine validates again); the shown step is re-rendered
 * from stored logits without a forward pass.
 * @throws RangeError naming the invalid value
 */
export async function updateSettings(ctx: ActionContext, patch: SettingsPatch): Promise<void> {
  if (ctx.s.readOnly) throw new RangeError('a read-only session keeps the settings it was recorded with');
  const next = { ...ctx.s, ...patch };
  if (patch.orderName) next.sampling = { ...next.sampling, order: processorOrder(patch.orderName) };
  validateSamplingSettings(next.sampling);
  validateBeamSettings(next.beam);
  if (!Number.isInteger(next.seed) || next.seed < 0 || next.seed > 0xffffffff) throw new RangeError(`seed must be an integer in [0, 4294967295]: ${next.seed}`);
  if (!Number.isInteger(next.topN) || next.topN < 1 || next.topN > 200) throw new RangeError(`topN must be an integer in [1, 200]: ${next.topN}`);
  const ctxLen = ctx.s.info?.contextLength ?? 1e9;
  if (!Number.isInteger(next.maxNewTokens) || next.maxNewTokens < 1) throw new RangeError(`maxNewTokens must be an integer ≥ 1: ${next.maxNewTokens}`);
  const room = ctxLen - ctx.s.tree.promptIds.length;
  const clamped = Math.min(next.maxNewTokens, Math.max(1, room));
  ctx.set({
    strategy: next.strategy,
    sampling: next.sampling,
    orderName: next.orderName,
    beam: next.beam,
    seed: next.seed,
    topN: next.topN,
    maxNewTokens: clamped,
  });
  await ensureRecord(ctx, displayNodeOf(ctx.s));
}

/** `updateSettings` for controls: an invalid value is shown as an `invalid-setting` error instead of thrown. */
export async function applySettings(ctx: ActionContext, patch: SettingsPatch): Promise<void> {
  try {
    await updateSettings(ctx, patch);
  } catch (e) {
    ctx.set({ error: { code: 'invalid-setting', message: e instanceof Error ? e.message : String(e) } });
  }
}

/** Probability and rank of a typed token or word (as its tokens) at the shown step. */
export async function queryToken(ctx: ActionContext, text: string): Promise<void> {
  if (!ctx.link.ready || text === '' || ctx.s.readOnly) {
    ctx.set({ query: null });
    return;
  }
  try {
    let ids: number[];
    const asId = /^#(\d+)$/.exec(text.trim());
    if (asId) ids = [Number(asId[1])];
    else {
      ids = (await ctx.link.tokenize(text, false)).ids;
      // mid-sentence words carry their leading space ("␣LORD"): prefer that spelling when it is shorter or equal
      if (!/^\s/.test(text) && ctx.s.tree.promptIds.length > 0) {
        const spaced = (await ctx.link.tokenize(` ${text}`, false)).ids;
        if (spaced.length > 0 && spaced.length <= ids.length) ids = spaced;
      }
    }
    const vocab = ctx.s.info!.vocabSize;
    ids = ids.filter((i) => i >= 0 && i < vocab);
    if (ids.length === 0) {
      ctx.set({ query: { text, ids: [], stats: [] } });
      return;
    }
    const at = displayNodeOf(ctx.s);
    const s = ctx.s;
    const ticket = ctx.link.ticket();
    const r = await ctx.link.query(s.tree, at, s.strategy, stepSettings(s), ids.slice(0, 1));
    ctx.link.check(ticket);
    ctx.set({ query: { text, ids, stats: r.stats } });
  } catch (e) {
    if (!(e instanceof StaleResult)) ctx.set({ error: toAppError(e) });
  }
}
