/**
 * A plain static file server for end-to-end tests of the deployed build: serves a `dist/` folder under
 * a sub-path (as a school server would under `/school/tbt/`), with or without the production headers
 * of docs/DEPLOY.md (COOP/COEP/CORP, Content-Security-Policy, `application/wasm`). No SPA fallback,
 * no directory listing: what nginx with the documented snippet does, not what `vite preview` does.
 */
import { createServer, type Server } from 'node:http';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { CONTENT_SECURITY_POLICY } from '../../src/csp.ts';

/** MIME types of the files a build contains (the nginx `types` the docs ask for). */
const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.md': 'text/markdown; charset=utf-8',
};

export interface StaticHost {
  /** e.g. `http://localhost:43123/school/tbt/` */
  readonly url: string;
  /** Every request served so far: path and status. */
  readonly requests: { path: string; status: number }[];
  /** Stops the server and drops open connections (the "network" is gone after this). */
  close(): Promise<void>;
}

/**
 * Starts a server on an ephemeral port that serves `root` under `basePath`.
 * @param root the built folder (e.g. the output of `BASE_PATH=/school/tbt/ vite build --outDir …`)
 * @param basePath the sub-path, with leading and trailing slash
 * @param isolationHeaders true: send COOP/COEP/CORP and the CSP like the nginx snippet; false: a host
 *   that cannot set headers (only Content-Type)
 */
export async function startStaticHost(root: string, basePath: string, isolationHeaders: boolean): Promise<StaticHost> {
  const dir = resolve(root);
  const requests: StaticHost['requests'] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    const answer = (status: number) => requests.push({ path, status });
    if (!path.startsWith(basePath)) {
      answer(404);
      res.writeHead(404).end();
      return;
    }
    let file = normalize(join(dir, path.slice(basePath.length)));
    if (file !== dir && !file.startsWith(dir + sep)) {
      answer(403);
      res.writeHead(403).end();
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file) || !statSync(file).isFile()) {
      answer(404);
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    const headers: Record<string, string> = {
      'Content-Type': MIME[extname(file)] ?? 'application/octet-stream',
      'Content-Length': String(statSync(file).size),
      // like nginx's default for static files: revalidate, never a stale shell
      'Cache-Control': 'no-cache',
    };
    if (isolationHeaders) {
      headers['Cross-Origin-Opener-Policy'] = 'same-origin';
      headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
      headers['Cross-Origin-Resource-Policy'] = 'same-origin';
      headers['Content-Security-Policy'] = CONTENT_SECURITY_POLICY;
    }
    answer(200);
    res.writeHead(200, headers);
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  await new Promise<void>((ok) => server.listen(0, ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}${basePath}`,
    requests,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
