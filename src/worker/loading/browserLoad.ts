/**
 * A 'load' request in the browser worker: picks the device (WebGPU when asked for and available,
 * else WASM), points ONNX Runtime at its runtime files, loads the model into an OrtBackend with
 * progress (at most one message per 100 ms), and reads the model card and fingerprint alongside.
 */
import { env } from '@huggingface/transformers';
import { EngineError } from '../../engine/errors.ts';
import type { OrtBackend } from '../ortBackend.ts';
import type { LoadProgress, LoadRequest } from '../dispatcher.ts';
import type { Device } from '../protocol.ts';
import { describeSource } from './describeSource.ts';
import { loadOrtBackend } from './load.ts';

/** The parts of the worker's global scope loading reads. */
export interface WorkerScope {
  location: Location;
  crossOriginIsolated: boolean;
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

/**
 * Loads the model of a 'load' request (see the module comment).
 * @throws EngineError as loadOrtBackend; a WebGPU failure's message starts with `[webgpu]` (the client retries on WASM)
 */
export async function loadForRequest(msg: LoadRequest, report: (p: LoadProgress) => void, scope: WorkerScope): Promise<OrtBackend> {
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
  const described = describeSource(msg.source, msg.modelsPath, scope.location.href, { device, shaderF16 });
  let lastProgress = -Infinity;
  let next: OrtBackend;
  try {
    next = await loadOrtBackend(msg.source, {
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
        report({ ...p, loadedAll, totalAll, overall: totalAll > 0 ? loadedAll / totalAll : 0 });
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
  return next;
}

