/**
 * Model actions: load (with WebGPU → WASM fallback), cancel, crash recovery, the browser's cached
 * hub models, and the device preference.
 */
import type { AnySource, DevicePreference } from '../../domain/types.ts';
import { deleteCachedModel as deleteFromCache, listCachedModels, type CachedModel } from '../../models/browserCache.ts';
import type { WorkerResponse } from '../../worker/protocol.ts';
import { displayNodeOf } from '../selectors.ts';
import { toAppError, type ActionContext } from './context.ts';
import { ensureRecord } from './step.ts';
import { setPrompt } from './prompt.ts';
import type { AppError } from '../store.ts';
import { hostStore } from '../../models/hostStore.ts';
import { carryLearntVocabulary, withVocabAdditions } from '../../domain/vocabGrowth.ts';

/**
 * Loads a model in a fresh worker; the previous model keeps working until the new one is ready (and
 * stays if loading fails). WebGPU failures retry on WASM.
 */
export async function loadModel(ctx: ActionContext, source: AnySource, devicePref: DevicePreference = ctx.s.devicePref, fallbackReason: string | null = null): Promise<void> {
  // the download host: `?hubHost=`, else the picker's remembered setting (src/models/hostStore.ts)
  if (source.kind === 'hub' && !source.host) source = { ...source, host: hostStore.getState().host };
  const hadModel = ctx.link.ready;
  ctx.set({ status: 'loading', progress: 0, progressFile: '', progressFileFraction: 0, loadError: null, devicePref, loadBytes: 0, loadTotalBytes: 0, loadFiles: 0, loadFilesDone: 0 });
  /** Per file: finished (loaded ≥ total > 0)? */
  const files = new Map<string, boolean>();
  let current = true;
  const onProgress = (m: WorkerResponse) => {
    if (m.type !== 'load-progress' || !current) return;
    files.set(m.file, m.total > 0 && m.loaded >= m.total);
    ctx.set({
      progress: m.overall,
      progressFile: m.file,
      progressFileFraction: m.progress,
      loadBytes: m.loadedAll,
      loadTotalBytes: m.totalAll,
      loadFiles: files.size,
      loadFilesDone: [...files.values()].filter(Boolean).length,
    });
  };
  ctx.link.onCrash = (reason) => void recover(ctx, reason);
  // a top-N server's vocabulary grows as tokens are seen (src/domain/vocabGrowth.ts)
  ctx.link.onVocab = (additions) => {
    if (ctx.s.info) ctx.set({ info: withVocabAdditions(ctx.s.info, additions) });
  };
  try {
    const info = await ctx.link.load(source, devicePref, onProgress);
    current = false;
    if (!info) return; // a newer load or a cancel took over
    // a new model runs in a new worker: no draft model is attached to it (issue #21); reconnecting to the
    // same vLLM server and model keeps the token texts learnt before (vocabGrowth.ts)
    ctx.set({ status: 'ready', workerReady: true, info: { ...carryLearntVocabulary(ctx.s.info, info), fallbackReason }, source, progress: 1, forwardCount: 0, specDraft: null, specDraftError: null });
    // a server without raw logits cannot apply the repetition penalty (greyed in the settings, refused by the decoder)
    if (info.engine && !info.engine.rawLogits) ctx.set({ sampling: { ...ctx.s.sampling, repetitionPenalty: 1 }, beam: { ...ctx.s.beam, repetitionPenalty: 1 } });
    if (source.kind === 'hub') void refreshCachedModels(ctx);
    await setPrompt(ctx, ctx.s.prompt, { force: true });
  } catch (e) {
    current = false;
    const err = toAppError(e);
    const fileProblem = err.code === 'model-missing-file' || err.code === 'model-not-causal-lm' || err.code === 'model-fetch' || err.code === 'cancelled';
    if (devicePref !== 'wasm' && !fileProblem && (err.message.startsWith('[webgpu]') || err.code === 'worker-crash')) {
      return loadModel(ctx, source, 'wasm', err.message.replace('[webgpu] ', ''));
    }
    err.message = err.message.replace('[webgpu] ', '');
    ctx.set({ status: hadModel ? 'ready' : 'error', loadError: err, progress: 0 });
  }
}

/**
 * Connects to a model server (llama.cpp, vLLM, Ollama) as the engine: a load whose source is the
 * server. The API key stays in memory (the store's source), never in sessions, exports or share links.
 * `topN` > 0 asks llama.cpp for only the top N tokens per step (when the whole vocabulary is too slow).
 */
export function connectServer(ctx: ActionContext, url: string, model: string, apiKey: string, topN = 0): Promise<void> {
  return loadModel(ctx, { kind: 'server', url: url.trim(), model: model.trim(), ...(apiKey ? { apiKey } : {}), ...(topN > 0 ? { topN } : {}) }, 'wasm');
}

/** Cancels a model download in progress (terminates its worker). */
export function cancelLoad(ctx: ActionContext): void {
  if (!ctx.link.cancelLoad()) return;
  ctx.set({ status: ctx.link.ready ? 'ready' : 'idle', loadError: { code: 'cancelled', message: 'loading cancelled' }, progress: 0 });
}

/** Which device the next load asks for. */
export function setDevicePref(ctx: ActionContext, devicePref: DevicePreference): void {
  ctx.set({ devicePref });
}

/** Reads the hub models kept in the browser's Cache Storage into `cachedModels`. */
export async function refreshCachedModels(ctx: ActionContext): Promise<void> {
  if (typeof caches === 'undefined') {
    ctx.set({ cachedModels: [], cacheError: 'unavailable' });
    return;
  }
  try {
    ctx.set({ cachedModels: await listCachedModels(caches), cacheError: null });
  } catch (e) {
    ctx.set({ cachedModels: [], cacheError: e instanceof Error ? e.message : String(e) });
  }
}

/** Deletes one cached hub model's files from Cache Storage, then re-reads the list. */
export async function deleteCachedModel(ctx: ActionContext, model: Pick<CachedModel, 'modelId' | 'host'>): Promise<void> {
  try {
    await deleteFromCache(caches, model);
  } catch (e) {
    ctx.set({ cacheError: e instanceof Error ? e.message : String(e) });
  }
  await refreshCachedModels(ctx);
}

/** After a worker crash: new worker, same model (WASM if the GPU failed), caches rebuilt on demand; tree and cursor unchanged. */
export async function recover(ctx: ActionContext, reason: string): Promise<void> {
  const source = ctx.s.source;
  if (!source) return;
  ctx.set({ error: { code: 'worker-crash', message: reason }, busy: false, playing: false, workerReady: false });
  const wasGpu = ctx.s.info?.device === 'webgpu';
  const pref = wasGpu ? 'wasm' : ctx.s.devicePref;
  try {
    const info = await ctx.link.load(source, pref, undefined, true);
    if (!info) return;
    ctx.set({ info: { ...carryLearntVocabulary(ctx.s.info, info), fallbackReason: wasGpu ? reason : null }, status: 'ready', workerReady: true, records: {} });
    await ensureRecord(ctx, displayNodeOf(ctx.s));
  } catch (e) {
    ctx.set({ status: 'error', loadError: toAppError(e) });
  }
}

/** A failed run on WebGPU poisons the session: continue on WASM in a fresh worker (tree kept). */
export function onRunError(ctx: ActionContext, e: unknown): AppError {
  const err = toAppError(e);
  if (ctx.s.info?.device === 'webgpu' && (err.code === 'unknown' || err.code === 'non-finite-logits') && ctx.link.ready) {
    ctx.link.abandon();
    void recover(ctx, `WebGPU: ${err.message}`);
  }
  return err;
}
