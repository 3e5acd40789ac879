import { describe, expect, it } from 'vitest';
import { planLoad } from './loadPlan.ts';
import { EngineError } from '../engine/errors.ts';

const small = ['config.json', 'tokenizer.json', 'tokenizer_config.json'].map((path) => ({ path, size: 10 }));

describe('planLoad', () => {
  it('without a list: config hint, else fp32/fp16 on WebGPU, q8 on WASM (transformers.js 4.3.1 defaults)', () => {
    expect(planLoad('m', null, {}, { device: 'wasm' }).dtype).toBe('q8');
    expect(planLoad('m', null, { 'transformers.js_config': { dtype: 'fp32' } }, { device: 'wasm' }).dtype).toBe('fp32');
    expect(planLoad('m', null, {}, { device: 'webgpu', shaderF16: true }).dtype).toBe('fp16');
    expect(planLoad('m', null, {}, { device: 'wasm' }).modelFileName).toBeUndefined();
  });
  it('a folder with only onnx/model.onnx and no hint loads fp32 on WASM', () => {
    const p = planLoad('m', [...small, { path: 'onnx/model.onnx', size: 5 }], {}, { device: 'wasm' });
    expect(p).toMatchObject({ dtype: 'fp32', modelFileName: 'model', externalData: false });
  });
  it('fp16 with external data, merged decoder', () => {
    expect(planLoad('m', [...small, { path: 'onnx/model_fp16.onnx' }, { path: 'onnx/model_fp16.onnx_data' }], {}, { device: 'wasm' })).toMatchObject({
      dtype: 'fp16',
      externalData: 1,
    });
    expect(planLoad('m', [...small, { path: 'onnx/decoder_model_merged_quantized.onnx' }], {}, { device: 'wasm' })).toMatchObject({
      dtype: 'q8',
      modelFileName: 'decoder_model_merged',
    });
  });
  it('a chosen dtype that is not there names its file and what the model has', () => {
    const e = (() => {
      try {
        planLoad('org/m', [...small, { path: 'onnx/model.onnx' }], {}, { device: 'wasm', dtype: 'q4' });
      } catch (x) {
        return x as EngineError;
      }
    })();
    expect(e).toBeInstanceOf(EngineError);
    expect(e!.code).toBe('model-missing-file');
    expect(e!.message).toContain('onnx/model_q4.onnx');
    expect(e!.message).toContain('fp32 (onnx/model.onnx)');
  });
});
