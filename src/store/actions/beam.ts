/** Beam search actions: a batched search from the cursor, and which of its steps the beam tree shows. */
import { addChild, childWithToken, getNode, updateNode, type Edge } from '../../engine/tree.ts';
import { StaleResult } from '../link.ts';
import { currentKey, displayNodeOf } from '../selectors.ts';
import { toAppError, type ActionContext } from './context.ts';
import { canStepNow, ensureRecord, markStop } from './step.ts';

/** Batched beam search from the cursor; steps stream into the beam tree; the best hypothesis joins the tree. */
export async function runBeam(ctx: ActionContext): Promise<void> {
  const s = ctx.s;
  if (s.busy || !ctx.link.ready || s.readOnly || s.strategy !== 'beam' || !canStepNow(ctx)) return;
  const start = s.cursor;
  const maxNew = s.maxNewTokens - getNode(s.tree, start).depth;
  // generation continues here: a stop set under an older limit or by the user no longer holds
  if (getNode(s.tree, start).stop !== null) ctx.set({ tree: updateNode(s.tree, start, { stop: null }) });
  ctx.set({ busy: true, error: ctx.keptError(), beamRun: { startNode: start, steps: [], hypotheses: null, viewStep: 0, greedyIds: [] } });
  try {
    const ticket = ctx.link.ticket();
    const tree = ctx.s.tree;
    const done = await ctx.link.beam(tree, start, s.beam, maxNew, (m) => {
      if (m.type !== 'beam-step' || !ctx.link.isCurrent(ticket)) return;
      const run = ctx.s.beamRun!;
      ctx.set({ beamRun: { ...run, steps: [...run.steps, m.record], viewStep: run.steps.length }, forwardCount: m.forwardCount });
    });
    ctx.link.check(ticket);
    // show the run from its first step; Step ▶ walks through it
    ctx.set({ forwardCount: done.forwardCount, beamRun: { ...ctx.s.beamRun!, hypotheses: done.hypotheses, viewStep: 0 } });
    // greedy continuation for comparison (beam width 1 from the same node)
    const greedy = await ctx.link.beam(tree, start, { ...s.beam, beamWidth: 1 }, maxNew);
    ctx.link.check(ticket);
    ctx.set({ beamRun: { ...ctx.s.beamRun!, greedyIds: greedy.hypotheses[0]?.tokens ?? [] }, forwardCount: greedy.forwardCount });
    // the best hypothesis becomes a path of beam edges in the tree
    const best = done.hypotheses[0];
    if (best) {
      let at = start;
      let prev = 0;
      const steps = ctx.s.beamRun!.steps;
      const key = currentKey(s);
      let next = ctx.s.tree;
      best.tokens.forEach((tok, i) => {
        const cand = steps[i]?.candidates.find((c) => c.tokenId === tok && steps[i].beams[c.parentBeam]?.tokens.join() === best.tokens.slice(0, i).join());
        const cum = cand ? cand.sumLogprobs : prev;
        const logprob = cum - prev;
        prev = cum;
        const existing = childWithToken(next, at, tok);
        if (existing) {
          // a node passed on the way was a stop under an older, smaller limit
          if (existing.stop !== null && existing.stop !== 'eos' && i < best.tokens.length - 1) next = updateNode(next, existing.id, { stop: null });
          at = existing.id;
          return;
        }
        const edge: Edge = { tokenId: tok, method: 'beam', settingsKey: key, drawKey: null, u: null, prob: Math.exp(logprob), finalProb: Math.exp(logprob), logprob, rank: 0 };
        const r = addChild(next, at, edge);
        // only the end of the hypothesis is a stop, by the limit this run had
        next = i === best.tokens.length - 1 ? markStop(ctx, r.tree, r.id, s.maxNewTokens) : r.tree;
        at = r.id;
      });
      ctx.set({ tree: next, cursor: at });
      await ensureRecord(ctx, displayNodeOf(ctx.s));
    }
  } catch (e) {
    if (!(e instanceof StaleResult)) ctx.set({ error: toAppError(e) });
  } finally {
    if (ctx.s.busy) ctx.set({ busy: false });
  }
}

/** Shows step `step` (clamped) of the beam search in the beam tree. */
export function setBeamViewStep(ctx: ActionContext, step: number): void {
  const run = ctx.s.beamRun;
  if (!run) return;
  ctx.set({ beamRun: { ...run, viewStep: Math.max(0, Math.min(run.steps.length - 1, step)) } });
}
