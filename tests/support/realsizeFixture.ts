/**
 * The real-size random-weight fixtures of tools/model/realsize_fixture.py, cached outside the clone under
 * `~/.cache/token-by-token/realsize/{shape}-{hash}/` where the hash covers the generator's sources (a change
 * to them builds a new folder). Built on first use from the test command (`nice -n 19`, one torch thread,
 * Debian's /usr/bin/python3 with python3-torch and python3-onnx) after checking free disk space.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statfsSync } from 'node:fs';
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

/** Fixture shapes and the disk each needs (bytes, measured on a build: fp32 + fp16 + merged + reference). */
export const REALSIZE_SHAPES = { 'gpt2-124m': 1_600_000_000, 'gpt2-tiny': 80_000_000 } as const;
export type RealsizeShape = keyof typeof REALSIZE_SHAPES;

/** The reference file written next to the variants (fp32 torch, float32). */
export interface RealsizeReference {
  shape: string;
  vocab_size: number;
  forward: { text: string; ids: number[]; last_logits: number[] }[];
  greedy: { text: string; ids: number[]; new_ids: number[] }[];
}

/** Cache folder of a shape for the current generator sources (it may not exist yet). */
export function realsizeDir(shape: RealsizeShape): string {
  const h = createHash('sha256');
  for (const f of SOURCES) h.update(readFileSync(join(ROOT, f)));
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
  execFileSync('nice', ['-n', '19', PYTHON, join(ROOT, 'tools/model/realsize_fixture.py'), '--shape', shape, '--out', dir], {
    stdio: ['ignore', 'inherit', 'inherit'],
    timeout: 30 * 60_000,
  });
  return { dir };
}

/** The fp32 torch reference of a built fixture. */
export function realsizeReference(dir: string): RealsizeReference {
  return JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as RealsizeReference;
}
