/**
 * Step actions on the generation tree: a node's record, Step ▶, Back ◀, jumps, a chosen token, a
 * re-roll, reset. The helpers that turn a worker answer into a tree edge (`addEdge`, `resultPatch`)
 * are shared with the run loop (run.ts) and beam search (beam.ts).
 */
import { addChild, childWithToken, createTree, findReusableChild, getNode, updateNode, type ChoiceMethod, type Edge, type GenerationTree } from '../../engine/tree.ts';
import type { DrawKey } from '../../engine/random.ts';
import type { DistributionRecord } from '../../engine/distribution.ts';
import type { StepChoice } from '../../engine/step.ts';
import { StaleResult } from '../link.ts';
import { activeConstraint, beamViewCanAdvance, canStep, currentKey, displayNodeOf, stepSettings } from '../selectors.ts';
import type { AppState } from '../store.ts';
import { toAppError, type ActionContext } from './context.ts';
import { onRunError } from './model.ts';
import { runBeam, setBeamViewStep } from './beam.ts';
import { onBeamRun } from '../view.ts';
import { attentionStore } from '../attention.ts';
import { keepStepReadout } from './attention.ts';

/** True when generation can continue from the cursor and the worker is up. */
export function canStepNow(ctx: ActionContext): boolean {
  return ctx.link.ready && canStep(ctx.s);
}

/** True when Step ▶ can do something: generate, or show the next step of a finished beam search. */
export function canAdvanceNow(ctx: ActionContext): boolean {
  return beamViewCanAdvance(ctx.s) || canStepNow(ctx);
}

/** The draw key of a sampled step from `nodeId` (seed, depth, the node's re-roll count, stream 0). */
export function drawKeyOf(ctx: ActionContext, nodeId: number): DrawKey {
  const n = getNode(ctx.s.tree, nodeId);
  return { seed: ctx.s.seed, depth: n.depth, reroll: n.rerolls, stream: 0 };
}

/**
 * Asks the worker for a node's step. With `apply` the store is updated at once; without, the caller
 * merges `patch` into its own single update (one render per step).
 * @throws StaleResult when the tree was replaced meanwhile
 */
async function requestStep(
  ctx: ActionContext,
  nodeId: number,
  choose: number | null | 'none',
  apply = true,
): Promise<{ choice: StepChoice | null; record: DistributionRecord; patch: Partial<AppState> }> {
  const s = ctx.s;
  const ticket = ctx.link.ticket();
  const key = currentKey(s);
  const r = await ctx.link.step(s.tree, nodeId, {
    strategy: s.strategy,
    settings: stepSettings(s),
    topN: s.topN,
    extraIds: s.query?.ids.slice(0, 1) ?? [],
    drawKey: s.strategy === 'sample' ? drawKeyOf(ctx, nodeId) : null,
    choose,
    constraint: activeConstraint(s),
    ...(attentionStore.getState().open ? { readout: true } : {}),
  });
  ctx.perf.lastStepRoundTripMs = ctx.link.lastRoundTripMs;
  ctx.perf.lastStepWorkerMs = r.workerMs;
  ctx.link.check(ticket);
  if (r.readout) keepStepReadout(ctx, nodeId, r.readout);
  const patch = resultPatch(ctx, nodeId, key, r);
  if (apply) ctx.set(patch);
  return { choice: r.choice, record: r.record, patch };
}

/** The store update for a node's record from the worker (a step or one step of a run). */
export function resultPatch(
  ctx: ActionContext,
  nodeId: number,
  key: string,
  r: { record: DistributionRecord; forwardCount: number; forwardMs: number; phase: 'prefill' | 'decode' | 'cached' },
): Partial<AppState> {
  // an answer computed under settings that changed meanwhile never replaces one for the current settings
  const current = currentKey(ctx.s);
  const held = ctx.s.records[nodeId];
  const keep = key !== current && held?.key === current;
  // records grow in place (see AppState.records): no copy of every other node's record per step
  if (!keep) ctx.s.records[nodeId] = { key, record: r.record };
  const patch: Partial<AppState> = { records: ctx.s.records, forwardCount: r.forwardCount };
  if (r.phase === 'decode') {
    // decode throughput of the model itself (one token per forward pass), over the last steps
    patch.lastForwardMs = r.forwardMs;
    const recent = [...ctx.perf.recentSteps.slice(-9), Math.max(0.01, r.forwardMs)];
    ctx.perf.recentSteps = recent;
    patch.tokensPerSec = 1000 / (recent.reduce((a, b) => a + b, 0) / recent.length);
  } else if (r.phase === 'prefill') patch.lastForwardMs = r.forwardMs;
  return patch;
}

/** Fetches the node's record if it is missing or was computed under other settings (no forward when logits are cached). */
export async function ensureRecord(ctx: ActionContext, nodeId: number): Promise<void> {
  if (ctx.s.readOnly) return; // a read-only session shows only what it recorded
  if (!ctx.link.ready || ctx.s.promptError || ctx.s.tree.promptIds.length === 0) return;
  const rec = ctx.s.records[nodeId];
  if (rec && rec.key === currentKey(ctx.s)) return;
  try {
    await requestStep(ctx, nodeId, 'none');
  } catch (e) {
    if (e instanceof StaleResult) return;
    ctx.set({ error: onRunError(ctx, e) });
  }
}

/**
 * The edge for a chosen token under `parentId` (an existing child made the same way is reused).
 * @param key settings key the choice was made under (taken before the request: settings may change meanwhile)
 */
export function addEdge(
  ctx: ActionContext,
  parentId: number,
  choice: StepChoice,
  method: ChoiceMethod,
  drawKey: DrawKey | null,
  key: string,
  rec: DistributionRecord,
): { id: number; patch: Partial<AppState> } {
  const s = ctx.s;
  const existing = method === 'manual' ? childWithToken(s.tree, parentId, choice.tokenId) : findReusableChild(s.tree, parentId, { method, settingsKey: key, drawKey });
  if (existing) return { id: existing.id, patch: {} };
  const edge: Edge = {
    tokenId: choice.tokenId,
    method,
    settingsKey: key,
    drawKey,
    u: choice.u,
    prob: choice.prob,
    finalProb: choice.finalProb,
    logprob: choice.logprob,
    rank: choice.rank,
  };
  const added = addChild(s.tree, parentId, edge);
  const id = added.id;
  const tree = markStop(ctx, added.tree, id);
  s.stepEntropy[id] = [rec.entropyRawBits, rec.entropyFinalBits]; // grows in place, like records
  return { id, patch: { tree, stepEntropy: s.stepEntropy } };
}

/** Marks node `id` as a stop when its token is EOS or end-of-turn, or it reached the length limit. */
export function markStop(ctx: ActionContext, tree: GenerationTree, id: number, maxNewTokens = ctx.s.maxNewTokens): GenerationTree {
  const n = getNode(tree, id);
  const info = ctx.s.info!;
  if (info.eosTokenId !== null && n.edge?.tokenId === info.eosTokenId) return updateNode(tree, id, { stop: 'eos' });
  // an instruct model's end-of-turn token ends generation like EOS
  if (info.endOfTurnTokenId !== null && n.edge?.tokenId === info.endOfTurnTokenId) return updateNode(tree, id, { stop: 'eos' });
  if (n.depth >= maxNewTokens || tree.promptIds.length + n.depth >= info.contextLength) return updateNode(tree, id, { stop: 'max-length' });
  return tree;
}

/** What the screen reader hears after a step: the chosen token and the top three. */
export function announcement(tokenId: number, rec: DistributionRecord): string {
  return `${tokenId}|${Array.from(rec.tokenIds.slice(0, 3)).join(',')}`;
}

/** Step ▶: reuse a child made the same way, else compute one. @returns whether generation can continue */
export async function stepForward(ctx: ActionContext): Promise<boolean> {
  if (!ctx.s.busy && beamViewCanAdvance(ctx.s)) {
    setBeamViewStep(ctx, ctx.s.beamRun!.viewStep + 1);
    return true;
  }
  if (ctx.s.busy || !canStepNow(ctx)) return false;
  const s = ctx.s;
  if (s.strategy === 'beam') {
    await runBeam(ctx);
    return false;
  }
  const from = s.cursor;
  const method: ChoiceMethod = s.strategy === 'sample' ? 'sampled' : 'greedy';
  const drawKey = s.strategy === 'sample' ? drawKeyOf(ctx, from) : null;
  const reuse = findReusableChild(s.tree, from, { method, settingsKey: currentKey(s), drawKey });
  const ticket = ctx.link.ticket();
  ctx.set({ busy: true, error: ctx.keptError() });
  try {
    if (s.tree.nodes[from].stop !== null) ctx.set({ tree: updateNode(ctx.s.tree, from, { stop: null }) });
    if (reuse) {
      ctx.set({ cursor: reuse.id });
      await ensureRecord(ctx, from);
      const rec = ctx.s.records[from]?.record;
      if (rec) ctx.set({ announcement: announcement(reuse.edge!.tokenId, rec) });
    } else {
      const { choice, record, patch } = await requestStep(ctx, from, null, false);
      ctx.link.check(ticket);
      const edge = addEdge(ctx, from, choice!, method, drawKey, currentKey(s), record);
      // one store update: the record, the new node, the cursor, the announcement, the end of the step
      ctx.set({ ...patch, ...edge.patch, cursor: edge.id, announcement: announcement(choice!.tokenId, record), busy: false });
      await ensureRecord(ctx, from); // settings may have changed during the step
    }
    return canStepNow(ctx);
  } catch (e) {
    if (e instanceof StaleResult) return false;
    ctx.set({ error: onRunError(ctx, e), playing: false });
    return false;
  } finally {
    if (ctx.s.busy) ctx.set({ busy: false });
  }
}

/** Back ◀: move to the parent, no model call. */
export function stepBack(ctx: ActionContext): void {
  // a beam search being revealed goes back one beam step, then to its start (view state only)
  const run = ctx.s.beamRun;
  if (run && run.hypotheses && onBeamRun(ctx.s) && ctx.s.cursor !== run.startNode) {
    if (run.viewStep > 0) setBeamViewStep(ctx, run.viewStep - 1);
    else {
      ctx.set({ cursor: run.startNode, beamRun: null });
      // the start's record may predate a settings change made while the run was shown
      void ensureRecord(ctx, displayNodeOf(ctx.s));
    }
    return;
  }
  const n = ctx.s.tree.nodes[ctx.s.cursor];
  if (!n || n.parent === null) return;
  ctx.set({ cursor: n.parent });
  void ensureRecord(ctx, displayNodeOf(ctx.s));
}

/** Jump to any node of the tree. */
export async function jumpTo(ctx: ActionContext, nodeId: number): Promise<void> {
  if (!ctx.s.tree.nodes[nodeId]) return;
  ctx.set({ cursor: nodeId });
  await ensureRecord(ctx, displayNodeOf(ctx.s));
}

/** Home: back to the prompt. */
export function jumpHome(ctx: ActionContext): void {
  void jumpTo(ctx, 0);
}

/** End: to the deepest node along last children. */
export function jumpEnd(ctx: ActionContext): void {
  let id = ctx.s.cursor;
  for (;;) {
    const kids = ctx.s.tree.nodes[id].children;
    if (kids.length === 0) break;
    id = kids[kids.length - 1];
  }
  void jumpTo(ctx, id);
}

/** Chooses `tokenId` at the step the chart shows (a branch when it differs from the current token). */
export async function chooseToken(ctx: ActionContext, tokenId: number): Promise<void> {
  return chooseAt(ctx, displayNodeOf(ctx.s), tokenId);
}

/** Appends `tokenId` after the cursor (a class-vote choice, a share link's hand-picked token): a branch when the cursor has other children. */
export async function appendToken(ctx: ActionContext, tokenId: number): Promise<void> {
  return chooseAt(ctx, ctx.s.cursor, tokenId);
}

/** Chooses `tokenId` as the next token after node `at` (a branch when `at` already has other children). */
async function chooseAt(ctx: ActionContext, at: number, tokenId: number): Promise<void> {
  if (ctx.s.busy || !ctx.link.ready || ctx.s.readOnly) return;
  const key = currentKey(ctx.s);
  const ticket = ctx.link.ticket();
  ctx.set({ busy: true, error: ctx.keptError() });
  try {
    const { choice, record, patch } = await requestStep(ctx, at, tokenId, false);
    ctx.link.check(ticket);
    const edge = addEdge(ctx, at, choice!, 'manual', null, key, record);
    ctx.set({ ...patch, ...edge.patch, cursor: edge.id, announcement: announcement(tokenId, record), busy: false });
    await ensureRecord(ctx, at); // settings may have changed during the step
  } catch (e) {
    if (!(e instanceof StaleResult)) ctx.set({ error: toAppError(e) });
  } finally {
    if (ctx.s.busy) ctx.set({ busy: false });
  }
}

/** Re-roll this step: a new draw (reroll count + 1) at the step that produced the cursor's token. */
export async function reroll(ctx: ActionContext): Promise<void> {
  const s = ctx.s;
  const n = s.tree.nodes[s.cursor];
  if (s.busy || !n || n.parent === null || s.strategy !== 'sample' || s.readOnly) return;
  const parent = getNode(s.tree, n.parent);
  // the parent must still be allowed to generate (the limit may have been lowered since)
  if (parent.depth >= s.maxNewTokens) return;
  ctx.set({ tree: updateNode(s.tree, parent.id, { rerolls: parent.rerolls + 1 }), cursor: parent.id });
  await stepForward(ctx);
  await ensureRecord(ctx, displayNodeOf(ctx.s));
}

/** Reset: a new tree for the same prompt; caches freed. */
export async function reset(ctx: ActionContext): Promise<void> {
  if (ctx.s.readOnly) return;
  ctx.set({ playing: false });
  const ids = ctx.s.tree.promptIds;
  await ctx.link.forgetAll();
  ctx.replaceTree({ tree: createTree(ids), cursor: 0, records: {}, stepEntropy: {}, beamRun: null, error: null });
  await ensureRecord(ctx, 0);
}
