import { describe, expect, it } from 'vitest';
import { cachedDtypes, groupCachedFiles, parseHubFileUrl } from './browserCache.ts';

describe('parseHubFileUrl(url)', () => {
  it.each([
    ['https://huggingface.co/Xenova/gpt2/resolve/main/config.json', 'https://huggingface.co/', 'Xenova/gpt2', 'config.json'],
    ['http://127.0.0.1:4321/test/tiny-llama/resolve/main/onnx/model.onnx', 'http://127.0.0.1:4321/', 'test/tiny-llama', 'onnx/model.onnx'],
    ['http://localhost:4173/models/hub-mirror/a/b/resolve/v1.0/tokenizer.json', 'http://localhost:4173/models/hub-mirror/', 'a/b', 'tokenizer.json'],
  ])('%s', (url, host, modelId, file) => expect(parseHubFileUrl(url)).toEqual({ host, modelId, file }));

  it.each([['https://huggingface.co/Xenova/gpt2/blob/main/config.json'], ['not a url'], ['http://localhost/models/x/config.json']])('%s → null', (url) =>
    expect(parseHubFileUrl(url)).toBeNull(),
  );
});

describe('groupCachedFiles(entries)', () => {
  it('groups by host and model id, sums bytes, sorts ids and files', () => {
    const got = groupCachedFiles([
      { url: 'http://h/x/m/resolve/main/onnx/model.onnx', bytes: 1000 },
      { url: 'http://h/a/b/resolve/main/config.json', bytes: 7 },
      { url: 'http://h/x/m/resolve/main/config.json', bytes: 20 },
      { url: 'http://other/x/m/resolve/main/config.json', bytes: 5 },
      { url: 'http://h/unrelated.json', bytes: 99 },
    ]);
    expect(got).toEqual([
      { modelId: 'a/b', host: 'http://h/', files: ['config.json'], bytes: 7 },
      { modelId: 'x/m', host: 'http://h/', files: ['config.json', 'onnx/model.onnx'], bytes: 1020 },
      { modelId: 'x/m', host: 'http://other/', files: ['config.json'], bytes: 5 },
    ]);
  });
});

describe('cachedDtypes(files)', () => {
  it('names the dtype of each cached ONNX weight file (most faithful first)', () => {
    expect(cachedDtypes(['config.json', 'onnx/model_q4f16.onnx', 'onnx/model.onnx', 'onnx/model.onnx_data', 'tokenizer.json'])).toEqual(['fp32', 'q4f16']);
    expect(cachedDtypes(['onnx/model_quantized.onnx', 'onnx/model_fp16.onnx', 'onnx/model_q4.onnx'])).toEqual(['fp16', 'q8', 'q4']);
    expect(cachedDtypes(['onnx/decoder_model_merged_quantized.onnx', 'onnx/decoder_model_quantized.onnx'])).toEqual(['q8']);
    expect(cachedDtypes(['config.json'])).toEqual([]);
  });
});
