/**
 * The early-exit draft model (tools/model/early_exit_draft.py: the embedded model's first layer,
 * same tokenizer, no training), built on first use with Debian's python (torch, onnx) and cached
 * outside the clone by content hash of the embedded model and the scripts that make it:
 * ~/.cache/token-by-token/early-exit-draft-<hash>/tiny-bilingual-gpt2-draft/ (about 6.5 MB, ~15 s).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const DRAFT_NAME = 'tiny-bilingual-gpt2-draft';
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const INPUTS = ['public/models/tiny-bilingual-gpt2/onnx/model.onnx', 'public/models/tiny-bilingual-gpt2/config.json', 'public/models/tiny-bilingual-gpt2/tokenizer.json', 'tools/model/early_exit_draft.py', 'tools/model/export.py', 'tools/model/model.py'];

/**
 * Builds the draft when missing. @returns the models folder that holds `DRAFT_NAME` (a modelsPath)
 * @throws Error when the build fails (python, torch or onnx missing)
 */
export function ensureEarlyExitDraft(layers = 1): string {
  const h = createHash('sha256');
  for (const f of INPUTS) h.update(readFileSync(join(ROOT, f)));
  h.update(String(layers));
  const base = join(homedir(), '.cache', 'token-by-token', `early-exit-draft-${h.digest('hex').slice(0, 16)}`);
  if (existsSync(join(base, DRAFT_NAME, 'onnx', 'model.onnx'))) return base;
  mkdirSync(base, { recursive: true });
  const tmp = join(base, `${DRAFT_NAME}.tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const r = spawnSync(python, ['early_exit_draft.py', tmp, String(layers)], { cwd: join(ROOT, 'tools/model'), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`early_exit_draft.py failed: ${r.stderr || r.error}`);
  if (!existsSync(join(base, DRAFT_NAME, 'onnx', 'model.onnx'))) renameSync(tmp, join(base, DRAFT_NAME));
  else rmSync(tmp, { recursive: true, force: true });
  return base;
}
