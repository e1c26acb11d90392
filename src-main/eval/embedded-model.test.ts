import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LoadedModel,
  encodePng,
  type RgbImage,
  runPipeline,
  type PipelineRequest,
  ClipTokenizer,
} from '../engine/index.js';
import { inspectModel } from '../models/model-registry.js';
import { COLOURS, PALETTE, POSITIONS, SHAPES, SIZES } from './shape-captions.js';
import { readScene } from './scene-analysis.js';

const MODEL_DIR = path.resolve(import.meta.dirname, '..', '..', 'models', 'studio-shapes');
const SEEDS = [2_000_001, 2_000_002, 2_000_003, 2_000_004, 2_000_005];

const base: PipelineRequest = {
  mode: 'txt2img',
  prompt: '',
  negativePrompt: '',
  sampler: 'euler_a',
  steps: 20,
  cfgScale: 7,
  seed: 0,
  rng: 'cpu',
  width: 128,
  height: 128,
  batchCount: 1,
  strength: 1,
};

/** PSNR in dB over the pixels where keep(x, y) is true. */
function psnr(a: RgbImage, b: RgbImage, keep: (x: number, y: number) => boolean): number {
  let sum = 0;
  let n = 0;
  for (let y = 0; y < a.height; y++) {
    for (let x = 0; x < a.width; x++) {
      if (!keep(x, y)) continue;
      for (let c = 0; c < 3; c++) {
        const i = (y * a.width + x) * 3 + c;
        sum += (a.data[i]! - b.data[i]!) ** 2;
        n++;
      }
    }
  }
  return sum === 0 ? Infinity : 10 * Math.log10((255 * 255) / (sum / n));
}

describe('the embedded model', () => {
  let model: LoadedModel;
  beforeAll(async () => {
    model = await LoadedModel.load(MODEL_DIR, ['cpu']);
  });
  afterAll(() => model?.release());
  const generate = async (req: Partial<PipelineRequest>) => (await runPipeline(model, { ...base, ...req }))[0]!.image;

  it('is listed as a runnable SD 1.x-layout model of 128x128 within 40 MB', () => {
    expect(inspectModel(MODEL_DIR)).toMatchObject({
      problem: null,
      precision: 'float32',
      predictionType: 'epsilon',
      inpainting: false,
      nativeSize: 128,
    });
    expect(inspectModel(MODEL_DIR).sizeBytes).toBeLessThanOrEqual(40e6);
  });

  it("its own vocabulary makes every word of the grammar one token, read by the engine's CLIP tokenizer", () => {
    const tokenizer = ClipTokenizer.fromFolder(path.join(MODEL_DIR, 'tokenizer'));
    const words = new Set([
      'a',
      'on',
      'background',
      ...COLOURS,
      ...SHAPES,
      ...SIZES,
      ...POSITIONS.flatMap((p) => p.split(' ')),
    ]);
    for (const word of words) expect(tokenizer.encodeText(word), word).toHaveLength(1);
    expect(tokenizer.encode('a large blue star on the left')).toHaveLength(9);
  });

  it('txt2img draws the asked colour on the asked side; img2img at 0.6 recolours it and keeps it there', async () => {
    for (const seed of SEEDS) {
      const red = await generate({ prompt: 'a red circle on the left', seed });
      expect(readScene(red, 'red')).toMatchObject({ position: 'left' });
      const blue = await generate({
        mode: 'img2img',
        prompt: 'a blue circle on the left',
        initImage: await encodePng(red),
        strength: 0.6,
        seed: seed + 100,
      });
      expect(readScene(blue, 'blue'), `seed ${seed}`).toMatchObject({ position: 'left' });
      expect(readScene(blue, 'red').blobArea).toBeLessThan(0.01);
    }
  });

  it('inpainting paints inside the mask and leaves the rest of the picture as it was', async () => {
    const [r, g, b] = PALETTE.green;
    const green = await sharp({ create: { width: 128, height: 128, channels: 3, background: { r, g, b } } })
      .png()
      .toBuffer();
    const rightHalf = await sharp({ create: { width: 128, height: 128, channels: 3, background: '#000' } })
      .composite([{ input: { create: { width: 64, height: 128, channels: 3, background: '#fff' } }, left: 64, top: 0 }])
      .png()
      .toBuffer();
    const init: RgbImage = {
      width: 128,
      height: 128,
      data: new Uint8Array(128 * 128 * 3).map((_, i) => [r, g, b][i % 3]!),
    };
    for (const seed of SEEDS) {
      const out = await generate({
        mode: 'inpaint',
        prompt: 'a yellow square on the right on a green background',
        initImage: green,
        mask: rightHalf,
        seed,
      });
      const scene = readScene(out, 'yellow');
      expect(scene.centroid, `seed ${seed}`).not.toBeNull();
      expect(scene.centroid!.x).toBeGreaterThan(0.5);
      expect(psnr(out, init, (x) => x < 64)).toBeGreaterThan(35);
    }
  });
});
