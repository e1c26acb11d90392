/**
 * Outpainting on the built-in model: a picture extended by 64 px on the left
 * and the right keeps its own pixels exactly and continues the background in
 * the new areas (the project's scene evaluator reads each new strip).
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LoadedModel,
  type PipelineRequest,
  type RgbImage,
  encodePng,
  outpaintCanvas,
  runPipeline,
} from '../engine/index.js';
import { readScene } from './scene-analysis.js';

const MODEL_DIR = path.resolve(import.meta.dirname, '..', '..', 'models', 'studio-shapes');
let model: LoadedModel;
beforeAll(async () => {
  model = await LoadedModel.load(MODEL_DIR, ['cpu']);
});
afterAll(async () => model?.release());

const strip = (img: RgbImage, x0: number, width: number): RgbImage => {
  const data = new Uint8Array(width * img.height * 3);
  for (let y = 0; y < img.height; y++)
    data.set(img.data.subarray((y * img.width + x0) * 3, (y * img.width + x0 + width) * 3), y * width * 3);
  return { width, height: img.height, data };
};

describe('outpainting', () => {
  it('extends 64 px left and right: the original exactly, the background continued', async () => {
    const request: PipelineRequest = {
      mode: 'txt2img',
      prompt: 'a red circle on a blue background',
      negativePrompt: '',
      sampler: 'euler_a',
      steps: 20,
      cfgScale: 7,
      seed: 21,
      rng: 'cpu',
      width: 128,
      height: 128,
      batchCount: 1,
      strength: 1,
    };
    for (const seed of [21, 22]) {
      const [base] = await runPipeline(model, { ...request, seed });
      expect(readScene(base!.image, 'red').background).toBe('blue');
      const canvas = outpaintCanvas(base!.image, { left: 64, top: 0, right: 64, bottom: 0 });
      expect([canvas.image.width, canvas.image.height]).toEqual([256, 128]);
      const [out] = await runPipeline(model, {
        ...request,
        seed,
        mode: 'inpaint',
        width: 256,
        height: 128,
        initImage: await encodePng(canvas.image),
        mask: await encodePng(canvas.mask),
      });
      const img = out!.image;
      expect(Buffer.from(strip(img, 64, 128).data).equals(Buffer.from(base!.image.data)), `seed ${seed}`).toBe(true);
      for (const [x0, side] of [
        [0, 'left'],
        [192, 'right'],
      ] as const)
        expect(readScene(strip(img, x0, 64), 'red').background, `seed ${seed} ${side}`).toBe('blue');
    }
  });

  it('snaps the size to the model’s multiple on the right and bottom', () => {
    const src: RgbImage = { width: 10, height: 6, data: new Uint8Array(10 * 6 * 3).fill(200) };
    const c = outpaintCanvas(src, { left: 3, top: 1, right: 0, bottom: 0 }, 8);
    expect([c.image.width, c.image.height, c.pads.right, c.pads.bottom]).toEqual([16, 8, 3, 1]);
    // The original's pixels are unmasked; the far corner is fully masked.
    expect(c.mask.data[(1 * 16 + 3) * 3]).toBe(0);
    expect(c.mask.data[(7 * 16 + 15) * 3]).toBeGreaterThan(0);
  });
});
