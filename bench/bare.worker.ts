import { AutoModelForCausalLM, AutoTokenizer, env } from '@huggingface/transformers';

self.onmessage = async (ev: MessageEvent<{ base: string; ort: string; model: string | null; host: string | null; dtype: string | null; cache: boolean }>) => {
  try {
    const onnx = env.backends.onnx as { wasm?: { wasmPaths?: unknown; numThreads?: number } };
    const ort = new URL(ev.data.ort, self.location.href).href;
    if (onnx.wasm) {
      onnx.wasm.wasmPaths = { mjs: `${ort}ort-wasm-simd-threaded.mjs`, wasm: `${ort}ort-wasm-simd-threaded.wasm` };
      onnx.wasm.numThreads = 1;
    }
    const hub = ev.data.model && ev.data.host;
    env.allowLocalModels = !hub;
    env.allowRemoteModels = !!hub;
    // `?cache=1`: store the downloads in Cache Storage as the app does for Hub models (to split that cost out)
    env.useBrowserCache = !!hub && ev.data.cache;
    env.localModelPath = `${ev.data.base}models/`;
    if (hub) env.remoteHost = ev.data.host!;
    const id = hub ? ev.data.model! : 'tiny-bilingual-gpt2';
    const saved = env.fetch;
    if (!env.useBrowserCache) env.fetch = ((input: RequestInfo | URL, init?: RequestInit) => saved(input as never, { ...init, cache: 'no-store' })) as typeof env.fetch;
    const [tok, model] = await Promise.all([
      AutoTokenizer.from_pretrained(id),
      AutoModelForCausalLM.from_pretrained(id, { device: 'wasm', dtype: (ev.data.dtype ?? 'fp32') as 'fp32' }),
    ]);
    const inputs = tok('In the beginning God');
    const t0 = performance.now();
    await (model as unknown as (i: unknown) => Promise<unknown>)(inputs);
    self.postMessage({ ms: performance.now() - t0 });
  } catch (e) {
    self.postMessage({ ms: 0, error: String(e) });
  }
};
