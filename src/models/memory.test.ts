import { describe, expect, it } from 'vitest';
import { sizeWarning, WASM_LIMIT_BYTES } from './memory.ts';

describe('sizeWarning', () => {
  it('warns beyond 2 GiB on WASM (4 GiB wasm32 memory holds the weights twice while loading)', () => {
    expect(sizeWarning(WASM_LIMIT_BYTES, 'wasm')).toBeNull();
    expect(sizeWarning(2_384e6 + 7e6, 'wasm')).toEqual({ kind: 'wasm', bytes: 2_391e6 }); // Qwen3-0.6B fp32 (catalog estimate)
    expect(sizeWarning(2_391e6, 'webgpu')).toBeNull();
  });
  it('warns above half the reported device memory', () => {
    expect(sizeWarning(1.1e9, 'webgpu', 2)).toEqual({ kind: 'memory', bytes: 1.1e9, memoryBytes: 2e9 });
    expect(sizeWarning(0.9e9, 'webgpu', 2)).toBeNull();
    expect(sizeWarning(null, 'wasm', 1)).toBeNull();
  });
});
