/**
 * Autoplay and Run to end. New steps of a run are computed by the worker's own loop ('run'
 * requests); a step that can reuse an existing child, a beam search or a finished beam view goes
 * through Step ▶ (step.ts).
 */
import { findReusableChild, getNode, updateNode, type ChoiceMethod } from '../../engine/tree.ts';
import type { WorkerResponse } from '../../worker/protocol.ts';
import { StaleResult } from '../link.ts';
import { activeConstraint, beamViewCanAdvance, currentKey, displayNodeOf, stepSettings } from '../selectors.ts';
import type { ActionContext } from './context.ts';
import { onRunError } from './model.ts';
import { addEdge, announcement, canStepNow, drawKeyOf, ensureRecord, resultPatch, stepForward } from './step.ts';
import { setBeamViewStep } from './beam.ts';

/** Play/Pause autoplay at the speed setting; pausing marks a user stop. */
export async function togglePlay(ctx: ActionContext): Promise<void> {
  if (ctx.s.playing) {
    ctx.play.token++; // the running loop sees a new token and ends
    ctx.set({ playing: false });
    if (canStepNow(ctx)) {
      const n = ctx.s.tree.nodes[ctx.s.cursor];
      if (n.parent !== null) ctx.set({ tree: updateNode(ctx.s.tree, n.id, { stop: 'user' }) });
    }
    return;
  }
  const token = ++ctx.play.token;
  ctx.set({ playing: true });
  const mine = () => token === ctx.play.token && ctx.s.playing;
  while (mine()) {
    // a step still computing (e.g. started by hand) is waited for, not skipped
    while (ctx.s.busy && mine()) await new Promise((r) => setTimeout(r, 20));
    if (!mine()) return;
    const more = await stepForward(ctx);
    if (!more || !mine()) break;
    await new Promise((r) => setTimeout(r, ctx.s.speedMs));
  }
  if (token === ctx.play.token) ctx.set({ playing: false });
}

/** Run to end: step until EOS or max new tokens (or Pause). */
export async function runToEnd(ctx: ActionContext): Promise<void> {
  ctx.set({ playing: true });
  while (ctx.s.playing && (canRunInWorker(ctx) ? await runInWorker(ctx) : await stepForward(ctx)));
  // a beam search is shown whole: every step, the hypotheses and the generated text
  const run = ctx.s.beamRun;
  if (ctx.s.strategy === 'beam' && run?.hypotheses) setBeamViewStep(ctx, run.steps.length - 1);
  ctx.set({ playing: false });
}

/** The worker may run the steps: greedy or sampling from the cursor, and no existing child to reuse. */
function canRunInWorker(ctx: ActionContext): boolean {
  const s = ctx.s;
  if (s.busy || !canStepNow(ctx) || s.strategy === 'beam' || beamViewCanAdvance(s)) return false;
  const method: ChoiceMethod = s.strategy === 'sample' ? 'sampled' : 'greedy';
  const drawKey = s.strategy === 'sample' ? drawKeyOf(ctx, s.cursor) : null;
  return !findReusableChild(s.tree, s.cursor, { method, settingsKey: currentKey(s), drawKey });
}

/**
 * New steps from the cursor in the worker's own loop (one 'run' request up to EOS or the length
 * limit). The worker streams each step: the record and choice a 'step' request gives (same engine
 * call, same draw key). Steps join the tree in order, all that arrived within one animation frame in
 * one batch of store updates (one React render), so rendering overlaps the worker's next forwards
 * instead of delaying them (bench P2). Pause, new settings, a reset or a changed tree stop applying
 * steps and cancel the run; what the worker computed beyond that is forgotten.
 * @returns whether generation can continue
 */
async function runInWorker(ctx: ActionContext): Promise<boolean> {
  const s = ctx.s;
  const from = s.cursor;
  const fromNode = getNode(s.tree, from);
  const strategy = s.strategy === 'sample' ? 'sample' : 'greedy';
  const method: ChoiceMethod = strategy === 'sample' ? 'sampled' : 'greedy';
  const key = currentKey(s);
  const ticket = ctx.link.ticket();
  const firstNew = s.tree.nodes.length;
  const count = Math.min(s.maxNewTokens, (s.info?.contextLength ?? Infinity) - s.tree.promptIds.length) - fromNode.depth;
  if (count <= 0) return false;
  ctx.set({ busy: true, error: ctx.keptError() });
  if (fromNode.stop !== null) ctx.set({ tree: updateNode(ctx.s.tree, from, { stop: null }) });
  let parent = from;
  let received = 0;
  let applied = 0;
  let stopped = false; // applying ended early (pause, settings, reset, tree changed)
  let runId = 0;
  let queue: Extract<WorkerResponse, { type: 'run-step' }>[] = [];
  let scheduled = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    ctx.link.cancelRun(runId, ticket);
  };
  const flush = () => {
    scheduled = false;
    const batch = queue;
    queue = [];
    for (const m of batch) {
      if (stopped) return;
      if (!ctx.link.isCurrent(ticket) || !ctx.s.playing || currentKey(ctx.s) !== key) {
        stop();
        return;
      }
      const drawKey = strategy === 'sample' ? drawKeyOf(ctx, parent) : null;
      const edge = addEdge(ctx, parent, m.choice, method, drawKey, key, m.record);
      if (edge.id !== firstNew + applied) {
        // the tree changed under the run: the worker cached the rest under other nodes' ids
        stop();
        return;
      }
      ctx.set({ ...resultPatch(ctx, parent, key, m), ...edge.patch, cursor: edge.id, announcement: announcement(m.choice.tokenId, m.record) });
      parent = edge.id;
      applied++;
    }
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    if (typeof requestAnimationFrame === 'function' && typeof document !== 'undefined' && document.visibilityState === 'visible') requestAnimationFrame(flush);
    else setTimeout(flush, 0);
  };
  try {
    const run = ctx.link.run(
      s.tree,
      from,
      firstNew,
      {
        strategy,
        settings: stepSettings(s),
        topN: s.topN,
        extraIds: s.query?.ids.slice(0, 1) ?? [],
        seed: s.seed,
        startDepth: fromNode.depth,
        firstReroll: fromNode.rerolls,
        count,
        constraint: activeConstraint(s),
      },
      (m) => {
        if (m.type !== 'run-step') return;
        received++;
        queue.push(m);
        schedule();
      },
    );
    runId = run.runId;
    await run.done;
    flush();
    // forget what the worker cached under ids these steps did not get
    if (stopped && received > applied) ctx.link.forgetNodes(Array.from({ length: received - applied }, (_, k) => firstNew + applied + k), ticket);
    if (!ctx.link.isCurrent(ticket)) return false;
    ctx.set({ busy: false });
    await ensureRecord(ctx, displayNodeOf(ctx.s)); // settings may have changed during the run
    return ctx.s.playing && canStepNow(ctx);
  } catch (e) {
    flush(); // the steps that arrived before the error stay
    if (!(e instanceof StaleResult)) ctx.set({ error: onRunError(ctx, e), playing: false });
    return false;
  } finally {
    if (ctx.s.busy) ctx.set({ busy: false });
  }
}
