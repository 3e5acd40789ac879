/**
 * Whether a model's download fits the device before loading it.
 * - WASM: ONNX Runtime Web's wasm32 build addresses at most 4 GiB, and the weights are held twice while the
 *   session is built (the downloaded bytes and ONNX Runtime's copy), so more than 2 GiB of weights cannot load.
 * - Memory: `navigator.deviceMemory` (GB, Chromium; rounded down and capped at 8) — a download above half of it
 *   risks the tab being killed (phones and small laptops).
 */
export const WASM_LIMIT_BYTES = 2 * 1024 ** 3;

export type SizeWarning = { kind: 'wasm'; bytes: number } | { kind: 'memory'; bytes: number; memoryBytes: number };

/**
 * @param bytes the model's download size (weights + small files)
 * @param device where it will run
 * @param deviceMemoryGB `navigator.deviceMemory` when the browser reports it
 * @returns the first limit exceeded, or null
 */
export function sizeWarning(bytes: number | null, device: 'wasm' | 'webgpu', deviceMemoryGB?: number): SizeWarning | null {
  if (bytes === null || !Number.isFinite(bytes)) return null;
  if (device === 'wasm' && bytes > WASM_LIMIT_BYTES) return { kind: 'wasm', bytes };
  if (deviceMemoryGB && deviceMemoryGB > 0 && bytes > (deviceMemoryGB * 1e9) / 2) return { kind: 'memory', bytes, memoryBytes: deviceMemoryGB * 1e9 };
  return null;
}
