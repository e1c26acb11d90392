import { describe, expect, it } from 'vitest';
import { averagedLatents, matchTileToGuide } from './vae-colour-guide.js';

describe('the tiled VAE colour guide', () => {
  it('averages latents by blocks, partial blocks over what they hold', () => {
    // One channel, 3x3: blocks of 2 leave a column and a row of partial blocks.
    const l = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(averagedLatents(l, 1, 3, 3, 2)).toEqual({ data: Float32Array.from([3, 4.5, 7.5, 9]), width: 2, height: 2 });
  });

  it("gives a tile that drifted in brightness and contrast the guide's colours back", () => {
    // A guide of 4x4 pixels (factor 2: one guide pixel per 2x2 output pixels of an 8x8 tile at 0,0).
    const guide = { data: new Float32Array(3 * 16), width: 4, height: 4, factor: 2 };
    for (let i = 0; i < guide.data.length; i++) guide.data[i] = Math.sin(i) * 0.5;
    const truth = new Float32Array(3 * 64);
    for (let c = 0; c < 3; c++)
      for (let y = 0; y < 8; y++)
        for (let x = 0; x < 8; x++) truth[(c * 8 + y) * 8 + x] = guide.data[(c * 4 + (y >> 1)) * 4 + (x >> 1)]!;
    const drifted = truth.map((v) => v * 0.7 + 0.2);
    matchTileToGuide(drifted, 8, 8, { x: 0, y: 0 }, guide);
    for (let i = 0; i < truth.length; i++) expect(drifted[i]).toBeCloseTo(truth[i]!, 5);
  });
});
