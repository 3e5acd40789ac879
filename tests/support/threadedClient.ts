/**
 * The real WorkerClient over the scripted model in a real second thread (node:worker_threads), so a
 * test can tell the main thread's time from the worker's, as in the browser (issue #19's long
 * exploration measures main-thread time with `performance.eventLoopUtilization()`).
 * The thread's entry (scriptedThread.ts, TypeScript) is bundled once per content into the system's
 * temporary folder with rolldown (Vite's bundler).
 */
import { Worker } from 'node:worker_threads';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';
import { WorkerClient } from '../../src/worker/client.ts';
import type { WorkerResponse } from '../../src/worker/protocol.ts';
import type { ScriptedClientOptions } from './scriptedLoad.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Hash of every .ts file under src/ and tests/support/ (the bundle's inputs, over-approximated). */
function sourcesHash(): string {
  const h = createHash('sha256');
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts')) h.update(p).update(readFileSync(p));
    }
  };
  walk(join(root, 'src'));
  walk(join(root, 'tests', 'support'));
  h.update(readFileSync(join(root, 'tests', 'scriptedBackend.ts')));
  return h.digest('hex').slice(0, 16);
}

let bundled: Promise<string> | null = null;

/** The bundled thread entry (built on first use; reused while the sources are unchanged). */
export function scriptedThreadBundle(): Promise<string> {
  bundled ??= (async () => {
    const dir = join(tmpdir(), 'token-by-token-threads');
    const file = join(dir, `scriptedThread-${sourcesHash()}.mjs`);
    if (!existsSync(file)) {
      // bundles of older sources are not needed any more (left for an hour: another checkout may be using one)
      const stale = (name: string) => name.startsWith('scriptedThread-') && (statSync(join(dir, name), { throwIfNoEntry: false })?.mtimeMs ?? Infinity) < Date.now() - 3_600_000;
      if (existsSync(dir)) for (const old of readdirSync(dir)) if (stale(old)) rmSync(join(dir, old), { force: true });
      // written under a name of its own, then renamed: two test files may build it at once
      const part = `${file}.${process.pid}.${Date.now()}.part.mjs`;
      await build({
        input: join(root, 'tests', 'support', 'scriptedThread.ts'),
        platform: 'node',
        logLevel: 'warn',
        output: { file: part, format: 'esm', codeSplitting: false },
      });
      renameSync(part, file);
    }
    return file;
  })();
  return bundled;
}

/** The Worker interface WorkerClient uses, over a node:worker_threads Worker. */
class ThreadWorker {
  onmessage: ((ev: MessageEvent<WorkerResponse>) => void) | null = null;
  onerror: ((ev: ErrorEvent) => void) | null = null;
  constructor(private readonly thread: Worker) {
    thread.on('message', (data: WorkerResponse) => this.onmessage?.({ data } as MessageEvent<WorkerResponse>));
    thread.on('error', (e: Error) => this.onerror?.({ message: e.message, preventDefault() {} } as ErrorEvent));
  }
  postMessage(msg: unknown, transfer: Transferable[] = []): void {
    this.thread.postMessage(msg, transfer as never);
  }
  terminate(): void {
    void this.thread.terminate();
  }
}

/**
 * WorkerClient over the scripted model in a worker thread. `await scriptedThreadBundle()` first
 * (the constructor is synchronous).
 */
export class ThreadedScriptedClient extends WorkerClient {
  constructor(bundle: string, opts: ScriptedClientOptions = {}) {
    super(() => new ThreadWorker(new Worker(bundle, { workerData: opts })) as unknown as globalThis.Worker);
  }
}
