/**
 * IEEE 754 binary16 (half precision) → float32, for logits and caches that ONNX Runtime Web returns as
 * raw 16-bit patterns (a Uint16Array: `Float16Array` is missing in most browsers and in Node < 24).
 * `Float32Array.from(uint16)` would read the bit patterns as integers (0x3C00, which is 1.0, as 15360).
 */

/** float32 value of every binary16 bit pattern, built on first use (256 KiB). */
let table: Float32Array | null = null;

function buildTable(): Float32Array {
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    if (exp === 0) t[h] = sign * 2 ** -14 * (frac / 1024); // zero and subnormals
    else if (exp === 31) t[h] = frac ? NaN : sign * Infinity;
    else t[h] = sign * 2 ** (exp - 15) * (1 + frac / 1024);
  }
  return t;
}

/**
 * Decodes binary16 bit patterns.
 * @param bits [n] raw half-precision values (e.g. an ONNX Runtime `float16` tensor's data)
 * @returns [n] the same values as float32 (exact: every binary16 value is representable)
 */
export function float16ToFloat32(bits: Uint16Array): Float32Array {
  const t = (table ??= buildTable());
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = t[bits[i]];
  return out;
}

/**
 * Logits (or any float tensor data) as float32 whatever ONNX Runtime handed back.
 * @param data a Float32Array (returned as is), a Uint16Array with `type` 'float16' (decoded as binary16),
 *   a Float16Array where the runtime has one, or a Float64Array
 * @param type the tensor's element type ('float32', 'float16', …)
 * @throws TypeError for other data (integer tensors are not logits)
 */
export function logitsToFloat32(data: unknown, type: string): Float32Array {
  if (data instanceof Float32Array) return data;
  if (type === 'float16' && data instanceof Uint16Array) return float16ToFloat32(data);
  const F16 = (globalThis as { Float16Array?: new (...a: never[]) => ArrayLike<number> }).Float16Array;
  if ((F16 && data instanceof F16) || data instanceof Float64Array) return Float32Array.from(data as ArrayLike<number>);
  throw new TypeError(`unexpected ${type} tensor data (${Object.prototype.toString.call(data)})`);
}
