/**
 * Speculative decoding (issue #21): one run from the cursor, shown round by round; every kept token
 * becomes a tree edge of method 'speculative' (so Back, branching, exports and sessions hold it).
 */
import { SPEC_STREAM_ACCEPT, SPEC_STREAM_BONUS, SPEC_STREAM_RESIDUAL, type Drafter, type SpecRound } from '../../engine/speculative.ts';
import { addChild, getNode, updateNode, type Edge, type GenerationTree } from '../../engine/tree.ts';
import type { DrawKey } from '../../engine/random.ts';
import { StaleResult } from '../link.ts';
import { activeConstraint, currentKey, displayNodeOf } from '../selectors.ts';
import { toAppError, type ActionContext } from './context.ts';
import type { ModelSource } from '../../domain/types.ts';
import { hostStore } from '../../models/hostStore.ts';
import { ensureRecord, markStop } from './step.ts';

/**
 * Settings key of a speculative edge: the strategy's key plus the drafter and k (a different draft
 * can keep a different token under the same draw key).
 */
export function speculativeKey(strategyKey: string, drafter: Drafter, k: number): string {
  return `${strategyKey}|spec:${drafter}:${k}`;
}

/** One kept token of a run, as its tree edge needs it. */
export interface SpecEdgeInput {
  tokenId: number;
  /** Target's final probability p at its position. */
  finalProb: number;
  /** Model probability (raw softmax) and rank, from the worker. */
  prob: number;
  rank: number;
  /** The draw that decided it (acceptance, residual or bonus stream), null in greedy mode. */
  drawKey: DrawKey | null;
  u: number | null;
}

/**
 * The kept tokens of a run's rounds, in order, with the draw that decided each: an accepted draft
 * token's acceptance draw (stream 4), the resampled token's residual draw (5), the bonus draw (6).
 * @param stats per emitted token: model probability and rank (aligned with the rounds' `emitted`)
 */
export function specEdgeInputs(rounds: readonly SpecRound[], stats: readonly { prob: number; rank: number }[], seed: number): SpecEdgeInput[] {
  const out: SpecEdgeInput[] = [];
  for (const r of rounds) {
    const kept = r.tokens.filter((t) => t.state === 'accepted' || t.state === 'resampled' || t.state === 'bonus');
    // a stop token may end the emitted list early
    for (let j = 0; j < r.emitted.length; j++) {
      const t = kept[j];
      const stream = t.state === 'accepted' ? SPEC_STREAM_ACCEPT : t.state === 'resampled' ? SPEC_STREAM_RESIDUAL : SPEC_STREAM_BONUS;
      const sampled = r.mode === 'sample';
      const st = stats[out.length];
      out.push({
        tokenId: t.tokenId,
        finalProb: t.p,
        prob: st.prob,
        rank: st.rank,
        drawKey: sampled ? { seed, depth: r.depth + t.position, reroll: 0, stream } : null,
        u: sampled && t.u !== undefined ? t.u : null,
      });
    }
  }
  return out;
}

/**
 * Adds the kept tokens as a path of 'speculative' edges under `start`. An existing child is reused
 * only when it is a speculative edge made the same way with the same token (never a plain-sampling
 * child, and never a speculative child whose token differs).
 * @returns the new tree and the last node of the path
 */
export function addSpecPath(tree: GenerationTree, start: number, inputs: readonly SpecEdgeInput[], key: string): { tree: GenerationTree; end: number } {
  let at = start;
  let next = tree;
  for (const x of inputs) {
    const same = getNode(next, at)
      .children.map((c) => next.nodes[c])
      .find((c) => c.edge!.method === 'speculative' && c.edge!.tokenId === x.tokenId && c.edge!.settingsKey === key);
    if (same) {
      at = same.id;
      continue;
    }
    const edge: Edge = { tokenId: x.tokenId, method: 'speculative', settingsKey: key, drawKey: x.drawKey, u: x.u, prob: x.prob, finalProb: x.finalProb, logprob: Math.log(x.prob), rank: x.rank };
    const r = addChild(next, at, edge);
    next = r.tree;
    at = r.id;
  }
  return { tree: next, end: at };
}

/**
 * Runs speculative generation from the cursor with the current strategy (greedy, else sampling with
 * the current settings and seed) and the constraint stage, up to the token limit; the kept tokens
 * join the tree and the cursor moves to the last one.
 */
export async function runSpeculative(ctx: ActionContext, drafter: Drafter, k: number): Promise<void> {
  const s = ctx.s;
  // beam search has no one-token distribution to verify against
  if (!ctx.link.ready || s.busy || s.readOnly || !s.info || s.strategy === 'beam') return;
  const start = s.cursor;
  const node = getNode(s.tree, start);
  const maxNew = s.maxNewTokens - node.depth;
  if (maxNew < 1) return;
  const strategy = s.strategy === 'greedy' ? 'greedy' : 'sample';
  const key = speculativeKey(currentKey(s), drafter, k);
  const ticket = ctx.link.ticket();
  ctx.set({ busy: true, error: ctx.keptError() });
  try {
    if (node.stop !== null) ctx.set({ tree: updateNode(ctx.s.tree, start, { stop: null }) });
    const r = await ctx.link.speculative(ctx.s.tree, start, {
      strategy,
      settings: s.sampling,
      drafter,
      k,
      seed: s.seed,
      maxNewTokens: maxNew,
      startDepth: node.depth,
      constraint: activeConstraint(s),
    });
    ctx.link.check(ticket);
    const inputs = specEdgeInputs(r.rounds, r.stats, s.seed);
    const path = addSpecPath(ctx.s.tree, start, inputs, key);
    const tree = path.end === start ? path.tree : markStop(ctx, path.tree, path.end, s.maxNewTokens);
    ctx.set({
      tree,
      cursor: path.end,
      specRun: { startNode: start, tokens: r.tokens, rounds: r.rounds, targetForwards: r.targetForwards, draftForwards: r.draftForwards, ms: r.ms },
      busy: false,
    });
    await ensureRecord(ctx, displayNodeOf(ctx.s));
  } catch (e) {
    if (!(e instanceof StaleResult)) ctx.set({ error: toAppError(e) });
  } finally {
    if (ctx.s.busy) ctx.set({ busy: false });
  }
}

/**
 * Loads a draft model for speculative decoding beside the loaded model: 'self' = the loaded model's
 * own source again (same weights: every draft is accepted), a model source, or null to remove it.
 * The worker refuses a draft whose tokenizer differs (`draft-tokenizer`); the message is kept in
 * `specDraftError` and the previous draft stays.
 */
export async function loadDraft(ctx: ActionContext, which: 'self' | ModelSource | null): Promise<void> {
  const s = ctx.s;
  if (!ctx.link.ready || s.specDraftLoading) return;
  let source: ModelSource | null;
  if (which === 'self') {
    if (!s.source || s.source.kind === 'server') {
      ctx.set({ specDraftError: { code: 'invalid-setting', message: 'a model on a server cannot be loaded as a draft in the browser' } });
      return;
    }
    source = s.source;
  } else source = which;
  // the download host, as for the model itself (src/models/hostStore.ts)
  if (source && source.kind === 'hub' && !source.host) source = { ...source, host: hostStore.getState().host };
  ctx.set({ specDraftLoading: true, specDraftError: null });
  try {
    const r = await ctx.link.loadDraft(source, s.devicePref === 'webgpu' ? 'webgpu' : 'wasm');
    ctx.set({ specDraft: r.draft });
  } catch (e) {
    ctx.set({ specDraftError: toAppError(e) });
  } finally {
    ctx.set({ specDraftLoading: false });
  }
}
