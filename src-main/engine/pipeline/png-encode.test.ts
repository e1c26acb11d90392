import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodePngToRgb, encodePng } from './images.js';

describe("the engine's PNG encoder", () => {
  it('writes PNGs that decode to exactly the pixels (noise, gradients, odd sizes)', async () => {
    for (const [width, height] of [
      [1, 1],
      [7, 3],
      [128, 96],
    ] as const) {
      const data = new Uint8Array(width * height * 3);
      for (let i = 0; i < data.length; i++) data[i] = i % 5 === 0 ? (i * 2654435761) >>> 24 : (i * 7) & 0xff;
      const png = await encodePng({ width, height, data });
      const meta = await sharp(png).metadata();
      expect([meta.format, meta.width, meta.height, meta.channels]).toEqual(['png', width, height, 3]);
      const back = await decodePngToRgb(png);
      expect(Buffer.from(back.data).equals(Buffer.from(data))).toBe(true);
    }
  });
});
