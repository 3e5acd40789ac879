/**
 * Benchmark P7 floor: a page that only loads transformers.js, the embedded model, and runs one
 * forward pass, in a worker like the app. Reports the time from navigation start.
 */
const worker = new Worker(new URL('./bare.worker.ts', import.meta.url), { type: 'module' });
worker.onmessage = (ev: MessageEvent<{ ms: number; error?: string }>) => {
  const done = performance.now();
  (window as unknown as { __bare: unknown }).__bare = { done, error: ev.data.error ?? null };
  document.getElementById('out')!.textContent = ev.data.error ?? `forward done at ${done.toFixed(0)} ms`;
};
worker.postMessage({ base: import.meta.env.BASE_URL, ort: `${import.meta.env.BASE_URL}${__ORT_PATH__}` });
declare const __ORT_PATH__: string;
