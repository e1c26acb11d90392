/**
 * What a tool's metadata says about how a picture was made: the generation
 * record's settings (src-shared/domain/generation.ts), any of them unknown,
 * with the model and the sampler as that tool named them. Every reader (A1111
 * infotext, ComfyUI graph, InvokeAI JSON) returns this one shape.
 */
import type { RecordedSettings } from '../../src-shared/domain/generation.js';

export type ParsedSettings = Omit<RecordedSettings, 'width' | 'height'> & {
  /** Null where the metadata gives no size (the image's own size is used then). */
  width: number | null;
  height: number | null;
  /** The sampler as the tool named it. */
  samplerLabel: string | null;
  model: string | null;
  modelHash: string | null;
};

export const NOTHING_PARSED: ParsedSettings = {
  prompt: '',
  negativePrompt: '',
  sampler: null,
  samplerLabel: null,
  steps: null,
  cfgScale: null,
  seed: null,
  rng: null,
  width: null,
  height: null,
  strength: null,
  model: null,
  modelHash: null,
  originalWidth: null,
  originalHeight: null,
  cropTop: null,
  cropLeft: null,
  variationSeed: null,
  variationStrength: null,
  seedResizeFromWidth: null,
  seedResizeFromHeight: null,
  hiresScale: null,
  hiresSteps: null,
  hiresDenoise: null,
  hiresUpscaler: null,
  vae: null,
  inpaintArea: null,
  maskPadding: null,
};
