/**
 * Real-size random-weight fixtures of the Llama family (tools/model/realsize_llama.py, cached under
 * ~/.cache/token-by-token/realsize, built here when missing): a SmolLM2-135M-shaped llama (30 layers, width 576,
 * 9 query / 3 KV heads, tied embeddings, vocabulary 49,152) and a Qwen2.5-0.5B-shaped qwen2 on 4 layers (width
 * 896, 14 / 2 heads, q/k/v biases, tied embeddings, vocabulary 151,936). Each folder has no config hint; loaded
 * as a local folder by the app's decoder (loadOrtBackend + Decoder) on onnxruntime-node and compared with the
 * torch reference: prompt ids, last logits (|Δ| < 1e-3), greedy ids through the KV-cache path, and the KV cache
 * holding the KV heads (not the query heads). `q4/` (MatMulNBits packed in numpy) is compared with torch on its
 * dequantized weights (|Δ| < 1e-3); `q4f16/` (that graph in float16: MatMulNBits on float16, float16 cache and
 * logits) with the same reference at the fp16 tolerance (≤ 2e-2 × the logit range, same greedy ids).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDecoder } from './ortDecoder.ts';
import type { OrtBackend } from '../src/worker/ortBackend.ts';
import { ensureRealsize, folderFiles, realsizeReference, type RealsizeShape, greedyIds } from './support/realsizeFixture.ts';

const VARIANTS = [
  { variant: 'fp32', dtype: 'fp32', kv: 'float32', tol: (_range: number) => 1e-3 },
  // MatMulNBits against the torch model holding the dequantized q4 weights
  { variant: 'q4', dtype: 'q4', kv: 'float32', tol: (_range: number) => 1e-3 },
  // the same graph in float16 (MatMulNBits on float16, float16 cache and logits): the fp16 tolerance
  { variant: 'q4f16', dtype: 'q4f16', kv: 'float16', tol: (range: number) => 2e-2 * range },
] as const;

for (const shape of ['smollm2-135m', 'qwen2.5-0.5b-4l'] as RealsizeShape[]) {
  const built = ensureRealsize(shape);
  if (built.skip) console.warn(`realsize ${shape}: skipped — ${built.skip}`);
  describe.skipIf(!!built.skip)(`real-size fixture ${shape}`, () => {
    const dir = built.dir!;
    const full = built.dir ? realsizeReference(dir) : null;
    it.each(VARIANTS)('$variant folder (no config hint) loads as $dtype and matches its torch reference', async ({ variant, dtype, kv, tol }) => {
      const ref = variant === 'fp32' ? full : full!.q4;
      const config = JSON.parse(readFileSync(join(dir, variant, 'config.json'), 'utf8')) as { num_key_value_heads: number; num_attention_heads: number; hidden_size: number; num_hidden_layers: number };
      const ms = await loadDecoder({ kind: 'folder', name: `${shape}-${variant}`, files: folderFiles(join(dir, variant), `${shape}-${variant}`) }, { device: 'wasm', modelsPath: '' });
      try {
        expect(ms.info.dtype).toBe(dtype);
        expect(ms.info.vocabSize).toBe(ref!.vocab_size);
        const backend = ms.backend as unknown as OrtBackend;
        expect((backend as unknown as { kvType: string }).kvType).toBe(kv);
        expect(backend.kvInputs.length).toBe(2 * config.num_hidden_layers);
        for (const f of full!.forward.map((x, i) => ({ ...x, last_logits: ref!.forward[i].last_logits }))) {
          expect(await ms.tokenize(f.text)).toEqual(f.ids);
          const logits = await ms.nodeLogits([1], f.ids);
          expect(logits.length).toBe(ref!.vocab_size);
          let maxDiff = 0;
          for (let i = 0; i < logits.length; i++) maxDiff = Math.max(maxDiff, Math.abs(logits[i] - f.last_logits[i]));
          let lo = Infinity;
          let hi = -Infinity;
          for (const x of f.last_logits) [lo, hi] = [Math.min(lo, x), Math.max(hi, x)];
          console.log(`${shape} ${variant}: max |Δ logit| ${maxDiff.toExponential(2)} over a range of ${(hi - lo).toFixed(2)}`);
          expect(maxDiff).toBeLessThanOrEqual(tol(hi - lo));
          // grouped-query attention: the cache holds the KV heads, [1, kv heads, prompt length, head size]
          const { past } = backend.pastOf(await ms.exclusive(() => ms.snapshotAt([1], f.ids)));
          expect([...past['past_key_values.0.key'].dims]).toEqual([1, config.num_key_value_heads, f.ids.length, config.hidden_size / config.num_attention_heads]);
          await ms.forget('all');
        }
        for (const g of ref!.greedy) {
          expect(await greedyIds(ms, g.ids, g.new_ids.length)).toEqual(g.new_ids);
          await ms.forget('all');
        }
      } finally {
        await ms.release();
      }
    }, 900_000);
  });
}
