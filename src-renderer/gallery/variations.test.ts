import { describe, expect, it } from 'vitest';
import { zGenerationParams } from '../../src-shared/domain/engine.js';
import type { RemixParams } from '../../src-shared/domain/gallery.js';
import { variationRequests } from './variations.js';

const params: RemixParams = {
  model: 'studio-shapes',
  mode: 'txt2img',
  prompt: 'a red circle',
  negativePrompt: '',
  sampler: 'a1111:euler_a:automatic',
  steps: 20,
  cfgScale: 7,
  seed: 5,
  rng: 'cpu',
  width: 128,
  height: 128,
  strength: null,
  originalWidth: null,
  originalHeight: null,
  cropTop: null,
  cropLeft: null,
  variationSeed: null,
  variationStrength: null,
  seedResizeFromWidth: null,
  seedResizeFromHeight: null,
  inpaintArea: null,
  maskPadding: null,
  hiresScale: null,
  hiresSteps: null,
  hiresDenoise: null,
  hiresUpscaler: null,
  vae: null,
  initImage: null,
  mask: null,
};

describe('variations of a gallery item', () => {
  it('keep its settings and seed, each with its own variation seed, as valid requests with the item as parent', () => {
    let n = 0;
    const reqs = variationRequests(params, 9, { strength: 0.3, count: 3 }, () => [0.1, 0.5, 0.9][n++]!);
    expect(Array.isArray(reqs) && reqs.length).toBe(3);
    const parsed = (reqs as object[]).map((r) => zGenerationParams.parse(r));
    expect(new Set(parsed.map((p) => p.variationSeed)).size).toBe(3);
    for (const p of parsed)
      expect(p).toMatchObject({ seed: 5, sampler: 'a1111:euler_a:automatic', variationStrength: 0.3, parentId: 9 });
  });
  it('say why an item without a seed or model cannot be varied', () => {
    expect(variationRequests({ ...params, seed: null }, 1, { strength: 0.3, count: 2 })).toMatch(/no seed/);
    expect(variationRequests({ ...params, model: null }, 1, { strength: 0.3, count: 2 })).toMatch(/no model/);
  });
});
