import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES_DIR } from '../../test-support/fixtures.js';
import type { RgbImage } from '../pipeline/images.js';
import { resizeLanczos } from './resample.js';
import { OnnxUpscaler } from './upscaler.js';

const UPSCALERS = path.join(FIXTURES_DIR, 'upscalers');

/** A picture with detail everywhere (so a seam would show). */
function testImage(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let c = 0; c < 3; c++)
        data[(y * width + x) * 3 + c] = Math.round(127.5 + 127.5 * Math.sin(x * 0.37 + y * 0.23 * (c + 1) + c));
  return { width, height, data };
}

const maxDiff = (a: Uint8Array, b: Uint8Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

describe('ONNX upscalers, tiled', () => {
  let nearest: OnnxUpscaler;
  let blur: OnnxUpscaler;
  beforeAll(async () => {
    nearest = await OnnxUpscaler.load(path.join(UPSCALERS, 'nearest-x2.onnx'));
    blur = await OnnxUpscaler.load(path.join(UPSCALERS, 'blur-x2.onnx'));
  });
  afterAll(async () => {
    await nearest?.release();
    await blur?.release();
  });

  it('reads the scale from the model and gives the exact known output (nearest x2)', async () => {
    expect(nearest.scale).toBe(2);
    const img = testImage(37, 23);
    const out = await nearest.upscale(img, { tile: 16, overlap: 4 });
    expect([out.width, out.height]).toEqual([74, 46]);
    for (let y = 0; y < out.height; y++)
      for (let x = 0; x < out.width; x++)
        for (let c = 0; c < 3; c++)
          expect(out.data[(y * out.width + x) * 3 + c]).toBe(img.data[((y >> 1) * img.width + (x >> 1)) * 3 + c]);
  });

  it('runs an export of a fixed input size in tiles of that size, larger and smaller pictures alike', async () => {
    const fixed = await OnnxUpscaler.load(path.join(UPSCALERS, 'nearest-x2-fixed32.onnx'));
    try {
      expect([fixed.scale, fixed.fixed]).toEqual([2, { width: 32, height: 32 }]);
      for (const [w, h] of [
        [75, 41],
        [20, 13],
        [32, 32],
      ] as const) {
        const img = testImage(w, h);
        const out = await fixed.upscale(img, { overlap: 4 });
        expect([out.width, out.height]).toEqual([2 * w, 2 * h]);
        let off = 0;
        for (let y = 0; y < out.height; y++)
          for (let x = 0; x < out.width; x++)
            for (let c = 0; c < 3; c++)
              off = Math.max(
                off,
                Math.abs(out.data[(y * out.width + x) * 3 + c]! - img.data[((y >> 1) * w + (x >> 1)) * 3 + c]!),
              );
        expect(off, `${w}x${h}`).toBe(0);
      }
    } finally {
      await fixed.release();
    }
  });

  it('a tiled upscale equals the whole picture at once within 1/255, odd sizes included', async () => {
    for (const [w, h] of [
      [97, 61],
      [64, 64],
      [130, 45],
    ] as const) {
      const img = testImage(w, h);
      const whole = await blur.upscale(img, { tile: 4096 });
      let tiles = 0;
      const tiled = await blur.upscale(img, { tile: 24, overlap: 6, onTile: (_, n) => (tiles = n) });
      expect(tiles).toBeGreaterThan(4);
      expect(maxDiff(tiled.data, whole.data), `${w}x${h}`).toBeLessThanOrEqual(1);
    }
  });

  it('refuses files that are not image upscalers, with the reason', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-upscaler-'));
    try {
      fs.writeFileSync(path.join(dir, 'junk.onnx'), 'not a model');
      await expect(OnnxUpscaler.load(path.join(dir, 'junk.onnx'))).rejects.toThrow(/not an ONNX upscaler/);
      await expect(OnnxUpscaler.load(path.join(FIXTURES_DIR, 'tiny-sd', 'vae_decoder', 'model.onnx'))).rejects.toThrow(
        /not an ONNX upscaler/,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('Lanczos resamples to any size', async () => {
    const out = await resizeLanczos(testImage(40, 30), 100, 75);
    expect([out.width, out.height, out.data.length]).toEqual([100, 75, 100 * 75 * 3]);
  });
});
