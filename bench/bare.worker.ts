import { AutoModelForCausalLM, AutoTokenizer, env } from '@huggingface/transformers';

self.onmessage = async (ev: MessageEvent<{ base: string; ort: string }>) => {
  try {
    const onnx = env.backends.onnx as { wasm?: { wasmPaths?: unknown; numThreads?: number } };
    const ort = new URL(ev.data.ort, self.location.href).href;
    if (onnx.wasm) {
      onnx.wasm.wasmPaths = { mjs: `${ort}ort-wasm-simd-threaded.mjs`, wasm: `${ort}ort-wasm-simd-threaded.wasm` };
      onnx.wasm.numThreads = 1;
    }
    env.allowLocalModels = true;
    env.allowRemoteModels = false;
    env.useBrowserCache = false;
    env.localModelPath = `${ev.data.base}models/`;
    const saved = env.fetch;
    env.fetch = ((input: RequestInfo | URL, init?: RequestInit) => saved(input as never, { ...init, cache: 'no-store' })) as typeof env.fetch;
    const tok = await AutoTokenizer.from_pretrained('tiny-bilingual-gpt2');
    const model = await AutoModelForCausalLM.from_pretrained('tiny-bilingual-gpt2', { device: 'wasm', dtype: 'fp32' });
    const inputs = tok('In the beginning God');
    const t0 = performance.now();
    await (model as unknown as (i: unknown) => Promise<unknown>)(inputs);
    self.postMessage({ ms: performance.now() - t0 });
  } catch (e) {
    self.postMessage({ ms: 0, error: String(e) });
  }
};
