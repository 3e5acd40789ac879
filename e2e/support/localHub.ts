/**
 * A local stand-in for the Hugging Face Hub, for end-to-end tests: a plain
 * HTTP server that serves real model folders under the Hub's URL layout
 * `/{model id}/resolve/{revision}/{file}` (any revision maps to the folder).
 *
 * It answers GET and HEAD with Content-Length (so the app's progress bar
 * knows the total), supports single byte ranges, and sends CORS and
 * Cross-Origin-Resource-Policy headers so a cross-origin-isolated page
 * (COOP/COEP) may fetch from it. Every request is logged in `requests`,
 * so a test can assert what was (or was not) downloaded. It also answers the Hub's model API
 * (`/api/models/{id}?blobs=true`: `siblings` with `rfilename` and `size`) unless started with `api: false`.
 */
import { createServer, type Server } from 'node:http';
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { join, normalize, resolve, sep } from 'node:path';
import type { AddressInfo } from 'node:net';

export interface LocalHub {
  /** e.g. `http://127.0.0.1:43123/` — pass as the app's `?hubHost=`. */
  readonly url: string;
  /** Every request served so far: method and path. */
  readonly requests: { method: string; path: string; status: number }[];
  /** Stops the server and closes open connections. */
  close(): Promise<void>;
}

/**
 * Starts the hub on an ephemeral port.
 * @param models map from model id (e.g. `test/tiny-llama`) to a folder on disk
 *   holding `config.json`, `tokenizer.json`, `tokenizer_config.json`, `onnx/…`.
 * @param options.delayMsPerChunk slows every response body (ms per 64 KiB chunk)
 *   so a test can watch progress grow or cancel mid-download.
 */
export async function startLocalHub(models: Record<string, string>, options: { delayMsPerChunk?: number; api?: boolean } = {}): Promise<LocalHub> {
  const requests: LocalHub['requests'] = [];
  const roots = Object.fromEntries(Object.entries(models).map(([id, dir]) => [id, resolve(dir)]));
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = decodeURIComponent(url.pathname);
    const headers: Record<string, string> = {
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Headers': '*',
      'Access-Control-Expose-Headers': 'Content-Length, Content-Range, ETag, Accept-Ranges',
      'Cross-Origin-Resource-Policy': 'cross-origin',
      'Cache-Control': 'no-cache',
    };
    const done = (status: number) => requests.push({ method: req.method ?? 'GET', path, status });
    if (req.method === 'OPTIONS') {
      res.writeHead(204, headers).end();
      return done(204);
    }
    // the Hub's model API (`/api/models/{id}[/revision/{rev}]?blobs=true`): siblings with sizes, unless api: false
    const api = /^\/api\/models\/(.+?)(?:\/revision\/[^/]+)?$/.exec(path);
    if (api && options.api !== false && roots[api[1]]) {
      const siblings = listFiles(roots[api[1]]).map(([rfilename, size]) => ({ rfilename, size }));
      res.writeHead(200, { ...headers, 'Content-Type': 'application/json' }).end(JSON.stringify({ id: api[1], siblings }));
      return done(200);
    }
    const m = /^\/(.+?)\/resolve\/[^/]+\/(.+)$/.exec(path);
    const root = m ? roots[m[1]] : undefined;
    const file = root && m ? normalize(join(root, m[2])) : undefined;
    if (!root || !file || !file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('Entry not found');
      return done(404);
    }
    const size = statSync(file).size;
    const type = file.endsWith('.json') ? 'application/json' : 'application/octet-stream';
    let start = 0;
    let end = size - 1;
    let status = 200;
    const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
    if (range && (range[1] || range[2])) {
      if (range[1]) {
        start = Number(range[1]);
        if (range[2]) end = Math.min(size - 1, Number(range[2]));
      } else {
        start = Math.max(0, size - Number(range[2]));
      }
      status = 206;
      headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
    }
    res.writeHead(status, { ...headers, 'Content-Type': type, 'Content-Length': String(end - start + 1), 'Accept-Ranges': 'bytes', ETag: `"${size}-${statSync(file).mtimeMs}"` });
    done(status);
    if (req.method === 'HEAD') return void res.end();
    const stream = createReadStream(file, { start, end, highWaterMark: 64 * 1024 });
    const delay = options.delayMsPerChunk ?? 0;
    if (delay > 0) {
      // written by hand: pipe() resumes the stream on every 'drain', which would undo the pause
      stream.on('data', (chunk) => {
        stream.pause();
        res.write(chunk);
        setTimeout(() => stream.resume(), delay);
      });
      stream.on('end', () => res.end());
    } else stream.pipe(res);
    req.on('close', () => stream.destroy());
  });
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () =>
      new Promise<void>((ok) => {
        for (const s of sockets) s.destroy();
        server.close(() => ok());
      }),
  };
}

/** Every file under a folder: [path relative to it with '/' separators, size in bytes], sorted. */
function listFiles(root: string): [string, number][] {
  const out: [string, number][] = [];
  const walk = (dir: string, rel: string) => {
    for (const f of readdirSync(dir)) {
      const full = join(dir, f);
      const r = rel ? `${rel}/${f}` : f;
      if (statSync(full).isDirectory()) walk(full, r);
      else out.push([r, statSync(full).size]);
    }
  };
  walk(root, '');
  return out.sort((a, b) => a[0].localeCompare(b[0]));
}
