import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES_DIR, TINY_SD } from '../../test-support/fixtures.js';
import { LoadedModel } from '../model/loaded-model.js';
import { runPipeline } from './pipeline.js';

const grey = (v: number) =>
  sharp({ create: { width: 64, height: 64, channels: 3, background: { r: v, g: v, b: v } } })
    .png()
    .toBuffer();

describe('inpainting masks', () => {
  let model: LoadedModel;
  beforeAll(async () => {
    model = await LoadedModel.load(TINY_SD, ['cpu']);
  });
  afterAll(() => model?.release());

  const inpaint = async (mask: Buffer) => {
    const [r] = await runPipeline(model, {
      mode: 'inpaint',
      prompt: 'x',
      negativePrompt: '',
      sampler: 'ddim',
      steps: 6,
      cfgScale: 7,
      seed: 3,
      rng: 'cpu',
      width: 64,
      height: 64,
      batchCount: 1,
      strength: 1,
      initImage: fs.readFileSync(path.join(FIXTURES_DIR, 'pipeline-refs', 'init-gradient.png')),
      mask,
    });
    return r!.latents;
  };
  const meanDiff = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + Math.abs(v - b[i]!), 0) / a.length;

  // Blending at every step compounds, so a 50% mask lands much nearer "keep" than halfway.
  it('a feathered (grey) mask blends between keeping and repainting', async () => {
    const keep = await inpaint(await grey(0));
    const repaint = await inpaint(await grey(255));
    const half = await inpaint(await grey(128));
    const full = meanDiff(repaint, keep);
    expect(full).toBeGreaterThan(0.05);
    expect(meanDiff(half, keep)).toBeGreaterThan(full * 0.02);
    expect(meanDiff(half, keep)).toBeLessThan(full * 0.5);
  });
});
