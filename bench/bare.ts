/**
 * Benchmark P7 floor: a page that only loads transformers.js, the embedded model (or, with
 * `?model=<id>&host=<hub url>&dtype=<dtype>`, that Hub repository), and runs one forward pass, in a worker like
 * the app. Reports the time from navigation start, and the worker's own time from its request to the forward's end.
 */
const worker = new Worker(new URL('./bare.worker.ts', import.meta.url), { type: 'module' });
const q = new URLSearchParams(location.search);
const sent = performance.now();
worker.onmessage = (ev: MessageEvent<{ ms: number; error?: string }>) => {
  const done = performance.now();
  (window as unknown as { __bare: unknown }).__bare = { done, fromRequest: done - sent, error: ev.data.error ?? null };
  document.getElementById('out')!.textContent = ev.data.error ?? `forward done at ${done.toFixed(0)} ms`;
};
worker.postMessage({ base: import.meta.env.BASE_URL, ort: `${import.meta.env.BASE_URL}${__ORT_PATH__}`, model: q.get('model'), host: q.get('host'), dtype: q.get('dtype'), cache: q.get('cache') === '1' });
declare const __ORT_PATH__: string;
