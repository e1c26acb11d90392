import { describe, expect, it } from 'vitest';
import { TorchCpuGenerator } from './index.js';
import { initialNoise } from './initial-noise.js';

const SEED = 1234;
const base = (h: number, w: number, resizeFrom: { h: number; w: number } | null) =>
  initialNoise({
    channels: 4,
    h,
    w,
    fresh: (s) => new TorchCpuGenerator(s),
    generator: new TorchCpuGenerator(SEED),
    seed: SEED,
    variation: null,
    resizeFrom,
  });
const at = (a: Float32Array, h: number, w: number, c: number, y: number, x: number) => a[(c * h + y) * w + x]!;

describe("A1111's resize seed from width/height", () => {
  const own = new TorchCpuGenerator(SEED).randn([1, 4, 8, 8]);

  it('at the picture’s own size is the plain noise', () => {
    expect(base(8, 8, { h: 8, w: 8 })).toEqual(own);
    expect(base(8, 8, null)).toEqual(own);
  });

  it('from a smaller size: that noise at the centre, the picture’s own around it', () => {
    const small = new TorchCpuGenerator(SEED).randn([1, 4, 4, 4]);
    const got = base(8, 8, { h: 4, w: 4 });
    for (let c = 0; c < 4; c++)
      for (let y = 0; y < 8; y++)
        for (let x = 0; x < 8; x++) {
          const inside = y >= 2 && y < 6 && x >= 2 && x < 6;
          expect(at(got, 8, 8, c, y, x)).toBe(inside ? at(small, 4, 4, c, y - 2, x - 2) : at(own, 8, 8, c, y, x));
        }
  });

  it('from a larger size: the centre of that noise, cropped to the picture', () => {
    const large = new TorchCpuGenerator(SEED).randn([1, 4, 12, 14]);
    const got = base(8, 8, { h: 12, w: 14 });
    for (let c = 0; c < 4; c++)
      for (let y = 0; y < 8; y++)
        for (let x = 0; x < 8; x++) expect(at(got, 8, 8, c, y, x)).toBe(at(large, 12, 14, c, y + 2, x + 3));
  });
});
