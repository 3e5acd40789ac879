/**
 * The model worker: a thin adapter from protocol messages to ModelSession.
 * The only place (with session.ts) that touches transformers.js in the browser.
 */
import { env } from '@huggingface/transformers';
import { chooseDtype, ModelSession, relativePath } from './session.ts';
import { EngineError } from '../engine/errors.ts';
import { planLoad } from '../models/loadPlan.ts';
import { benchMath } from '../engine/benchMath.ts';
import type { Device, ModelSource, WorkerRequest, WorkerResponse } from './protocol.ts';

const scope = self as unknown as {
  postMessage(msg: WorkerResponse, transfer?: Transferable[]): void;
  onmessage: ((ev: MessageEvent<WorkerRequest>) => void) | null;
  location: Location;
  crossOriginIsolated: boolean;
};

let ms: ModelSession | null = null;
/** Ids of 'run' requests asked to stop. */
const cancelledRuns = new Set<number>();

function post(msg: WorkerResponse, transfer: Transferable[] = []): void {
  scope.postMessage(msg, transfer);
}

function fail(id: number, e: unknown): void {
  if (e instanceof EngineError) post({ type: 'error', id, code: e.code, message: e.message });
  else if (e instanceof RangeError) post({ type: 'error', id, code: 'invalid-setting', message: e.message });
  else post({ type: 'error', id, code: 'unknown', message: e instanceof Error ? e.message : String(e) });
}

async function chooseDevice(pref: 'auto' | 'webgpu' | 'wasm'): Promise<{ device: Device; shaderF16: boolean }> {
  if (pref === 'wasm') return { device: 'wasm', shaderF16: false };
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<{ features: Set<string> } | null> } }).gpu;
  const adapter = gpu ? await gpu.requestAdapter().catch(() => null) : null;
  if (!adapter) {
    if (pref === 'webgpu') throw new EngineError('model-load', 'WebGPU is not available in this browser (no adapter)');
    return { device: 'wasm', shaderF16: false };
  }
  return { device: 'webgpu', shaderF16: adapter.features.has('shader-f16') };
}

async function sha256Hex(parts: ArrayBuffer[]): Promise<string> {
  const hashes = await Promise.all(parts.map((p) => crypto.subtle.digest('SHA-256', p)));
  const joined = new Uint8Array(hashes.length * 32);
  hashes.forEach((h, i) => joined.set(new Uint8Array(h), i * 32));
  const all = await crypto.subtle.digest('SHA-256', joined);
  return Array.from(new Uint8Array(all), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Model card text and a SHA-256 over config.json, tokenizer.json and the ONNX file, for the dtype the
 * model loads with (chooseDtype on its config). Runs while the model loads (the files are fetched
 * and hashed off this thread's critical path; before, it ran after the load and delayed the first
 * distribution by ~0.4 s, bench P7). Never throws: the card and fingerprint are optional extras.
 */
async function describeSource(
  source: ModelSource,
  modelsPath: string,
  opts: { device: Device; shaderF16: boolean },
): Promise<{ modelCard: string | null; fingerprint: string | null; dtype: string | null }> {
  const onnxName = (dtype: string) => `onnx/model${dtype === 'fp32' ? '' : dtype === 'q8' ? '_quantized' : `_${dtype}`}.onnx`;
  try {
    if (source.kind === 'folder') {
      const files = new Map(source.files.map((f) => [relativePath(f), f]));
      const card = files.get('README.md');
      const config = files.get('config.json');
      // the file the load picks from the folder's list (src/models/loadPlan.ts)
      const plan = planLoad(source.name, [...files].map(([path, f]) => ({ path, size: f.size })), config ? (JSON.parse(await config.text()) as Record<string, unknown>) : {}, opts);
      const dtype = plan.dtype;
      const names = ['config.json', 'tokenizer.json', plan.layout?.dtypes.find((d) => d.dtype === dtype)?.onnx ?? onnxName(dtype)];
      const parts = await Promise.all(names.map((n) => files.get(n)?.arrayBuffer() ?? Promise.resolve(new ArrayBuffer(0))));
      return { modelCard: card ? await card.text() : null, fingerprint: await sha256Hex(parts), dtype };
    }
    if (source.kind === 'embedded') {
      const base = new URL(`${modelsPath}${source.name}/`, scope.location.href);
      // no-store, as the model load's own fetches (see session.ts)
      const get = (n: string) => fetch(new URL(n, base), { cache: 'no-store' });
      const cardP = get('README.md').then((r) => (r.ok ? r.text() : null));
      const configBytes = await (await get('config.json')).arrayBuffer();
      const dtype = chooseDtype(JSON.parse(new TextDecoder().decode(configBytes)) as Record<string, unknown>, opts);
      const rest = await Promise.all(['tokenizer.json', onnxName(dtype)].map(async (n) => (await get(n)).arrayBuffer()));
      return { modelCard: await cardP, fingerprint: await sha256Hex([configBytes, ...rest]), dtype };
    }
    const host = source.host ?? 'https://huggingface.co/';
    const card = await fetch(`${host}${source.modelId}/resolve/${source.revision ?? 'main'}/README.md`).catch(() => null);
    return { modelCard: card && card.ok ? await card.text() : null, fingerprint: null, dtype: null };
  } catch {
    return { modelCard: null, fingerprint: null, dtype: null };
  }
}

async function load(msg: Extract<WorkerRequest, { type: 'load' }>): Promise<void> {
  const { device, shaderF16 } = await chooseDevice(msg.device);
  const onnx = env.backends.onnx as { wasm?: { wasmPaths?: unknown; numThreads?: number } };
  const ortBase = new URL(msg.ortPath, scope.location.href).href;
  // plain build for WASM (compiles ~2x faster); asyncify build for WebGPU
  const flavour = device === 'webgpu' ? '.asyncify' : '';
  if (onnx.wasm) {
    onnx.wasm.wasmPaths = {
      mjs: `${ortBase}ort-wasm-simd-threaded${flavour}.mjs`,
      wasm: `${ortBase}ort-wasm-simd-threaded${flavour}.wasm`,
    };
    const cores = navigator.hardwareConcurrency || 1;
    onnx.wasm.numThreads = scope.crossOriginIsolated ? Math.max(1, Math.min(4, Math.ceil(cores / 2))) : 1;
  }
  const files = new Map<string, { loaded: number; total: number }>();
  const described = describeSource(msg.source, msg.modelsPath, { device, shaderF16 });
  let lastProgress = -Infinity;
  let next: ModelSession;
  try {
    next = await ModelSession.load(msg.source, {
      device,
      shaderF16,
      modelsPath: msg.modelsPath,
      dtype: msg.source.kind === 'hub' ? msg.source.dtype : undefined,
      progress: (p) => {
        files.set(p.file, { loaded: p.loaded, total: p.total });
        // at most one progress message per 100 ms (plus each file's end): every message is a render
        // on the main thread, which competes with the model load for the CPU (bench P7)
        const now = performance.now();
        if (p.progress < 1 && now - lastProgress < 100) return;
        lastProgress = now;
        let loadedAll = 0;
        let totalAll = 0;
        for (const f of files.values()) {
          loadedAll += f.loaded;
          totalAll += f.total;
        }
        post({ type: 'load-progress', id: msg.id, ...p, loadedAll, totalAll, overall: totalAll > 0 ? loadedAll / totalAll : 0 });
      },
    });
  } catch (e) {
    // the client retries a WebGPU failure on WASM in a fresh worker
    if (device === 'webgpu' && e instanceof EngineError) throw new EngineError(e.code, `[webgpu] ${e.message}`);
    throw e;
  }
  const d = await described;
  next.info.modelCard = d.modelCard;
  // a fingerprint of other weights than the loaded ones would be wrong: none then
  next.info.fingerprint = d.dtype === next.info.dtype ? d.fingerprint : null;
  if (ms) await ms.release();
  ms = next;
  post({ type: 'loaded', id: msg.id, info: ms.info });
}

function need(): ModelSession {
  if (!ms) throw new EngineError('model-load', 'no model is loaded');
  return ms;
}

scope.onmessage = async (ev: MessageEvent<WorkerRequest>) => {
  const msg = ev.data;
  try {
    switch (msg.type) {
      case 'load':
        await load(msg);
        break;
      case 'cancel-load':
        // cancelling terminates this worker from the client; nothing to do here
        break;
      case 'tokenize':
        post({ type: 'tokens', id: msg.id, ids: need().tokenize(msg.text, msg.addSpecialTokens) });
        break;
      case 'chat-tokenize':
        post({ type: 'tokens', id: msg.id, ids: need().chatTokenize(msg.messages) });
        break;
      case 'step': {
        const t0 = performance.now();
        const s = need();
        const r = await s.step(msg);
        const rec = r.record;
        post(
          { type: 'step-result', id: msg.id, nodeId: msg.nodeId, record: rec, choice: r.choice, forwardCount: s.forwardCount, forwardMs: r.ms, workerMs: performance.now() - t0, phase: r.phase },
          [rec.tokenIds.buffer, rec.logits.buffer, rec.stageProbs.buffer, rec.kept.buffer, rec.restMass.buffer, rec.removedAt.buffer, rec.cumBefore.buffer],
        );
        break;
      }
      case 'query':
        post({ type: 'query-result', id: msg.id, nodeId: msg.nodeId, stats: await need().query(msg) });
        break;
      case 'cancel-run':
        cancelledRuns.add(msg.runId);
        post({ type: 'done', id: msg.id });
        break;
      case 'run': {
        const s = need();
        const steps = await s.run(msg, (r) => {
          const rec = r.record;
          post(
            { type: 'run-step', id: msg.id, record: rec, choice: r.choice, forwardCount: s.forwardCount, forwardMs: r.ms, phase: r.phase },
            [rec.tokenIds.buffer, rec.logits.buffer, rec.stageProbs.buffer, rec.kept.buffer, rec.restMass.buffer, rec.removedAt.buffer, rec.cumBefore.buffer],
          );
        }, () => cancelledRuns.has(msg.id));
        cancelledRuns.delete(msg.id);
        post({ type: 'run-done', id: msg.id, steps, forwardCount: s.forwardCount });
        break;
      }
      case 'beam': {
        const s = need();
        const hyps = await s.beam(msg, (record) => post({ type: 'beam-step', id: msg.id, record, forwardCount: s.forwardCount }));
        post({ type: 'beam-done', id: msg.id, hypotheses: hyps, forwardCount: s.forwardCount });
        break;
      }
      case 'score-text': {
        const s = need();
        const r = await s.scoreText(msg.text);
        post({ type: 'score-result', id: msg.id, tokens: r.tokens, windows: r.windows, forwardCount: s.forwardCount });
        break;
      }
      case 'mc-sample': {
        const s = need();
        const h = await s.mcSample(msg);
        post({ type: 'mc-result', id: msg.id, histogram: h, forwardCount: s.forwardCount }, [h.tokenIds.buffer, h.counts.buffer, h.probs.buffer, h.finalProbs.buffer]);
        break;
      }
      case 'mc-tree': {
        const s = need();
        post({ type: 'mc-tree-result', id: msg.id, nodes: await s.mcTree(msg), forwardCount: s.forwardCount });
        break;
      }
      case 'mc-cancel':
        need().cancelMcTree(msg.target);
        post({ type: 'done', id: msg.id });
        break;
      case 'forget':
        await need().forget(msg.nodeIds);
        post({ type: 'done', id: msg.id });
        break;
      case 'stats':
        post({ type: 'stats-result', id: msg.id, ...need().stats() });
        break;
      case 'bench-raw-decode':
        post({ type: 'bench-result', id: msg.id, ms: await need().benchRawDecode(msg.path, msg.ids, msg.reps) });
        break;
      case 'bench-generate':
        post({ type: 'bench-result', id: msg.id, ms: [await need().benchGenerate(msg.ids, msg.maxNewTokens)] });
        break;
      case 'bench-math': {
        const r = benchMath(msg.vocabSize, msg.reps, () => performance.now());
        post({ type: 'bench-result', id: msg.id, ms: r.ms, floorMs: r.floorMs });
        break;
      }
      case 'crash-for-test':
        // lets tests exercise crash recovery: an uncaught error reaches the page as the worker's error event
        setTimeout(() => {
          throw new Error('simulated worker crash');
        }, 0);
        break;
      default: {
        const never: never = msg;
        throw new Error(`unknown message ${JSON.stringify(never)}`);
      }
    }
  } catch (e) {
    fail(msg.id, e);
  }
};
