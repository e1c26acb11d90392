/**
 * Outpainting on the built-in model: a picture extended by 64 px on the left
 * and the right keeps its own pixels exactly and continues the background in
 * the new areas (the project's scene evaluator reads each new strip). And
 * inpainting of only the masked area: generated at the model's size, nothing
 * outside the mask changed.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LoadedModel,
  type PipelineRequest,
  type RgbImage,
  encodePng,
  maskedBox,
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

describe('inpainting of only the masked area', () => {
  it('a 100x100 mask in a 512x512 picture: generated at the model size, nothing outside the mask changes', async () => {
    const size = 512;
    const picture = new Uint8Array(size * size * 3);
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) picture.set([40 + ((x * 3) % 60), 80, 200 - ((y * 2) % 50)], (y * size + x) * 3);
    const mask = new Uint8Array(size * size * 3);
    for (let y = 200; y < 300; y++)
      for (let x = 300; x < 400; x++) mask.fill(255, (y * size + x) * 3, (y * size + x) * 3 + 3);
    const previews: [number, number][] = [];
    const [out] = await runPipeline(
      model,
      {
        mode: 'inpaint',
        prompt: 'a red circle on a blue background',
        negativePrompt: '',
        sampler: 'euler',
        steps: 8,
        cfgScale: 7,
        seed: 3,
        rng: 'cpu',
        width: 128,
        height: 128,
        batchCount: 1,
        strength: 1,
        inpaintArea: 'masked',
        maskPadding: 32,
        initImage: await encodePng({ width: size, height: size, data: picture }),
        mask: await encodePng({ width: size, height: size, data: mask }),
      },
      {
        onStep: (s) => {
          const p = s.preview();
          previews.push([p.width, p.height]);
        },
      },
    );
    const img = out!.image;
    expect([img.width, img.height]).toEqual([size, size]);
    // The sampler worked at the model's size: its latent preview is 128 / 8 on a side.
    expect(previews[0]).toEqual([16, 16]);
    let outside = 0;
    let inside = 0;
    for (let i = 0; i < size * size; i++)
      for (let c = 0; c < 3; c++) {
        const d = Math.abs(img.data[i * 3 + c]! - picture[i * 3 + c]!);
        if (mask[i * 3] === 0) outside = Math.max(outside, d);
        else inside = Math.max(inside, d);
      }
    expect(outside).toBe(0);
    expect(inside).toBeGreaterThan(20);
  });

  it("finds the box as A1111 does: padded, widened to the generation's aspect, kept inside the picture", () => {
    const w = 512;
    const mask = new Uint8Array(w * w);
    for (let y = 200; y < 300; y++) mask.fill(255, y * w + 300, y * w + 400);
    expect(maskedBox(mask, w, w, 32, 1)).toEqual({ x: 268, y: 168, width: 164, height: 164 });
    // 164 wide grows by 82 each side to 328, then moves 2 px back inside the 512-pixel picture.
    expect(maskedBox(mask, w, w, 32, 2)).toEqual({ x: 184, y: 168, width: 328, height: 164 });
    // Near the edge the widened box moves back inside.
    expect(maskedBox(mask, w, w, 32, 4)!.x + maskedBox(mask, w, w, 32, 4)!.width).toBeLessThanOrEqual(w);
    expect(maskedBox(new Uint8Array(16), 4, 4, 2, 1)).toBeNull();
  });
});
