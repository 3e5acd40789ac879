/**
 * Session and persistence actions: the saved session restored after the first load (IndexedDB
 * snapshot plus the synchronous journal, journal.ts), the journal entry of every change, debounced
 * autosave, export and import of session files, a read-only session of another model, a new session.
 */
import type { AnySource } from '../../domain/types.ts';
import { withVocabAdditions } from '../../domain/vocabGrowth.ts';
import { parseSession, recordsOf, toSessionFile, type SessionFile } from '../sessionSchema.ts';
import { appJournal, clearSavedSession, readSavedSession, storageMessage, writeSession } from '../persistence.ts';
import { journalEntry } from '../journal.ts';
import { classroomForSave, onClassroomChange, restoreClassroom } from '../sessionExtras.ts';
import type { AppState } from '../store.ts';
import { displayNodeOf } from '../selectors.ts';
import { DEFAULT_SETTINGS } from '../store.ts';
import type { ActionContext } from './context.ts';
import { loadModel } from './model.ts';
import { promptIdsOf, setPrompt } from './prompt.ts';
import { ensureRecord } from './step.ts';

function sessionModel(ctx: ActionContext): SessionFile['model'] | null {
  const info = ctx.s.info;
  if (!info) return null;
  const model: SessionFile['model'] = { id: info.id, sourceKind: info.sourceKind, vocabSize: info.vocabSize, fingerprint: info.fingerprint };
  const e = info.engine;
  if (e) {
    // the server, never its key (issue #16); a vocabulary learnt as tokens appear travels with the session
    model.engine = { dialect: e.dialect, url: e.url, model: e.model, version: e.version };
    if (!e.fullVocab) model.engine.pieces = usedPieces(ctx);
  }
  return model;
}

/** The bytes of every token id the session uses (prompt, tree edges, recorded distributions). */
function usedPieces(ctx: ActionContext): [number, number[]][] {
  const { info, tree, records } = ctx.s;
  if (!info) return [];
  const ids = new Set<number>(tree.promptIds);
  for (const n of tree.nodes) if (n.edge) ids.add(n.edge.tokenId);
  for (const r of Object.values(records)) for (const id of r.record.tokenIds) ids.add(id);
  return [...ids]
    .filter((id) => id >= 0 && id < info.vocabSize && info.vocabOffsets[id + 1] > info.vocabOffsets[id])
    .sort((a, b) => a - b)
    .map((id) => [id, Array.from(info.vocabBytes.subarray(info.vocabOffsets[id], info.vocabOffsets[id + 1]))]);
}

function matchesLoaded(ctx: ActionContext, s: SessionFile): boolean {
  const m = sessionModel(ctx);
  if (!m || m.id !== s.model.id || m.vocabSize !== s.model.vocabSize || m.fingerprint !== s.model.fingerprint) return false;
  // a server session belongs to that server and model
  if (m.engine || s.model.engine) return !!m.engine && !!s.model.engine && m.engine.url === s.model.engine.url && m.engine.model === s.model.engine.model;
  return true;
}

/**
 * After the first model load: restores the saved session when it was made with this model (the
 * identical tree, settings and cursor); a session of another model is never replayed on this one.
 * Then saves every change (debounced) until the page closes.
 */
export async function restoreSession(ctx: ActionContext): Promise<void> {
  const read = await readSavedSession();
  if (read.storageError) ctx.set({ storageNotice: read.storageError });
  const saved = read.result;
  if (saved && !saved.ok) {
    ctx.set({ sessionProblemSource: 'saved', sessionProblem: saved.message });
    await clearSavedSession().catch(() => undefined);
  } else if (saved?.ok) {
    if (matchesLoaded(ctx, saved.session)) {
      const problem = await problemWithLoadedModel(ctx, saved.session);
      if (problem) {
        ctx.set({ sessionProblemSource: 'saved', sessionProblem: problem });
        await clearSavedSession().catch(() => undefined);
      } else {
        await applySession(ctx, saved.session);
        // this page starts its own chain (entries are tagged by tab): its first entry holds the whole session
        ctx.session.journalNeedsBase = true;
      }
    } else {
      showSession(ctx, saved.session, true);
      return; // keep the saved session until the user loads its model or starts a new one
    }
  }
  startAutosave(ctx);
}

/** Puts a validated session on screen: editable (its model is loaded) or read-only (another model). */
function showSession(ctx: ActionContext, s: SessionFile, readOnly: boolean): void {
  ctx.session.pending = readOnly ? s : null;
  restoreClassroom(s.classroom);
  ctx.replaceTree({
    prompt: s.prompt,
    chat: s.chat ?? null,
    chatAllowSpecial: s.chatAllowSpecial ?? false,
    ...s.settings,
    constraint: s.settings.constraint,
    tree: s.tree,
    cursor: s.cursor,
    records: recordsOf(s),
    stepEntropy: {},
    beamRun: null,
    specRun: s.speculative ?? null,
    promptError: null,
    error: null,
    sessionProblem: null,
    readOnly: readOnly ? { modelId: s.model.id, sourceKind: s.model.sourceKind, ...(s.model.engine ? { host: hostOf(s.model.engine.url) } : {}) } : null,
  });
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

async function applySession(ctx: ActionContext, s: SessionFile): Promise<void> {
  await ctx.link.forgetAll();
  // the saved bytes of the tokens a top-N server reported (its vocabulary is learnt as tokens appear)
  const pieces = s.model.engine?.pieces;
  if (pieces && ctx.s.info) ctx.set({ info: withVocabAdditions(ctx.s.info, pieces.map(([id, bytes]) => ({ id, bytes: Uint8Array.from(bytes) }))) });
  showSession(ctx, s, false);
  await ensureRecord(ctx, displayNodeOf(ctx.s));
}

/** Checks a session against the loaded model: its prompt text must give its token ids, and its deepest path must fit the context. */
async function problemWithLoadedModel(ctx: ActionContext, s: SessionFile): Promise<string | null> {
  const info = ctx.s.info!;
  const deepest = Math.max(...s.tree.nodes.map((n) => n.depth));
  if (s.tree.promptIds.length + deepest > info.contextLength) {
    return `prompt and path of ${s.tree.promptIds.length + deepest} tokens exceed the context of ${info.contextLength}`;
  }
  if (s.chat && !info.hasChatTemplate) return `the session's prompt comes from a chat template; ${info.id} has none`;
  let ids: number[];
  try {
    ids = (await promptIdsOf(ctx, s.prompt, s.chat ?? null, s.chatAllowSpecial ?? false)).ids;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  if (ids.length === 0 && info.bosTokenId !== null) ids = [info.bosTokenId];
  if (ids.join() !== s.tree.promptIds.join()) {
    return s.chat ? 'the conversation does not give the prompt token ids of the session' : 'the prompt text does not give the prompt token ids of the session';
  }
  return null;
}

/** The session on screen as a session file, under the given model identity. */
function currentSessionFile(ctx: ActionContext, model: SessionFile['model']): SessionFile {
  const s = ctx.s;
  return toSessionFile({ model, prompt: s.prompt, chat: s.chat, settings: s, tree: s.tree, cursor: s.cursor, records: s.records, classroom: classroomForSave(), chatAllowSpecial: s.chatAllowSpecial, speculative: s.specRun });
}

/** The current session as a versioned JSON file (with the recorded distributions), or null before a prompt. */
export function exportSession(ctx: ActionContext): string | null {
  const model = ctx.session.pending?.model ?? sessionModel(ctx);
  if (!model || ctx.s.tree.promptIds.length === 0) return null;
  return JSON.stringify(currentSessionFile(ctx, model));
}

/**
 * Imports a session file: validated first (nothing partial is applied); opened editable when its
 * model is the loaded one, read-only otherwise.
 */
export async function importSession(ctx: ActionContext, text: string): Promise<void> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    ctx.set({ sessionProblemSource: 'import', sessionProblem: `not JSON (${e instanceof Error ? e.message : String(e)})` });
    return;
  }
  const r = parseSession(value);
  if (!r.ok) {
    ctx.set({ sessionProblemSource: 'import', sessionProblem: r.message });
    return;
  }
  ctx.set({ sessionProblem: null, playing: false });
  if (matchesLoaded(ctx, r.session)) {
    const problem = await problemWithLoadedModel(ctx, r.session);
    if (problem) {
      ctx.set({ sessionProblemSource: 'import', sessionProblem: problem });
      return;
    }
    await applySession(ctx, r.session);
    await saveNow(ctx);
  } else showSession(ctx, r.session, true); // never replayed: shown from its recorded distributions
}

/** Starts saving changes to browser storage (after a share link was opened). */
export async function startSaving(ctx: ActionContext): Promise<void> {
  startAutosave(ctx);
  await saveNow(ctx);
}

/** Saves every change of the session (debounced 100 ms, and at once when the page is hidden). Idempotent. */
export function startAutosave(ctx: ActionContext): void {
  const own = ctx.session;
  if (own.autosave) return;
  own.autosave = ctx.store.subscribe((st, prev) => {
    journalChange(ctx, prev, st);
    if (st.tree === prev.tree && st.cursor === prev.cursor && st.prompt === prev.prompt && st.chat === prev.chat && st.sampling === prev.sampling &&
      st.beam === prev.beam && st.strategy === prev.strategy && st.seed === prev.seed && st.maxNewTokens === prev.maxNewTokens && st.topN === prev.topN) return;
    if (own.saveTimer) clearTimeout(own.saveTimer);
    own.saveTimer = setTimeout(() => void saveNow(ctx), 100);
  });
  // quiz answers, votes and Monte-Carlo results are saved too (not journaled: the next snapshot holds them)
  onClassroomChange(() => {
    if (own.saveTimer) clearTimeout(own.saveTimer);
    own.saveTimer = setTimeout(() => void saveNow(ctx), 100);
  });
  if (typeof window !== 'undefined') {
    // a reload or a closed tab right after a step still keeps it
    const flush = () => {
      if (own.saveTimer) clearTimeout(own.saveTimer);
      void saveNow(ctx);
    };
    window.addEventListener('pagehide', flush);
    document.addEventListener('visibilitychange', () => document.visibilityState === 'hidden' && flush());
  }
}

/**
 * Journals a change synchronously (journal.ts), so a reload right after it keeps it; the debounced
 * snapshot folds the journal in.
 */
function journalChange(ctx: ActionContext, prev: AppState, st: AppState): void {
  const j = appJournal();
  if (!j || !ctx.session.journaling || st.readOnly || !st.info || st.tree.promptIds.length === 0) return;
  const base = () => {
    const model = sessionModel(ctx);
    if (!model) return null;
    const { records: _records, ...rest } = toSessionFile({ model, prompt: st.prompt, chat: st.chat, settings: st, tree: st.tree, cursor: st.cursor });
    return rest;
  };
  const change = journalEntry(prev, st, base);
  if (!change) return; // nothing saved changed (a hover, a busy flag)
  const b = ctx.session.journalNeedsBase && !change.base ? base() : null;
  const entry = b ? { base: b } : change;
  try {
    j.append(entry);
    ctx.session.journalNeedsBase = false;
  } catch (e) {
    ctx.session.journalNeedsBase = true;
    if (!ctx.s.storageNotice) ctx.set({ storageNotice: storageMessage(e) });
  }
}

/** Writes the current session to browser storage now (IndexedDB), folding the journal into it. */
export async function saveNow(ctx: ActionContext): Promise<void> {
  const model = sessionModel(ctx);
  if (!model || ctx.s.readOnly || ctx.s.tree.promptIds.length === 0) return;
  const seq = appJournal()?.last ?? 0;
  try {
    await writeSession(currentSessionFile(ctx, model), seq);
    if (seq === (appJournal()?.last ?? 0)) ctx.session.journalNeedsBase = false;
  } catch (e) {
    if (!ctx.s.storageNotice) ctx.set({ storageNotice: storageMessage(e) });
  }
}

/** Loads the model a pending saved session was made with, then restores it. */
export async function loadPendingModel(ctx: ActionContext): Promise<void> {
  const p = ctx.session.pending;
  if (!p) return;
  const e = p.model.engine;
  // a server session reconnects only on this action (never on its own at load): same URL and model, no key
  const source: AnySource | null =
    p.model.sourceKind === 'embedded' ? { kind: 'embedded', name: p.model.id }
      : p.model.sourceKind === 'hub' ? { kind: 'hub', modelId: p.model.id }
        : p.model.sourceKind === 'server' && e ? { kind: 'server', url: e.url, model: e.model }
          : null;
  if (!source) return;
  await loadModel(ctx, source);
  if (matchesLoaded(ctx, p)) await applySession(ctx, p);
  startAutosave(ctx);
}

/** Discards the saved session and starts clean. */
export async function newSession(ctx: ActionContext): Promise<void> {
  ctx.session.pending = null;
  await clearSavedSession().catch(() => undefined);
  ctx.session.journalNeedsBase = true;
  await ctx.link.forgetAll();
  // the tree explored so far stays reachable from the prompt history (an undo for "new session")
  const s = ctx.s;
  const history = !s.readOnly && s.tree.nodes.length > 1 ? [{ prompt: s.prompt, chat: s.chat, tree: s.tree, cursor: s.cursor }, ...s.history].slice(0, 20) : s.history;
  ctx.set({ ...DEFAULT_SETTINGS, readOnly: null, sessionProblem: null, history, beamRun: null, tf: null });
  await setPrompt(ctx, ctx.s.prompt, { force: true });
  startAutosave(ctx);
  await saveNow(ctx);
}

/** Hides the notice about a session problem (the current session is kept). */
export function dismissSessionProblem(ctx: ActionContext): void {
  ctx.set({ sessionProblem: null });
}
