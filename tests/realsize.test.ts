/**
 * Real-size random-weight fixtures (tools/model/realsize_fixture.py, cached under ~/.cache/token-by-token):
 * folders without any config hint in three layouts — fp32 `onnx/model.onnx`; only `onnx/model_fp16.onnx` with
 * external data; Optimum's `onnx/decoder_model_merged.onnx` — loaded as local folders by the app's
 * decoder (loadOrtBackend + Decoder) on onnxruntime-node, against the fp32 torch reference: prompt ids, last logits (fp32 |Δ| < 1e-3;
 * fp16 ≤ 2e-2 × the logit range), and greedy ids through the KV-cache path; and only `onnx/model_q4.onnx`
 * (MatMulNBits packed in numpy) against torch on the dequantized q4 weights (|Δ| < 1e-3). Built from this command when
 * missing (≈2 min for GPT-2 124M on 2 cores); skipped with the printed reason only when it cannot be built.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDecoder } from './ortDecoder.ts';
import { EngineError } from '../src/engine/errors.ts';
import { ensureRealsize, folderFiles, realsizeReference, type RealsizeShape, greedyIds } from './support/realsizeFixture.ts';

const VARIANTS = [
  { variant: 'fp32', dtype: 'fp32', kv: 'float32', tol: (_range: number) => 1e-3 },
  { variant: 'fp16', dtype: 'fp16', kv: 'float16', tol: (range: number) => 2e-2 * range },
  { variant: 'merged', dtype: 'fp32', kv: 'float32', tol: (_range: number) => 1e-3 },
  // MatMulNBits against the torch model holding the dequantized q4 weights
  { variant: 'q4', dtype: 'q4', kv: 'float32', tol: (_range: number) => 1e-3 },
] as const;

for (const shape of ['gpt2-tiny', 'vocab262k', 'gpt2-124m'] as RealsizeShape[]) {
  const built = ensureRealsize(shape);
  if (built.skip) console.warn(`realsize ${shape}: skipped — ${built.skip}`);
  describe.skipIf(!!built.skip)(`real-size fixture ${shape}`, () => {
    const dir = built.dir!;
    const full = built.dir ? realsizeReference(dir) : null;
    it.each(shape === 'vocab262k' ? VARIANTS.filter((v) => v.variant !== 'merged') : VARIANTS)('$variant folder (no config hint) loads as $dtype and matches its torch reference', async ({ variant, dtype, kv, tol }) => {
      const ref = variant === 'q4' ? full!.q4 : full;
      const ms = await loadDecoder({ kind: 'folder', name: `${shape}-${variant}`, files: folderFiles(join(dir, variant), `${shape}-${variant}`) }, { device: 'wasm', modelsPath: '' });
      try {
        expect(ms.info.dtype).toBe(dtype);
        expect(ms.info.vocabSize).toBe(ref!.vocab_size);
        expect(ms.info.vocabOffsets.length).toBe(ref!.vocab_size + 1);
        expect((ms.backend as unknown as { kvType: string }).kvType).toBe(kv);
        for (const f of ref!.forward) {
          expect(await ms.tokenize(f.text)).toEqual(f.ids);
          const logits = await ms.nodeLogits([1], f.ids);
          const range = f.last_logits.reduce((m, x) => Math.max(m, x), -Infinity) - f.last_logits.reduce((m, x) => Math.min(m, x), Infinity);
          let maxDiff = 0;
          for (let i = 0; i < logits.length; i++) maxDiff = Math.max(maxDiff, Math.abs(logits[i] - f.last_logits[i]));
          console.log(`${shape} ${variant}: max |Δ logit| ${maxDiff.toExponential(2)} over a range of ${range.toFixed(2)}`);
          expect(maxDiff).toBeLessThanOrEqual(tol(range));
          await ms.forget('all');
        }
        for (const g of ref!.greedy) {
          expect(await greedyIds(ms, g.ids, g.new_ids.length)).toEqual(g.new_ids);
          await ms.forget('all');
        }
      } finally {
        await ms.release();
      }
    }, 600_000);
  });
}

describe('older Optimum layouts', () => {
  it('the split decoder pair is refused, naming the files found and what is needed', async () => {
    const built = ensureRealsize('gpt2-tiny');
    if (built.skip !== undefined) return console.warn(`skipped — ${built.skip}`);
    const src = join(built.dir, 'fp32');
    const files = folderFiles(src, 'split').filter((f) => !f.name.endsWith('.onnx'));
    files.push(new File([readFileSync(join(src, 'onnx/model.onnx'))], 'split/onnx/decoder_model.onnx'));
    files.push(new File([readFileSync(join(src, 'onnx/model.onnx'))], 'split/onnx/decoder_with_past_model.onnx'));
    const err = await loadDecoder({ kind: 'folder', name: 'split', files }, { device: 'wasm', modelsPath: '' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).message).toContain('onnx/decoder_model.onnx, onnx/decoder_with_past_model.onnx');
    expect((err as EngineError).message).toContain('decoder_model_merged.onnx');
    expect((err as EngineError).message).toContain('use_cache_branch');
  });
});
