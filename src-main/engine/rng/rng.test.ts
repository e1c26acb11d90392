import { describe, expect, it } from 'vitest';
import { createGenerator } from './index.js';

// The full torch comparison runs in conformance.test.ts against torch-randn.json;
// these pin well-known values so a regression shows even without the fixtures.
const fixed4 = (a: Float32Array) => Array.from(a, (v) => v.toFixed(4));

describe('torch-compatible noise', () => {
  it('cpu: torch.manual_seed(0); torch.randn(4, 4)', () => {
    expect(fixed4(createGenerator('cpu', 0).randn([4, 4])).slice(0, 8)).toEqual([
      '-1.1258',
      '-1.1524',
      '-0.2506',
      '-0.4339',
      '0.8487',
      '0.6920',
      '-0.3160',
      '-2.1152',
    ]);
  });
  it('cpu: small draws take the scalar path (torch.manual_seed(0); torch.randn(6))', () => {
    expect(fixed4(createGenerator('cpu', 0).randn([6]))).toEqual([
      '1.5410',
      '-0.2934',
      '-2.1788',
      '0.5684',
      '-1.0845',
      '-1.3986',
    ]);
  });
  it('state carries across draws, and reseeding restarts it', () => {
    const g = createGenerator('cpu', 42);
    const first = g.randn([16]);
    const second = g.randn([16]);
    expect(Array.from(second)).not.toEqual(Array.from(first));
    expect(Array.from(createGenerator('cpu', 42).randn([16]))).toEqual(Array.from(first));
  });
  it('gpu (Philox): different per seed, above 2^32 too, and reproducible', () => {
    const a = createGenerator('gpu', 2 ** 32 + 5).randn([64]);
    const b = createGenerator('gpu', 5).randn([64]);
    expect(Array.from(a)).not.toEqual(Array.from(b));
    expect(Array.from(createGenerator('gpu', 2 ** 32 + 5).randn([64]))).toEqual(Array.from(a));
  });
  it('refuses negative or fractional seeds', () => {
    expect(() => createGenerator('gpu', -1)).toThrow(RangeError);
    expect(() => createGenerator('cpu', 1.5)).toThrow(RangeError);
  });
});
