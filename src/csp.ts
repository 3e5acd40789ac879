/**
 * Content-Security-Policy of the production build: our own files; WebAssembly compilation
 * ('wasm-unsafe-eval'); the module worker and the blob: URLs ONNX Runtime creates for its wasm
 * factory; model downloads from the Hugging Face Hub or a hub mirror on this machine (loopback, any port:
 * `?hubHost=http://127.0.0.1:8080/`, as the e2e tests' local hub); model servers (issue #16: llama.cpp, vLLM,
 * Ollama) on loopback over http and anywhere over https — the trade-off is in docs/DEPLOY.md; React's inline
 * style attributes. Nothing else.
 * Used by the build (a <meta> in index.html), `vite preview` (a header) and the service worker (a
 * header on worker scripts, which a <meta> policy does not reach).
 */
export const CONTENT_SECURITY_POLICY: string = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval' blob:",
  "worker-src 'self' blob:",
  "connect-src 'self' blob: data: https://huggingface.co https://*.huggingface.co https://*.hf.co http://localhost:* http://127.0.0.1:* http://[::1]:* https:",
  "img-src 'self' data: blob:",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
].join('; ');
