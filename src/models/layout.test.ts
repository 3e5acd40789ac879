import { describe, expect, it } from 'vitest';
import { analyzeLayout, downloadBytes, dtypeSupport, layoutProblem, loadOptions, preferredDtype, type ListedFile } from './layout.ts';

const SMALL = ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json'].map((path) => ({ path, size: 1000 }));
const list = (...onnx: [string, number?][]): ListedFile[] => [...SMALL, ...onnx.map(([path, size]) => ({ path, size }))];

describe('analyzeLayout', () => {
  it('reads the dtypes of onnx/model*.onnx (the SmolLM2-135M-Instruct listing: no model_quantized)', () => {
    const l = analyzeLayout(list(['onnx/model.onnx', 654e6], ['onnx/model_fp16.onnx', 327e6], ['onnx/model_q4.onnx', 200e6], ['onnx/model_q4f16.onnx', 134e6]));
    expect(l.kind).toBe('model');
    expect(l.dtypes.map((d) => d.dtype)).toEqual(['fp32', 'fp16', 'q4', 'q4f16']);
    expect(preferredDtype(l, { device: 'wasm' })).toBe('q4');
    expect(preferredDtype(l, { device: 'webgpu', shaderF16: true })).toBe('q4f16');
    expect(preferredDtype(l, { device: 'webgpu', shaderF16: false })).toBe('q4');
    expect(downloadBytes(l, 'q4f16')).toBe(134e6 + 4000);
  });
  it('names every suffix transformers.js 4.3.1 knows, longest first', () => {
    const names = ['model_quantized', 'model_int8', 'model_uint8', 'model_bnb4', 'model_q4f16', 'model_q2f16', 'model_q1'];
    const l = analyzeLayout(list(...names.map((n) => [`onnx/${n}.onnx`, 1] as [string, number])));
    expect(l.dtypes.map((d) => [d.dtype, d.onnx])).toEqual([
      ['q8', 'onnx/model_quantized.onnx'],
      ['int8', 'onnx/model_int8.onnx'],
      ['uint8', 'onnx/model_uint8.onnx'],
      ['q4f16', 'onnx/model_q4f16.onnx'],
      ['bnb4', 'onnx/model_bnb4.onnx'],
      ['q2f16', 'onnx/model_q2f16.onnx'],
      ['q1', 'onnx/model_q1.onnx'],
    ]);
  });
  it('finds external data chunks without a config hint and adds their sizes', () => {
    const l = analyzeLayout(list(['onnx/model_fp16.onnx', 500], ['onnx/model_fp16.onnx_data', 2e9], ['onnx/model_fp16.onnx_data_1', 1e9], ['onnx/model.onnx', 400], ['onnx/model.onnx_data', 3e9]));
    const fp16 = l.dtypes.find((d) => d.dtype === 'fp16')!;
    expect(fp16.externalData).toEqual(['onnx/model_fp16.onnx_data', 'onnx/model_fp16.onnx_data_1']);
    expect(fp16.bytes).toBe(3e9 + 500);
    expect(loadOptions(l, 'fp16')).toEqual({ model_file_name: 'model', use_external_data_format: 2, dtype: 'fp16' });
    expect(loadOptions(l, 'fp32')).toEqual({ model_file_name: 'model', use_external_data_format: 1, dtype: 'fp32' });
    expect(loadOptions(l, 'q8')).toBeNull();
  });
  it('a folder holding only onnx/model.onnx offers fp32 (not the WASM default q8)', () => {
    const l = analyzeLayout([{ path: 'config.json' }, { path: 'tokenizer.json' }, { path: 'tokenizer_config.json' }, { path: 'onnx/model.onnx' }]);
    expect(l.dtypes.map((d) => d.dtype)).toEqual(['fp32']);
    expect(preferredDtype(l, { device: 'wasm' })).toBe('fp32');
    expect(loadOptions(l, 'fp32')?.use_external_data_format).toBe(false);
    expect(downloadBytes(l, 'fp32')).toBeNull(); // sizes unknown
  });
  it('takes the config hint only when its file exists', () => {
    const l = analyzeLayout(list(['onnx/model.onnx', 1], ['onnx/model_quantized.onnx', 1]));
    expect(preferredDtype(l, { device: 'wasm' }, 'fp32')).toBe('fp32');
    expect(preferredDtype(l, { device: 'wasm' }, 'q4f16')).toBe('q8');
  });
  it('loads the Optimum merged decoder (Xenova/distilgpt2 listing) through decoder_model_merged', () => {
    const l = analyzeLayout(
      list(
        ['onnx/decoder_model.onnx', 1],
        ['onnx/decoder_model_merged.onnx', 2],
        ['onnx/decoder_model_merged_quantized.onnx', 3],
        ['onnx/decoder_model_quantized.onnx', 4],
        ['onnx/decoder_with_past_model.onnx', 5],
        ['onnx/decoder_with_past_model_quantized.onnx', 6],
      ),
    );
    expect(l.kind).toBe('merged');
    expect(l.dtypes.map((d) => [d.dtype, d.base])).toEqual([
      ['fp32', 'decoder_model_merged'],
      ['q8', 'decoder_model_merged'],
    ]);
    expect(loadOptions(l, 'q8')?.model_file_name).toBe('decoder_model_merged');
    expect(layoutProblem(l, 'x')).toBeNull();
  });
  it('refuses the split decoder pair, naming the files found and what is needed', () => {
    const l = analyzeLayout(list(['onnx/decoder_model.onnx', 1], ['onnx/decoder_with_past_model.onnx', 1]));
    expect(l.kind).toBe('split');
    expect(l.dtypes).toEqual([]);
    const msg = layoutProblem(l, 'org/m')!;
    expect(msg).toContain('onnx/decoder_model.onnx, onnx/decoder_with_past_model.onnx');
    expect(msg).toContain('decoder_model_merged.onnx');
    expect(msg).toContain('use_cache_branch');
    expect(msg).toContain('onnx/model.onnx');
  });
  it('names missing tokenizer/config files and an empty onnx folder', () => {
    expect(layoutProblem(analyzeLayout([{ path: 'onnx/model.onnx' }]), 'f')).toBe('f: missing file config.json, tokenizer.json, tokenizer_config.json');
    expect(layoutProblem(analyzeLayout(SMALL), 'f')).toContain('no .onnx file');
  });
});

describe('dtypeSupport', () => {
  it('says which device runs what', () => {
    expect(dtypeSupport('q4', { device: 'wasm' })).toBe('yes');
    expect(dtypeSupport('q4f16', { device: 'wasm' })).toBe('slow');
    expect(dtypeSupport('q4f16', { device: 'webgpu', shaderF16: false })).toBe('no');
    expect(dtypeSupport('fp16', { device: 'webgpu', shaderF16: true })).toBe('yes');
    expect(dtypeSupport('bnb4', { device: 'wasm' })).toBe('no');
  });
});
