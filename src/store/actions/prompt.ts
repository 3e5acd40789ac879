/**
 * Prompt and chat actions: a new prompt (or conversation) starts a new tree, the old one goes to the
 * prompt history; chat mode on and off; an earlier prompt restored from history.
 */
import { createTree } from '../../engine/tree.ts';
import type { ChatMessage } from '../../domain/types.ts';
import { displayNodeOf, templateMessages } from '../selectors.ts';
import { startAutosave } from './session.ts';
import { ensureRecord } from './step.ts';
import { toAppError, type ActionContext } from './context.ts';

/**
 * Tokenizes the prompt and starts a new tree (the old one goes to history). An empty prompt starts
 * from BOS when the model has one; a prompt longer than the context is refused with a message (never
 * truncated).
 */
export async function setPrompt(ctx: ActionContext, text: string, opts: { force?: boolean } = {}): Promise<void> {
  if (ctx.s.readOnly) {
    // typing a new prompt leaves the read-only session and starts new work on the loaded model
    ctx.session.pending = null;
    ctx.set({ readOnly: null, records: {} });
    startAutosave(ctx);
  }
  const s = ctx.s;
  // the same prompt again (e.g. a debounced edit that ended where it started) keeps the tree
  if (s.prompt === text && s.tree.promptIds.length > 0 && s.info && !opts.force) return;
  ctx.link.newTree(); // whatever is still out for the old prompt is stale from now on
  if (s.tree.nodes.length > 1 && s.prompt !== text) {
    const entry = { prompt: s.prompt, chat: s.chat, tree: s.tree, cursor: s.cursor };
    ctx.set({ history: [entry, ...s.history.filter((h) => h.prompt !== s.prompt)].slice(0, 20) });
  }
  ctx.set({ prompt: text, promptError: null, error: null, beamRun: null, query: null, playing: false });
  if (!ctx.link.ready || !ctx.s.info) return;
  const info = ctx.s.info;
  // a model without a chat template cannot be in chat mode (e.g. after loading another model)
  if (ctx.s.chat && !info.hasChatTemplate) ctx.set({ chat: null });
  const chat = ctx.s.chat;
  let ids: number[];
  try {
    ids = (await promptIdsOf(ctx, text, chat)).ids;
  } catch (e) {
    ctx.set({ error: toAppError(e) });
    return;
  }
  if (ctx.s.prompt !== text || ctx.s.chat !== chat) return; // a newer prompt arrived
  if (ids.length === 0) {
    if (info.bosTokenId === null) {
      ctx.replaceTree({ promptError: { code: 'empty-prompt', message: 'empty prompt and no BOS token' }, tree: createTree([]), cursor: 0, records: {} });
      return;
    }
    ids = [info.bosTokenId];
  }
  if (ids.length >= info.contextLength) {
    ctx.replaceTree({
      promptError: { code: 'context-overflow', message: `${ids.length} tokens; the context holds ${info.contextLength}` },
      tree: createTree(ids),
      cursor: 0,
      records: {},
    });
    return;
  }
  await ctx.link.forgetAll();
  ctx.replaceTree({ tree: createTree(ids), cursor: 0, records: {}, stepEntropy: {} });
  await ensureRecord(ctx, 0);
}

/** Prompt ids: the plain prompt tokenized, or in chat mode the conversation through the chat template. */
export function promptIdsOf(ctx: ActionContext, text: string, chat: readonly ChatMessage[] | null) {
  return chat ? ctx.link.chatTokenize(templateMessages(chat)) : ctx.link.tokenize(text, true);
}

/**
 * Chat mode on (with `chat` as the conversation) or off (null): the prompt becomes the chat
 * template's rendering of the conversation, or the plain prompt again. The old tree goes to
 * history. Ignored when turning chat mode on for a model without a chat template.
 */
export async function setChat(ctx: ActionContext, chat: ChatMessage[] | null): Promise<void> {
  const s = ctx.s;
  if (chat && !s.info?.hasChatTemplate) return;
  if (s.tree.nodes.length > 1 && !s.readOnly) {
    const entry = { prompt: s.prompt, chat: s.chat, tree: s.tree, cursor: s.cursor };
    ctx.set({ history: [entry, ...s.history].slice(0, 20) });
  }
  ctx.set({ chat: chat ? chat.map((m) => ({ ...m })) : null });
  await setPrompt(ctx, ctx.s.prompt, { force: true });
}

/**
 * The chat-toggle: off → on with the conversation used last (or a user message holding the current
 * prompt and an empty system message); on → off, back to the plain prompt.
 */
export async function toggleChat(ctx: ActionContext): Promise<void> {
  if (ctx.s.chat) {
    ctx.chat.last = ctx.s.chat;
    return setChat(ctx, null);
  }
  return setChat(ctx, ctx.chat.last ?? [{ role: 'system', content: '' }, { role: 'user', content: ctx.s.prompt }]);
}

/** Restores an earlier prompt and its tree from history. */
export async function restoreHistory(ctx: ActionContext, index: number): Promise<void> {
  const h = ctx.s.history[index];
  if (!h) return;
  const s = ctx.s;
  const history = s.history.filter((_, i) => i !== index);
  if (s.tree.nodes.length > 1) history.unshift({ prompt: s.prompt, chat: s.chat, tree: s.tree, cursor: s.cursor });
  await ctx.link.forgetAll();
  ctx.replaceTree({ prompt: h.prompt, chat: h.chat ?? null, tree: h.tree, cursor: h.cursor, history, records: {}, stepEntropy: {}, beamRun: null });
  await ensureRecord(ctx, displayNodeOf(ctx.s));
}
