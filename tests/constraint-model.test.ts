/**
 * The constraint stage in the decoder on the embedded model (onnxruntime-node): steps and Run to end
 * at T = 2 under a choice list, a regex and a JSON schema — every finished text is in the language
 * (JavaScript RegExp full match; ajv for the schema), EOS comes only when the text is complete, and
 * the record shows the constraint stage.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';
import type { Decoder, RunRequest } from '../src/decoder/decoder.ts';
import type { ConstraintSpec } from '../src/engine/constraint/constraint.ts';
import { DEFAULT_SAMPLING } from '../src/engine/settings.ts';
import { loadDecoder } from './ortDecoder.ts';
import { MODEL_NAME } from './reference.ts';

const modelsPath = fileURLToPath(new URL('../public/models/', import.meta.url));
let dec: Decoder;
beforeAll(async () => {
  dec = await loadDecoder({ kind: 'embedded', name: MODEL_NAME }, { device: 'wasm', modelsPath });
});
afterAll(async () => dec?.release());

const hot = { ...DEFAULT_SAMPLING, temperature: 2, topK: 0, topP: 1, minP: 0 };

/** Run to end from a prompt under a constraint; returns the generated ids (EOS included when it ended the text). */
async function runUnder(constraint: ConstraintSpec, prompt: string, seed: number, count: number): Promise<number[]> {
  const ids = await dec.tokenize(prompt);
  const out: number[] = [];
  const req: RunRequest = {
    type: 'run', id: seed, path: [1], ids, strategy: 'sample', settings: hot, topN: 5, extraIds: [], seed, startDepth: 0, firstReroll: 0, nextNodeId: 2, count, constraint,
  };
  await dec.run(req, (r) => {
    expect(r.record.stages).toContain('constraint');
    out.push(r.choice.tokenId);
  }, () => false);
  return out;
}

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];

describe('constraint stage in the decoder (embedded model, T = 2)', () => {
  it('a step under a choice list: only tokens that start an answer have final probability > 0', async () => {
    const ids = await dec.tokenize('Answer yes or no:');
    const step = await dec.step({ type: 'step', id: 1, nodeId: 1, path: [1], ids, strategy: 'sample', settings: hot, topN: 20, extraIds: [], drawKey: { seed: 1, depth: 0, reroll: 0, stream: 0 }, choose: null, constraint: { kind: 'choice', text: ' yes\n no' } });
    expect(step.record.stages).toEqual(['raw', 'repetitionPenalty', 'constraint', 'temperature', 'topK', 'topP', 'minP']);
    const fin = step.record.stages.length - 1;
    const shown = Array.from(step.record.tokenIds);
    for (let j = 0; j < shown.length; j++) {
      const text = await dec.decode([shown[j]]);
      const p = step.record.stageProbs[fin * shown.length + j];
      if (p > 0) expect([' yes', ' no', ' ye', ' y', ' n', ' '].some((a) => a.startsWith(text)), text).toBe(true);
    }
    // EOS is not allowed before the text is complete
    expect(step.choice!.tokenId).not.toBe(dec.info.eosTokenId);
    const c = step.record.stages.indexOf('constraint');
    // the constraint stage removed tokens (marked in the record's kept flags)
    expect(Array.from(shown.keys()).some((j) => step.record.kept[c * shown.length + j] === 0)).toBe(true);
  });

  it.each([
    ['choice', ' yes\n no\n maybe', (t: string) => [' yes', ' no', ' maybe'].includes(t)],
    ['regex', ' [0-9]{1,3} (apples|pears)', (t: string) => /^(?: [0-9]{1,3} (apples|pears))$/u.test(t)],
  ] as const)('Run to end under a %s: every text is in the language and ends with EOS', async (kind, text, ok) => {
    for (const seed of SEEDS) {
      const out = await runUnder({ kind, text }, 'Q: how many? A:', seed, 40);
      expect(out[out.length - 1]).toBe(dec.info.eosTokenId);
      const t = await dec.decode(out.slice(0, -1));
      expect(ok(t), t).toBe(true);
    }
  });

  it('Run to end under a JSON schema: every finished text validates with ajv', async () => {
    const schema = { type: 'object', properties: { name: { type: 'string', maxLength: 6 }, ok: { type: 'boolean' }, n: { enum: [1, 2, 3] } }, required: ['name', 'ok', 'n'] };
    const validate = new Ajv().compile(schema);
    let finished = 0;
    const seeds = SEEDS.slice(0, 6);
    for (const seed of seeds) {
      const out = await runUnder({ kind: 'json', text: JSON.stringify(schema) }, 'JSON:', seed, 60);
      if (out[out.length - 1] !== dec.info.eosTokenId) continue;
      finished++;
      const t = await dec.decode(out.slice(0, -1));
      expect(validate(JSON.parse(t)), t).toBe(true);
    }
    expect(finished).toBeGreaterThanOrEqual(1);
  });
});
