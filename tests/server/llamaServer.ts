/**
 * The real llama.cpp server for tests: builds it when missing (tools/llama/build-server.sh, cached by
 * version), writes our models as GGUF (tools/model/gguf_cached.sh, cached by content hash), starts
 * `llama-server` on a free loopback port and stops it. Used by tests/server-*.test.ts and the e2e.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Build (or reuse) the server binary; returns its path. Slow the first time (about 11 minutes). */
export function llamaServerBinary(): string {
  const out = execFileSync('bash', [`${ROOT}tools/llama/build-server.sh`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return out.trim().split('\n').pop() as string;
}

/** The GGUF of a model folder (relative to the repository root), written when missing. */
export function ggufOf(folder: string): string {
  const out = execFileSync('bash', [`${ROOT}tools/model/gguf_cached.sh`, `${ROOT}${folder}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return out.trim().split('\n').pop() as string;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export interface RunningServer {
  url: string;
  port: number;
  process: ChildProcess;
  /** Stops the server and waits for its exit. */
  stop(): Promise<void>;
  /** What the server wrote (stdout + stderr), for failure messages. */
  log(): string;
}

export interface StartOptions {
  /** Model folder relative to the repository root. */
  folder: string;
  port?: number;
  /** `--parallel` slots (default 1). */
  parallel?: number;
  /** Context per slot × slots (`-c`, default 256 × parallel). */
  ctx?: number;
  /** Extra arguments (e.g. `--cors-origins`, `--api-key`). */
  args?: string[];
  /** How long to wait for `/health` (ms). */
  readyMs?: number;
}

/** Starts llama-server on our model and waits until `/health` answers 200. */
export async function startLlamaServer(opts: StartOptions): Promise<RunningServer> {
  const bin = llamaServerBinary();
  const model = ggufOf(opts.folder);
  const port = opts.port ?? (await freePort());
  const parallel = opts.parallel ?? 1;
  const args = [
    '-m', model, '--host', '127.0.0.1', '--port', String(port),
    '--parallel', String(parallel), '-c', String(opts.ctx ?? 256 * parallel),
    '--threads', '1', '--no-warmup', ...(opts.args ?? []),
  ];
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout?.on('data', (d: Buffer) => { log += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { log += d.toString(); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (opts.readyMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`llama-server exited (${child.exitCode}):\n${log.slice(-2000)}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`llama-server did not become ready:\n${log.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url, port, process: child, log: () => log,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
