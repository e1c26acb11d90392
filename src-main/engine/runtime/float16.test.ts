import { describe, expect, it } from 'vitest';
import { float16ToFloat32, float32ToFloat16, fromHalfBits, toHalfBits } from './float16.js';

describe('float16', () => {
  it('converts exactly representable values both ways', () => {
    for (const v of [0, 1, -2, 0.5, 65504, 6.103515625e-5, 2 ** -24]) expect(fromHalfBits(toHalfBits(v))).toBe(v);
  });
  it('rounds to nearest even and saturates to infinity', () => {
    expect(fromHalfBits(toHalfBits(1 + 2 ** -11))).toBe(1);
    expect(fromHalfBits(toHalfBits(1 + 3 * 2 ** -11))).toBe(1 + 2 ** -9);
    expect(fromHalfBits(toHalfBits(1e6))).toBe(Infinity);
    expect(Number.isNaN(fromHalfBits(toHalfBits(Number.NaN)))).toBe(true);
  });
  it('round-trips arrays within half precision', () => {
    const src = Float32Array.from([0.1, -3.75, 1234.5]);
    const back = float16ToFloat32(float32ToFloat16(src));
    src.forEach((v, i) => {
      expect(Math.abs(back[i]! - v)).toBeLessThanOrEqual(Math.abs(v) * 2 ** -10);
    });
  });
});
