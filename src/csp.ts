/**
 * Content-Security-Policy of the production build: our own files; WebAssembly compilation
 * ('wasm-unsafe-eval'); the module worker and the blob: URLs ONNX Runtime creates for its wasm
 * factory; model downloads from any https host — the Hugging Face Hub (whose files redirect to *.hf.co) or a
 * Hub-compatible mirror chosen in the picker's download-host setting, e.g. https://hf-mirror.com/ — or a hub
 * on this machine (loopback, any port: `?hubHost=http://127.0.0.1:8080/`, as the e2e tests' local hub); model
 * servers (issue #16: llama.cpp, vLLM, Ollama) on loopback over http and anywhere over https (the trade-offs
 * are in docs/DEPLOY.md); React's inline style attributes. Nothing else.
 * Used by the build (a <meta> in index.html), `vite preview` (a header) and the service worker (a
 * header on worker scripts, which a <meta> policy does not reach).
 */
export const CONTENT_SECURITY_POLICY: string = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval' blob:",
  "worker-src 'self' blob:",
  "connect-src 'self' blob: data: https: http://localhost:* http://127.0.0.1:*",
  "img-src 'self' data: blob:",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
].join('; ');
