/**
 * "Variations" of a gallery item: its own settings and seed, each job with a
 * fresh variation seed at the chosen strength (A1111's variation seeds), so
 * the pictures stay close to the item and each is reproducible. Each is its
 * own job with the item as parent, so they land in the gallery as its children.
 */
import type { GenerationRequest } from '../../src-shared/domain/engine.js';
import type { RemixParams } from '../../src-shared/domain/gallery.js';
import { MAX_SEED } from '../../src-shared/domain/generation.js';

export interface VariationPlan {
  strength: number;
  count: number;
}

/** The requests, or why the item cannot be varied (an import with no seed or model). */
export function variationRequests(
  params: RemixParams,
  parentId: number,
  plan: VariationPlan,
  random: () => number = Math.random,
): GenerationRequest[] | string {
  if (!params.model) return 'This picture names no model to vary it with.';
  if (params.seed === null) return 'This picture has no seed to vary.';
  const base: GenerationRequest = {
    model: params.model,
    mode: params.mode,
    prompt: params.prompt,
    negativePrompt: params.negativePrompt,
    seed: params.seed,
    width: params.width,
    height: params.height,
    parentId,
    ...(params.sampler ? { sampler: params.sampler } : {}),
    ...(params.steps !== null ? { steps: params.steps } : {}),
    ...(params.cfgScale !== null ? { cfgScale: params.cfgScale } : {}),
    ...(params.rng ? { rng: params.rng } : {}),
    ...(params.strength !== null ? { strength: params.strength } : {}),
    ...(params.initImage ? { initImage: params.initImage } : {}),
    ...(params.mask ? { mask: params.mask } : {}),
    originalWidth: params.originalWidth,
    originalHeight: params.originalHeight,
    cropTop: params.cropTop,
    cropLeft: params.cropLeft,
    ...(params.hiresScale !== null ? { hiresScale: params.hiresScale } : {}),
    ...(params.hiresSteps !== null ? { hiresSteps: params.hiresSteps } : {}),
    ...(params.hiresDenoise !== null ? { hiresDenoise: params.hiresDenoise } : {}),
    ...(params.hiresUpscaler !== null ? { hiresUpscaler: params.hiresUpscaler } : {}),
    vae: params.vae,
    seedResizeFromWidth: params.seedResizeFromWidth,
    seedResizeFromHeight: params.seedResizeFromHeight,
    ...(params.inpaintArea ? { inpaintArea: params.inpaintArea } : {}),
    ...(params.maskPadding !== null ? { maskPadding: params.maskPadding } : {}),
  };
  return Array.from({ length: plan.count }, () => ({
    ...base,
    variationSeed: Math.floor(random() * Math.min(MAX_SEED, 2 ** 32)),
    variationStrength: plan.strength,
  }));
}
