/**
 * Variation seeds and prompt editing on the built-in model: the edge values
 * give back the plain pictures exactly, the middle differs from both.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoadedModel, type PipelineRequest, runPipeline } from '../engine/index.js';
import { readScene } from './scene-analysis.js';

const MODEL_DIR = path.resolve(import.meta.dirname, '..', '..', 'models', 'studio-shapes');
const base: PipelineRequest = {
  mode: 'txt2img',
  prompt: 'a red circle on a blue background',
  negativePrompt: '',
  // No per-step noise: the picture is a function of the initial noise alone, as in A1111's tests of this.
  sampler: 'euler',
  steps: 20,
  cfgScale: 7,
  seed: 101,
  rng: 'cpu',
  width: 128,
  height: 128,
  batchCount: 1,
  strength: 1,
};

let model: LoadedModel;
beforeAll(async () => {
  model = await LoadedModel.load(MODEL_DIR, ['cpu']);
});
afterAll(async () => model?.release());

const picture = async (over: Partial<PipelineRequest>) =>
  (await runPipeline(model, { ...base, ...over }))[0]!.image.data;
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

describe('variation seeds', () => {
  it('strength 0 is the seed, strength 1 the variation seed, 0.5 neither', async () => {
    const seed = await picture({});
    const other = await picture({ seed: 202 });
    expect(same(seed, other)).toBe(false);
    expect(same(await picture({ variationSeed: 202, variationStrength: 0 }), seed)).toBe(true);
    expect(same(await picture({ variationSeed: 202, variationStrength: 1 }), other)).toBe(true);
    const half = await picture({ variationSeed: 202, variationStrength: 0.5 });
    expect(same(half, seed) || same(half, other)).toBe(false);
  });

  it("resize seed from the picture's own size changes nothing; from another size it does", async () => {
    const seed = await picture({});
    expect(same(await picture({ seedResizeFromWidth: 128, seedResizeFromHeight: 128 }), seed)).toBe(true);
    expect(same(await picture({ seedResizeFromWidth: 64, seedResizeFromHeight: 96 }), seed)).toBe(false);
  });

  it('a batch takes seed + i and variation seed + i', async () => {
    const batch = await runPipeline(model, { ...base, batchCount: 2, variationSeed: 202, variationStrength: 1 });
    expect(same(batch[1]!.image.data, await picture({ seed: 203 }))).toBe(true);
  });
});

describe('prompt editing and alternation', () => {
  it('[red:blue:0] is blue, [red:blue:99] is red, :0.5 and [red|blue] are neither', async () => {
    const red = await picture({ prompt: 'a red circle' });
    const blue = await picture({ prompt: 'a blue circle' });
    expect(same(await picture({ prompt: '[a red circle:a blue circle:0]' }), blue)).toBe(true);
    expect(same(await picture({ prompt: '[a red circle:a blue circle:99]' }), red)).toBe(true);
    for (const p of ['[a red circle:a blue circle:0.5]', 'a [red|blue] circle']) {
      const mixed = await picture({ prompt: p });
      expect(same(mixed, red) || same(mixed, blue), p).toBe(false);
    }
  });
});

describe('composable diffusion (AND)', () => {
  /** Largest channel difference in 0-255 units: a UNet batch of 3 may round its last bits apart from one of 2. */
  const maxDiff = (a: Uint8Array, b: Uint8Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

  it('sums the weighted pulls of the sub-prompts, as A1111 does', async () => {
    const red = await picture({ prompt: 'a red circle' });
    // Two halves of the same prompt pull as the whole; a weight of 0 pulls nothing.
    expect(maxDiff(await picture({ prompt: 'a red circle :0.5 AND a red circle :0.5' }), red)).toBeLessThanOrEqual(2);
    expect(maxDiff(await picture({ prompt: 'a red circle AND a green square :0' }), red)).toBeLessThanOrEqual(2);
    // The same prompt twice pulls twice: CFG 7 on both is CFG 14 on one.
    const twice = await picture({ prompt: 'a red circle AND a red circle' });
    expect(maxDiff(twice, await picture({ prompt: 'a red circle', cfgScale: 14 }))).toBeLessThanOrEqual(2);
    const both = await picture({ prompt: 'a red circle AND a yellow square' });
    expect(maxDiff(both, red)).toBeGreaterThan(20);
    expect(maxDiff(both, await picture({ prompt: 'a yellow square' }))).toBeGreaterThan(20);
  });
});

describe('hires fix', () => {
  it('128 -> 256 keeps the colour, the background and the side the prompt asks for (scene evaluator)', async () => {
    // The third kind: an ONNX upscaler (the hand-made nearest-neighbour x2 of the fixtures), then the VAE.
    const onnx = path.resolve(import.meta.dirname, '..', '..', 'test', 'fixtures', 'upscalers', 'nearest-x2.onnx');
    for (const [seed, upscaler] of [
      [11, 'latent'],
      [12, 'latent'],
      [11, 'lanczos'],
      [12, 'lanczos'],
      [11, 'nearest-x2'],
    ] as const) {
      const request = {
        ...base,
        sampler: 'euler_a' as const,
        prompt: 'a red circle on the left on a blue background',
        seed,
      };
      const [small] = await runPipeline(model, request);
      const [big] = await runPipeline(model, {
        ...request,
        hiresScale: 2,
        hiresSteps: 10,
        hiresDenoise: 0.4,
        hiresUpscaler: upscaler,
        ...(upscaler === 'nearest-x2' ? { hiresUpscalerFile: onnx } : {}),
      });
      expect([big!.image.width, big!.image.height]).toEqual([256, 256]);
      const before = readScene(small!.image, 'red');
      const after = readScene(big!.image, 'red');
      expect(before).toMatchObject({ background: 'blue', position: 'left' });
      expect(after, `${upscaler} seed ${seed}`).toMatchObject({ background: 'blue', position: 'left' });
      expect(after.blobArea, upscaler).toBeGreaterThan(0.02);
    }
  });
});

describe('guidance passes one at a time (large pictures)', () => {
  it('give the picture the batched passes give, within rounding', async () => {
    // The built-in UNet takes any batch, so the passes can go either way.
    expect(model.sig.unet.batchFixed).toBeNull();
    const batched = await picture({});
    model.separateGuidanceAbove = 0;
    try {
      const separate = await picture({});
      let max = 0;
      for (let i = 0; i < batched.length; i++) max = Math.max(max, Math.abs(batched[i]! - separate[i]!));
      expect(max).toBeLessThanOrEqual(2);
    } finally {
      model.separateGuidanceAbove = 96 * 96;
    }
  });
});
