/**
 * The one generation record: the settings that, with a model, make a picture.
 * Declared once here; the request (engine.generate), the studio's PNG chunk,
 * the gallery item, the remix hand-over, the Generate draft and the engine's
 * pipeline request are all derived from it.
 */
import { z } from 'zod';
import { zSamplerName } from './samplers.js';
import { zRngMode } from './settings.js';

export const zGenerationMode = z.enum(['txt2img', 'img2img', 'inpaint']);
export type GenerationMode = z.infer<typeof zGenerationMode>;

/** Largest seed A1111 and torch both accept without wrapping in JS numbers. */
export const MAX_SEED = Number.MAX_SAFE_INTEGER;

const zDimension = z
  .number()
  .int()
  .min(64)
  .max(2048)
  .refine((v) => v % 8 === 0, 'must be a multiple of 8');

/** A size-conditioning value (SDXL's original size and crop), in pixels. */
const zConditioningPixels = z.number().int().min(0).max(16384);

/**
 * SDXL's size conditioning as the model is told it (null: diffusers' defaults,
 * the picture's own size and crop 0,0). Other families ignore it.
 */
export const sizeConditioningShape = {
  originalWidth: zConditioningPixels.nullable(),
  originalHeight: zConditioningPixels.nullable(),
  cropTop: zConditioningPixels.nullable(),
  cropLeft: zConditioningPixels.nullable(),
};
export type SizeConditioning = { [K in keyof typeof sizeConditioningShape]: number | null };

/**
 * A1111's variation seed: the initial noise is the spherical interpolation of
 * the seed's noise and the variation seed's by the strength (0: the seed's
 * picture, 1: the variation seed's noise). Null / 0: no variation.
 */
const variationShape = {
  variationSeed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullable().optional(),
  variationStrength: z.number().min(0).max(1).optional(),
  /**
   * A1111's "resize seed from width/height": the seed's noise drawn at this
   * size and placed at the centre of the picture's own (null: off), so a
   * picture keeps its composition at another size.
   */
  seedResizeFromWidth: z.number().int().min(0).max(16384).nullable().optional(),
  seedResizeFromHeight: z.number().int().min(0).max(16384).nullable().optional(),
};

/**
 * Hires fix (txt2img): generate at the set size, upscale by `hiresScale`
 * (latent: bilinear on the latents; lanczos: on the pixels, then VAE-encoded),
 * and run a second img2img pass at the large size with `hiresDenoise`
 * strength and `hiresSteps` steps (null: the same steps). Scale 1: off.
 */
/** Latent, Lanczos, or an ONNX upscaler of the models folder's `upscalers/` by name. */
export const zHiresUpscaler = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^/\\\0.][^/\\\0]*$/, 'latent, lanczos or an upscaler name from the models folder');
const hiresShape = {
  hiresScale: z.number().min(1).max(4).optional(),
  hiresSteps: z.number().int().min(1).max(200).nullable().optional(),
  hiresDenoise: z.number().min(0).max(1).optional(),
  hiresUpscaler: zHiresUpscaler.optional(),
};

/**
 * A replacement VAE: a file of the models folder's `vae/` by name (A1111
 * writes its file name as `VAE:`). Null: the model's own.
 */
export const zVaeName = z
  .string()
  .max(200)
  .regex(/^[^/\\\0.][^/\\\0]*$/, 'must be a file name from the models folder');

/** Each setting with its rules, as the engine runs it (the seed already chosen). */
export const generationSettingsShape = {
  mode: zGenerationMode,
  prompt: z.string().max(20000),
  negativePrompt: z.string().max(20000),
  sampler: zSamplerName,
  steps: z.number().int().min(1).max(200),
  cfgScale: z.number().min(0).max(50),
  seed: z.number().int().min(0).max(MAX_SEED),
  rng: zRngMode,
  width: zDimension,
  height: zDimension,
  /** How far img2img and inpainting move from the init image (txt2img ignores it). */
  strength: z.number().min(0).max(1),
  originalWidth: sizeConditioningShape.originalWidth.optional(),
  originalHeight: sizeConditioningShape.originalHeight.optional(),
  cropTop: sizeConditioningShape.cropTop.optional(),
  cropLeft: sizeConditioningShape.cropLeft.optional(),
  ...variationShape,
  ...hiresShape,
  vae: zVaeName.nullable().optional(),
  /**
   * Inpainting of "only masked" (A1111's Inpaint area): a box around the mask,
   * padded by `maskPadding` pixels, generated at the set size and pasted back
   * into the picture at its own size. "whole": the whole picture at the set size.
   */
  inpaintArea: z.enum(['whole', 'masked']).optional(),
  maskPadding: z.number().int().min(0).max(512).optional(),
};
export const zGenerationSettings = z.object(generationSettingsShape);
export type GenerationSettings = z.output<typeof zGenerationSettings>;
export type GenerationSettingName = keyof GenerationSettings;

/**
 * The settings as a record of a picture that may come from another tool:
 * every one but mode and size can be unknown (null). The gallery item and the
 * remix hand-over use it.
 */
export const recordedSettingsShape = {
  prompt: z.string(),
  negativePrompt: z.string(),
  sampler: zSamplerName.nullable(),
  steps: z.number().int().nullable(),
  cfgScale: z.number().nullable(),
  seed: z.number().int().nullable(),
  rng: zRngMode.nullable(),
  width: z.number().int(),
  height: z.number().int(),
  strength: z.number().nullable(),
  ...sizeConditioningShape,
  variationSeed: variationShape.variationSeed,
  variationStrength: z.number().nullable(),
  seedResizeFromWidth: z.number().int().nullable(),
  seedResizeFromHeight: z.number().int().nullable(),
  hiresScale: z.number().nullable(),
  hiresSteps: z.number().int().nullable(),
  hiresDenoise: z.number().nullable(),
  hiresUpscaler: zHiresUpscaler.nullable(),
  vae: z.string().nullable(),
  inpaintArea: z.enum(['whole', 'masked']).nullable(),
  maskPadding: z.number().int().nullable(),
} satisfies Record<Exclude<GenerationSettingName, 'mode'>, z.ZodType>;
export type RecordedSettings = z.output<z.ZodObject<typeof recordedSettingsShape>>;

/**
 * What the engine knows about a generation beside its settings, handed to the
 * gallery with each image (never parsed back out of the PNG).
 */
export const zGenerationFacts = z.object({
  modelName: z.string(),
  modelHash: z.string().nullable(),
  modelFamily: z.string(),
  provider: z.string(),
  /** The studio's version. */
  engineVersion: z.string(),
  /** onnxruntime-node's version. */
  runtimeVersion: z.string(),
  /** LoRAs and embeddings applied, with A1111's short hashes. */
  networks: z
    .object({
      loras: z.array(z.object({ name: z.string(), weight: z.number(), hash: z.string() })),
      embeddings: z.array(z.object({ name: z.string(), hash: z.string() })),
      vae: z.object({ name: z.string(), hash: z.string() }).optional(),
    })
    .optional(),
});
export type GenerationFacts = z.output<typeof zGenerationFacts>;

export const GENERATION_SETTING_NAMES = Object.keys(generationSettingsShape) as GenerationSettingName[];
export const RECORDED_SETTING_NAMES = Object.keys(recordedSettingsShape) as (keyof RecordedSettings)[];

/** The named fields of a record, and nothing else. */
export function pickFields<T extends object, K extends keyof T>(from: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((k) => [k, from[k]])) as Pick<T, K>;
}

/** Just the settings of anything that carries them (a request, a stored record). */
export function pickSettings(from: GenerationSettings): GenerationSettings {
  return pickFields(from, GENERATION_SETTING_NAMES);
}
