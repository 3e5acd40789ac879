/**
 * A Hub-compatible static server for `npm run bench -- --model <shape>`: serves a model folder under the Hub's
 * URL layout (`/{id}/resolve/{revision}/{file}`, GET/HEAD, single byte ranges) and its model API
 * (`/api/models/{id}?blobs=true`: siblings with sizes), with CORS and CORP headers so the cross-origin-isolated
 * app may fetch it. The same contract as e2e/support/localHub.ts (TypeScript, for the tests), without request logs.
 */
import { createServer } from 'node:http';
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { join, normalize, resolve, sep } from 'node:path';

/** Every file under a folder: [relative path with '/', size], sorted. */
function listFiles(root) {
  const out = [];
  const walk = (dir, rel) => {
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

/**
 * @param {Record<string, string>} models model id → folder
 * @returns {Promise<{ url: string, close(): void }>} url like `http://127.0.0.1:PORT/`
 */
export async function startHub(models) {
  const roots = Object.fromEntries(Object.entries(models).map(([id, dir]) => [id, resolve(dir)]));
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    const headers = {
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Headers': '*',
      'Access-Control-Expose-Headers': 'Content-Length, Content-Range, ETag, Accept-Ranges',
      'Cross-Origin-Resource-Policy': 'cross-origin',
      'Cache-Control': 'no-cache',
    };
    if (req.method === 'OPTIONS') return void res.writeHead(204, headers).end();
    const api = /^\/api\/models\/(.+?)(?:\/revision\/[^/]+)?$/.exec(path);
    if (api && roots[api[1]]) {
      const siblings = listFiles(roots[api[1]]).map(([rfilename, size]) => ({ rfilename, size }));
      return void res.writeHead(200, { ...headers, 'Content-Type': 'application/json' }).end(JSON.stringify({ id: api[1], siblings }));
    }
    const m = /^\/(.+?)\/resolve\/[^/]+\/(.+)$/.exec(path);
    const root = m ? roots[m[1]] : undefined;
    const file = root ? normalize(join(root, m[2])) : undefined;
    if (!root || !file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
      return void res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('Entry not found');
    }
    const size = statSync(file).size;
    let start = 0;
    let end = size - 1;
    let status = 200;
    const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
    if (range && (range[1] || range[2])) {
      if (range[1]) {
        start = Number(range[1]);
        if (range[2]) end = Math.min(size - 1, Number(range[2]));
      } else start = Math.max(0, size - Number(range[2]));
      status = 206;
      headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
    }
    const type = file.endsWith('.json') ? 'application/json' : 'application/octet-stream';
    res.writeHead(status, { ...headers, 'Content-Type': type, 'Content-Length': String(end - start + 1), 'Accept-Ranges': 'bytes', ETag: `"${size}-${statSync(file).mtimeMs}"` });
    if (req.method === 'HEAD') return void res.end();
    const stream = createReadStream(file, { start, end, highWaterMark: 1 << 20 });
    stream.pipe(res);
    req.on('close', () => stream.destroy());
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => server.close() };
}
