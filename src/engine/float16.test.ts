import { describe, expect, it } from 'vitest';
import { float16ToFloat32, logitsToFloat32 } from './float16.ts';

// bit patterns and values from IEEE 754-2008 binary16 (sign 1, exponent 5 bits bias 15, fraction 10 bits)
const CASES: [number, number][] = [
  [0x0000, 0],
  [0x3c00, 1],
  [0xc000, -2],
  [0x3555, 0.333251953125],
  [0x7bff, 65504], // largest finite
  [0x0400, 2 ** -14], // smallest normal
  [0x0001, 2 ** -24], // smallest subnormal
  [0x03ff, 1023 * 2 ** -24], // largest subnormal
  [0x7c00, Infinity],
  [0xfc00, -Infinity],
  [0x4248, 3.140625],
];

describe('float16ToFloat32', () => {
  it('decodes the IEEE binary16 patterns', () => {
    const out = float16ToFloat32(Uint16Array.from(CASES.map(([b]) => b)));
    CASES.forEach(([, v], i) => expect(out[i]).toBe(v));
  });
  it('keeps -0 and NaN', () => {
    const out = float16ToFloat32(Uint16Array.of(0x8000, 0x7e00, 0xfe01));
    expect(Object.is(out[0], -0)).toBe(true);
    expect(Number.isNaN(out[1]) && Number.isNaN(out[2])).toBe(true);
  });
  it('is not the integer reading the old Float32Array.from(Uint16Array) did', () => {
    expect(Float32Array.from(Uint16Array.of(0x3c00))[0]).toBe(15360);
    expect(logitsToFloat32(Uint16Array.of(0x3c00), 'float16')[0]).toBe(1);
  });
});

describe('logitsToFloat32', () => {
  it('returns float32 data as is and converts float64', () => {
    const f = Float32Array.of(1.5, -2);
    expect(logitsToFloat32(f, 'float32')).toBe(f);
    expect(Array.from(logitsToFloat32(Float64Array.of(0.5), 'float64'))).toEqual([0.5]);
  });
  it('refuses integer data', () => {
    expect(() => logitsToFloat32(Int32Array.of(1), 'int32')).toThrow(TypeError);
    expect(() => logitsToFloat32(Uint16Array.of(1), 'uint16')).toThrow(TypeError);
  });
});
