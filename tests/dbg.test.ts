import { it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SAMPLING } from '../src/engine/settings.ts';
import { loadDecoder } from './ortDecoder.ts';
import { MODEL_NAME } from './reference.ts';
const modelsPath = fileURLToPath(new URL('../public/models/', import.meta.url));
it('dbg', async () => {
  const dec = await loadDecoder({ kind: 'embedded', name: MODEL_NAME }, { device: 'wasm', modelsPath });
  const P = ['Is the sky green? Answer yes or no:', 'Question: Is the sun hot? Answer yes or no. Answer:', 'Is God good? Answer yes or no:', 'Shall I go? Say yes or no:', 'Q: Is water wet? A (yes or no):'];
  for (const p of P) for (const constraint of [null, { kind: 'choice' as const, text: ' yes\n no' }]) {
    const ids = await dec.tokenize(p);
    const out: number[] = [];
    const probs: string[] = [];
    await dec.run({ type: 'run', id: 2, path: [1], ids, strategy: 'greedy', settings: DEFAULT_SAMPLING, topN: 5, extraIds: [], seed: 1, startDepth: 0, firstReroll: 0, nextNodeId: 2, count: 12, constraint }, (x) => { out.push(x.choice.tokenId); probs.push(x.choice.prob.toFixed(3)); }, () => false);
    console.log(JSON.stringify(p), constraint ? 'C' : '-', JSON.stringify(await dec.decode(out)), probs.join(' '));
  }
});
