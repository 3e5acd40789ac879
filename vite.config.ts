import type { Plugin, Connect } from 'vite';
import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve, normalize } from 'node:path';

/**
 * The ONNX Runtime WASM runtime must be the exact onnxruntime-web version that
 * @huggingface/transformers pins. We serve it ourselves from a versioned path
 * (`ort/<version>/`), copied from node_modules at build time, never from a CDN.
 */
const ortDir = resolve('node_modules/onnxruntime-web/dist');
const ortVersion: string = JSON.parse(
  readFileSync(resolve('node_modules/onnxruntime-web/package.json'), 'utf8'),
).version;
/** Plain build for the WASM device (compiles ~2x faster), asyncify build for WebGPU. */
const ortFiles = [
  'ort-wasm-simd-threaded.mjs',
  'ort-wasm-simd-threaded.wasm',
  'ort-wasm-simd-threaded.asyncify.mjs',
  'ort-wasm-simd-threaded.asyncify.wasm',
];
const ortPrefix = `ort/${ortVersion}/`;

/**
 * Content-Security-Policy of the production build: our own files; WebAssembly compilation
 * ('wasm-unsafe-eval'); the module worker and the blob: URLs ONNX Runtime creates for its wasm
 * factory; model downloads from the Hugging Face Hub or a hub mirror on this machine (loopback, any port:
 * `?hubHost=http://127.0.0.1:8080/`, as the e2e tests' local hub); React's inline style attributes. Nothing else.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval' blob:",
  "worker-src 'self' blob:",
  "connect-src 'self' blob: data: https://huggingface.co https://*.huggingface.co https://*.hf.co http://localhost:* http://127.0.0.1:*",
  "img-src 'self' data: blob:",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
].join('; ');

const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

function contentType(file: string): string {
  if (file.endsWith('.wasm')) return 'application/wasm';
  if (file.endsWith('.mjs') || file.endsWith('.js')) return 'text/javascript';
  if (file.endsWith('.json')) return 'application/json';
  return 'application/octet-stream';
}

/**
 * Serves files under `<base>models/` from `root` and answers 404 for a missing
 * one, instead of Vite's SPA fallback (index.html), which would turn a missing
 * optional JSON into "Unexpected token '<'".
 */
function modelFiles(base: string, root: string): Connect.NextHandleFunction {
  const prefix = `${base}models/`;
  return (req, res, next) => {
    const url = decodeURIComponent((req.url ?? '').split('?')[0]);
    if (!url.startsWith(prefix)) return next();
    const rel = normalize(url.slice(base.length));
    const file = join(root, rel);
    if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) {
      res.statusCode = 404;
      res.setHeader('Content-Type', 'text/plain');
      res.end(`404 Not Found: ${url}`);
      return;
    }
    return next();
  };
}

function ortRuntime(): Plugin {
  let base = '/';
  return {
    name: 'ort-runtime',
    configResolved(config) {
      base = config.base;
    },
    configureServer(server) {
      server.middlewares.use(modelFiles(base, resolve('public')));
      server.middlewares.use((req, res, next) => {
        const url = (req.url ?? '').split('?')[0];
        const at = `${base}${ortPrefix}`;
        if (!url.startsWith(at)) return next();
        const name = url.slice(at.length);
        if (!ortFiles.includes(name)) {
          res.statusCode = 404;
          res.end();
          return;
        }
        res.setHeader('Content-Type', contentType(name));
        for (const [k, v] of Object.entries(isolationHeaders)) res.setHeader(k, v);
        createReadStream(join(ortDir, name)).pipe(res);
      });
    },
    configurePreviewServer(server) {
      server.middlewares.use(modelFiles(base, resolve('dist')));
    },
    transformIndexHtml: {
      order: 'post',
      handler(html, ctx) {
        // only the production build: the dev server injects inline scripts for hot reload
        if (ctx.server) return html;
        return html.replace('<head>', `<head>\n    <meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}" />`);
      },
    },
    generateBundle(_options, bundle) {
      // onnxruntime-web's own `new URL('...wasm', import.meta.url)` makes Vite emit a second copy of
      // the 27 MB asyncify wasm under assets/; it is never fetched (wasmPaths points at ort/<version>/)
      for (const key of Object.keys(bundle)) if (/^assets\/ort-wasm-simd-threaded[^/]*\.wasm$/.test(key)) delete bundle[key];
      for (const name of ortFiles) {
        this.emitFile({ type: 'asset', fileName: `${ortPrefix}${name}`, source: readFileSync(join(ortDir, name)) });
      }
    },
  };
}

export default defineConfig({
  base: process.env.BASE_PATH ?? '/',
  plugins: [react(), ortRuntime()],
  define: {
    __ORT_PATH__: JSON.stringify(ortPrefix),
  },
  worker: { format: 'es' },
  server: { port: 5173, strictPort: true, headers: isolationHeaders },
  // the header also covers the worker script, which a <meta> policy does not reach
  preview: { port: 4173, strictPort: true, headers: { ...isolationHeaders, 'Content-Security-Policy': CONTENT_SECURITY_POLICY } },
  optimizeDeps: { exclude: ['@huggingface/transformers'] },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 4096,
    // bench/bare.html: the floor page of the cold-start benchmark (npm run bench)
    rollupOptions: { input: { main: resolve('index.html'), bare: resolve('bench/bare.html') } },
  },
  test: {
    include: ['src/**/*.test.ts', 'tests/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    pool: 'forks',
  },
});
