import { describe, expect, it } from 'vitest';
import { extraFeeds, kvElementType } from './graphInputs.ts';

describe('kvElementType', () => {
  it('reads the past inputs’ type, not the dtype name', () => {
    const meta = [{ name: 'input_ids', isTensor: true, type: 'int64' }, { name: 'past_key_values.0.key', isTensor: true, type: 'float32' }];
    expect(kvElementType(meta, 'q4f16')).toBe('float32'); // a q4f16 export whose cache stayed float32
    expect(kvElementType([{ name: 'past_key_values.0.key', type: 'float16' }], 'fp32')).toBe('float16');
    expect(kvElementType(undefined, 'fp16')).toBe('float16');
    expect(() => kvElementType([{ name: 'past_key_values.0.key', type: 'int8' }], 'q8')).toThrow(/int8/);
  });
});

describe('extraFeeds', () => {
  it('use_cache_branch follows the past; logits_to_keep 0 keeps every position', () => {
    expect(extraFeeds(['input_ids', 'use_cache_branch'], 0)).toEqual([{ name: 'use_cache_branch', type: 'bool', value: false, dims: [1] }]);
    expect(extraFeeds(['use_cache_branch'], 5)[0].value).toBe(true);
    expect(extraFeeds(['num_logits_to_keep', 'logits_to_keep'], 0).map((f) => [f.name, f.value, f.dims])).toEqual([
      ['num_logits_to_keep', 0, []],
      ['logits_to_keep', 0, []],
    ]);
    expect(extraFeeds(['input_ids', 'attention_mask'], 3)).toEqual([]);
  });
});
