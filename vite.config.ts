import type { Plugin, Connect } from 'vite';
import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve, normalize } from 'node:path';
import { VitePWA } from 'vite-plugin-pwa';
import { CONTENT_SECURITY_POLICY } from './src/csp.ts';

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

/**
 * The URL path the site is served under (docs/DEPLOY.md): env `BASE_PATH`, default `/`, e.g.
 * `/school/tbt/`. Everything the app fetches (ONNX Runtime, the embedded model, the service worker
 * and its scope) follows it.
 * @throws Error when it does not start and end with `/`
 */
function basePath(value: string | undefined): string {
  const base = value || '/';
  if (!base.startsWith('/') || !base.endsWith('/')) throw new Error(`BASE_PATH must start and end with "/": ${base}`);
  return base;
}

export default defineConfig({
  base: basePath(process.env.BASE_PATH),
  plugins: [
    react(),
    ortRuntime(),
    // the one service worker: offline precache + COOP/COEP for hosts that cannot send headers (src/sw/sw.ts)
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src/sw',
      filename: 'sw.ts',
      injectRegister: false, // src/pwa/register.ts registers it (production only)
      manifest: {
        name: 'Token by Token',
        short_name: 'Token by Token',
        description: 'Watch a language model write one token at a time, in your browser.',
        display: 'standalone',
        background_color: '#ffffff',
        theme_color: '#ffffff',
        icons: [{ src: 'favicon.svg', sizes: 'any', type: 'image/svg+xml' }],
      },
      injectManifest: {
        // the shell, the WASM-device ONNX Runtime build and the embedded model; the asyncify build
        // (WebGPU only, 27 MB) is cached when first used, and the bench page is not part of the app;
        // the plugin adds the web manifest and its icon itself
        globPatterns: ['**/*.{html,js,mjs,css,json}', `${ortPrefix}ort-wasm-simd-threaded.wasm`, 'models/**/*.{json,onnx,md}'],
        globIgnores: ['**/*.asyncify.*', 'bench/**', 'assets/bare*'],
        maximumFileSizeToCacheInBytes: 64 * 1024 * 1024,
        rollupFormat: 'iife', // a classic worker script: registered without { type: 'module' }
      },
      devOptions: { enabled: false },
    }),
  ],
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
