/**
 * The real-size random-weight fixtures of tools/model/realsize_fixture.py, cached outside the clone under
 * `~/.cache/token-by-token/realsize/{shape}-{hash}/` (the Llama-family shapes from tools/model/realsize_llama.py) where the hash covers the generator's sources (a change
 * to them builds a new folder). Built on first use from the test command (`nice -n 19`, one torch thread,
 * Debian's /usr/bin/python3 with python3-torch and python3-onnx) after checking free disk space.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, statfsSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SOURCES = [
  'tools/model/realsize_fixture.py',
  'tools/model/export.py',
  'tools/model/model.py',
  'tools/model/bpe.py',
  'tools/model/config.py',
  'public/models/tiny-bilingual-gpt2/tokenizer.json',
];
const PYTHON = '/usr/bin/python3';

/** Llama-family shapes, built by tools/model/realsize_llama.py (fp32 + q4 only), hashed over these sources too. */
const LLAMA_SOURCES = ['tools/model/realsize_llama.py', 'tools/model/tiny_llama_fixture.py'];

/**
 * Fixture shapes and the disk each needs (bytes, about fp32 + fp16 + merged + q4 + references of a build; the
 * Llama-family shapes fp32 + q4 + references).
 */
export const REALSIZE_SHAPES = {
  'gpt2-124m': 1_900_000_000,
  'gpt2-tiny': 110_000_000,
  vocab262k: 350_000_000,
  'smollm2-135m': 900_000_000,
  'qwen2.5-0.5b-4l': 1_700_000_000,
} as const;
export type RealsizeShape = keyof typeof REALSIZE_SHAPES;

const isLlama = (shape: RealsizeShape) => shape === 'smollm2-135m' || shape === 'qwen2.5-0.5b-4l';

/** The reference file written next to the variants (fp32 torch, float32). */
export interface RealsizeReference {
  shape: string;
  vocab_size: number;
  forward: { text: string; ids: number[]; last_logits: number[] }[];
  greedy: { text: string; ids: number[]; new_ids: number[] }[];
  /** The same for the torch model holding the q4 weights dequantized (the `q4/` folder's own reference). */
  q4: Omit<RealsizeReference, 'q4' | 'shape'>;
}

/** Cache folder of a shape for the current generator sources (it may not exist yet). */
export function realsizeDir(shape: RealsizeShape): string {
  const h = createHash('sha256');
  for (const f of isLlama(shape) ? [...SOURCES, ...LLAMA_SOURCES] : SOURCES) h.update(readFileSync(join(ROOT, f)));
  h.update(shape);
  return join(homedir(), '.cache', 'token-by-token', 'realsize', `${shape}-${h.digest('hex').slice(0, 16)}`);
}

/**
 * The cached fixture folder of a shape, built when missing.
 * @returns `{ dir }`, or `{ skip }` with the reason it cannot be built here (no python3-torch/onnx, too little disk).
 * @throws Error when the build itself fails (a broken generator must fail the test, not skip it).
 */
export function ensureRealsize(shape: RealsizeShape): { dir: string; skip?: undefined } | { dir?: undefined; skip: string } {
  const dir = realsizeDir(shape);
  if (existsSync(join(dir, 'DONE'))) return { dir };
  if (!existsSync(PYTHON)) return { skip: `${PYTHON} is missing (Debian python3 with python3-torch and python3-onnx builds the fixture)` };
  try {
    execFileSync(PYTHON, ['-c', 'import torch, onnx, numpy'], { stdio: 'pipe' });
  } catch {
    return { skip: `${PYTHON} lacks torch/onnx/numpy (apt-get install python3-torch python3-onnx python3-numpy)` };
  }
  const parent = join(dir, '..');
  mkdirSync(parent, { recursive: true });
  const fs = statfsSync(parent);
  const free = fs.bavail * fs.bsize;
  const need = REALSIZE_SHAPES[shape] * 1.5;
  if (free < need) return { skip: `only ${(free / 1e9).toFixed(1)} GB free under ${parent}; the ${shape} fixture needs ${(need / 1e9).toFixed(1)} GB` };
  // one build at a time (vitest runs test files in parallel processes): a lock directory, created atomically
  const lock = `${dir}.lock`;
  const deadline = Date.now() + 40 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch {
      if (existsSync(join(dir, 'DONE'))) return { dir };
      if (!lockHolderAlive(lock)) {
        rmSync(lock, { recursive: true, force: true }); // left by a killed test run
        continue;
      }
      if (Date.now() > deadline) throw new Error(`${lock} held for 40 minutes: remove it if no build is running`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2000);
    }
  }
  try {
    if (existsSync(join(dir, 'DONE'))) return { dir };
    execFileSync('nice', ['-n', '19', PYTHON, join(ROOT, isLlama(shape) ? 'tools/model/realsize_llama.py' : 'tools/model/realsize_fixture.py'), '--shape', shape, '--out', dir], {
      stdio: ['ignore', 'inherit', 'inherit'],
      timeout: 30 * 60_000,
    });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
  return { dir };
}

/** False when the lock's builder process has gone (its pid file names a process that does not exist). */
function lockHolderAlive(lock: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
  } catch {
    return true; // just created, pid not written yet
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The fp32 torch reference of a built fixture. */
export function realsizeReference(dir: string): RealsizeReference {
  return JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as RealsizeReference;
}

/** Every file under `dir` as a File named `{name}/{relative path}`, as a folder picker gives them. */
export function folderFiles(dir: string, name: string): File[] {
  const out: File[] = [];
  const walk = (d: string, rel: string) => {
    for (const f of readdirSync(d)) {
      const full = join(d, f);
      const r = rel ? `${rel}/${f}` : f;
      if (statSync(full).isDirectory()) walk(full, r);
      else out.push(new File([readFileSync(full)], `${name}/${r}`));
    }
  };
  walk(dir, '');
  return out;
}

/**
 * Greedy decoding by the decoder's own logits: `n` new ids after `promptIds`, each the argmax (first of
 * ties) of node logits along one path (node ids 1, 2, …). Compared with a torch reference's greedy ids.
 */
export async function greedyIds(ms: { nodeLogits(path: number[], ids: number[]): Promise<ArrayLike<number>> }, promptIds: readonly number[], n: number): Promise<number[]> {
  const seq = [...promptIds];
  const path = [1];
  for (let s = 0; s < n; s++) {
    const lg = await ms.nodeLogits(path, seq);
    let best = 0;
    for (let i = 1; i < lg.length; i++) if (lg[i] > lg[best]) best = i;
    seq.push(best);
    path.push(path.length + 1);
  }
  return seq.slice(promptIds.length);
}
