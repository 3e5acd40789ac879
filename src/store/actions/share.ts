/**
 * Share links: opening one replays its path (and the other explored branches it carries) with the same actions the buttons use (the prompt, the
 * recorded settings, Step ▶ for greedy and sampled steps, a chosen token for hand-picked and beam
 * tokens). The fragment of the current path is a selector (`shareFragment` in selectors.ts).
 */
import { processorOrder } from '../../engine/settings.ts';
import { updateNode } from '../../engine/tree.ts';
import { decodeShare, settingsFromKey, type ShareEdge, type SharePayload } from '../shareLink.ts';
import type { ActionContext } from './context.ts';
import { setPrompt } from './prompt.ts';
import { updateSettings } from './settings.ts';
import { appendToken, jumpTo, stepForward } from './step.ts';

/**
 * Opens a share fragment: the same prompt, then the path replayed with the same choice rules (greedy
 * and sampled steps recomputed under their recorded settings and draw keys, hand-picked and beam
 * tokens chosen). A replayed token that differs is reported, never hidden.
 * @returns 'none' when the fragment is not a share link, 'refused' when the link was not opened (the
 *   current session is untouched), 'opened' when its prompt and path replaced the session
 */
export async function openShared(ctx: ActionContext, hash: string): Promise<'none' | 'opened' | 'refused'> {
  const r = decodeShare(hash);
  if (r === null) return 'none';
  if (!r.ok) {
    ctx.set({ sessionProblemSource: 'share', sessionProblem: r.message });
    return 'refused';
  }
  return (await replayShared(ctx, r.payload)) ? 'opened' : 'refused';
}

/** @returns false when the link was refused before anything changed (no model, another model, no chat template) */
async function replayShared(ctx: ActionContext, p: SharePayload): Promise<boolean> {
  const info = ctx.s.info;
  if (!info) return false;
  const problem = (message: string) => ctx.set({ sessionProblemSource: 'share', sessionProblem: message });
  if (p.model !== info.id) {
    problem(`the share link is for the model ${p.model}; the loaded model is ${info.id}`);
    return false;
  }
  if (p.chat && !info.hasChatTemplate) {
    problem(`the share link's prompt comes from a chat template; ${info.id} has none`);
    return false;
  }
  // the link's prompt ids depend on the special-token switch: a link without it keeps typed strings as text
  ctx.set({ chat: p.chat ?? null, chatAllowSpecial: p.chat ? p.special === true : ctx.s.chatAllowSpecial });
  await setPrompt(ctx, p.prompt, { force: true });
  if (ctx.s.promptError) return true;
  const longest = Math.max(p.path.length, ...(p.branches ?? []).map((b) => b.length));
  if (ctx.s.maxNewTokens < longest) await updateSettings(ctx, { maxNewTokens: longest });
  // the other explored branches first (shared steps are reused), the link's current path last
  for (const branch of p.branches ?? []) {
    await jumpTo(ctx, 0);
    if (!(await replayPath(ctx, branch, info.vocabSize))) return true;
  }
  if (p.branches?.length) await jumpTo(ctx, 0);
  await replayPath(ctx, p.path, info.vocabSize);
  return true;
}

/** Replays one shared path from the cursor. @returns false when a step was refused or differed (the problem is set) */
async function replayPath(ctx: ActionContext, path: readonly ShareEdge[], vocabSize: number): Promise<boolean> {
  const problem = (message: string) => ctx.set({ sessionProblemSource: 'share', sessionProblem: message });
  for (const [i, e] of path.entries()) {
    if (e.t >= vocabSize) {
      problem(`share link: token id ${e.t} is outside the vocabulary`);
      return false;
    }
    if ((e.m === 'g' || e.m === 's') && e.k) {
      const parsed = settingsFromKey(e.k);
      const v = parsed?.values ?? {};
      try {
        if (e.m === 's') {
          const orderName = v['order'] === 'temperature-last' ? 'temperature-last' : 'hf';
          await updateSettings(ctx, {
            strategy: 'sample',
            orderName,
            seed: Number(v['seed']),
            sampling: { temperature: Number(v['temperature']), topK: Number(v['topK']), topP: Number(v['topP']), minP: Number(v['minP']), repetitionPenalty: Number(v['repetitionPenalty']), order: processorOrder(orderName) },
          });
          ctx.set({ tree: updateNode(ctx.s.tree, ctx.s.cursor, { rerolls: e.r ?? 0 }) });
        } else {
          await updateSettings(ctx, { strategy: 'greedy', sampling: { ...ctx.s.sampling, repetitionPenalty: Number(v['repetitionPenalty'] ?? 1) } });
        }
      } catch (err) {
        problem(`share link: step ${i + 1}: ${err instanceof Error ? err.message : String(err)}`);
        return false;
      }
      await stepForward(ctx);
      const got = ctx.s.tree.nodes[ctx.s.cursor].edge?.tokenId;
      if (got !== e.t) {
        problem(`share link: step ${i + 1} gave token ${String(got)} here, the link recorded ${e.t} (another backend or model version?)`);
        return false;
      }
    } else {
      // a hand-picked (or beam) token is appended after the current node
      await appendToken(ctx, e.t);
    }
  }
  return true;
}
