/**
 * The layer rules of eslint.config.js fire: the project's own ESLint config (through ESLint's Node
 * API) lints small code samples placed at paths inside each layer. Each rule is shown to reject a
 * forbidden import and to accept the allowed one beside it, so a rule that silently stopped matching
 * (a changed glob, a later config object overriding it) fails here.
 */
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const cwd = fileURLToPath(new URL('..', import.meta.url));
const eslint = new ESLint({ cwd });

/** The no-restricted-imports messages ESLint reports for `code` as if it were the file `filePath`. */
async function restricted(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  const fatal = result.messages.filter((m) => m.fatal);
  if (fatal.length > 0) throw new Error(`sample did not parse: ${fatal[0].message}`);
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('eslint.config.js layer rules', () => {
  it.each([
    ['src/components/LayerSample.tsx', "import { WorkerClient } from '../worker/client.ts';\nexport const c = WorkerClient;"],
    ['src/components/shell/LayerSample.tsx', "import type { ModelInfo } from '../../worker/protocol.ts';\nexport type M = ModelInfo;"],
  ])('a component may not import worker/: %s', async (filePath, code) => {
    const msgs = await restricted(filePath, code);
    expect(msgs).toHaveLength(1);
    expect(msgs[0]).toMatch(/worker/);
  });

  it('a component may import domain types and the store', async () => {
    const code = "import type { ModelInfo } from '../../domain/types.ts';\nimport { controller } from '../../store/controller.ts';\nexport type M = ModelInfo;\nexport const c = controller;";
    expect(await restricted('src/components/shell/LayerSample.tsx', code)).toEqual([]);
  });

  it.each(['src/components/trees/LayerSample.tsx', 'src/store/LayerSample.ts', 'src/engine/LayerSample.ts', 'src/lessons/LayerSample.ts', 'src/i18n/LayerSample.ts'])(
    'd3 is refused outside src/charts: %s',
    async (filePath) => {
      const msgs = await restricted(filePath, "import { linkHorizontal } from 'd3';\nexport const l = linkHorizontal;");
      expect(msgs).toHaveLength(1);
      expect(msgs[0]).toMatch(/d3/);
    },
  );

  it('d3 is allowed in src/charts', async () => {
    expect(await restricted('src/charts/LayerSample.ts', "import { linkHorizontal } from 'd3';\nexport const l = linkHorizontal;")).toEqual([]);
  });

  it.each([
    "import type { Language } from '../store/store.ts';\nexport type L = Language;",
    "import { appStore } from '../store';\nexport const s = appStore;",
  ])('i18n may not import the store: %s', async (code) => {
    const msgs = await restricted('src/i18n/LayerSample.ts', code);
    expect(msgs).toHaveLength(1);
    expect(msgs[0]).toMatch(/store/);
  });

  it('i18n may import domain types', async () => {
    expect(await restricted('src/i18n/LayerSample.ts', "import type { Language } from '../domain/types.ts';\nexport type L = Language;")).toEqual([]);
  });

  it('the engine still refuses the store and transformers.js', async () => {
    const code = "import { appStore } from '../store/store.ts';\nimport { pipeline } from '@huggingface/transformers';\nexport const x = [appStore, pipeline];";
    expect(await restricted('src/engine/LayerSample.ts', code)).toHaveLength(2);
  });
});
