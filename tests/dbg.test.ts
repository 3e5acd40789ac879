import { it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SAMPLING } from '../src/engine/settings.ts';
import { loadDecoder } from './ortDecoder.ts';
import { MODEL_NAME } from './reference.ts';
import { speculativeGenerateOn } from '../src/decoder/speculative.ts';
const modelsPath = fileURLToPath(new URL('../public/models/', import.meta.url));
it('dbg', async () => {
  const dec = await loadDecoder({ kind: 'embedded', name: MODEL_NAME }, { device: 'wasm', modelsPath });
  const P = [
    'The quick brown fox jumps over the lazy dog. The quick brown fox jumps over the lazy dog. The quick brown fox',
    'And God said, Let there be light: and there was light. And God said, Let there be light: and there was light. And God said,',
    'one two three four five six. one two three four five six. one two three four five six. one two',
    'In the beginning God created the heaven and the earth. In the beginning God created the heaven and the earth. In the beginning',
    'A fool and his money are soon parted. A fool and his money are soon parted. A fool and his money are soon parted. A fool',
    'I will sing unto the LORD, for he hath triumphed gloriously: the horse and his rider hath he thrown into the sea. I will sing unto the LORD, for he hath triumphed gloriously: the horse',
    'the cat sat on the mat. the cat sat on the mat. the cat sat on the mat. the cat sat on the mat. the cat',
  ];
  for (const p of P) {
    const ids = await dec.tokenize(p);
    const r = await speculativeGenerateOn(dec.backend, null, { prompt: ids, maxNewTokens: 64, strategy: 'greedy', settings: DEFAULT_SAMPLING, spec: { drafter: 'prompt-lookup', k: 5, seed: 1, reroll: 0 } });
    console.log((r.targetForwards / r.tokens.length).toFixed(3), r.tokens.length, r.targetForwards, JSON.stringify(p.slice(0, 30)), JSON.stringify(await dec.decode(r.tokens)));
  }
});
