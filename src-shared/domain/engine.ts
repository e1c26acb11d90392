import { z } from 'zod';
import { generationSettingsShape, MAX_SEED, zGenerationMode } from './generation.js';
import { zProviderName, zProviderPreference } from './settings.js';
import { samplerFamily } from './samplers.js';

/** A PNG (or JPEG/WebP for init images) as base64, without a data: prefix. */
const zImageBase64 = z
  .string()
  .min(8)
  .max(64 * 1024 * 1024)
  .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64 image bytes');

const S = generationSettingsShape;

/** A generation request: the settings with their defaults, plus how many, from what and where. */
export const zGenerationParams = z
  .object({
    model: z.string().min(1).max(200),
    mode: S.mode.default('txt2img'),
    prompt: S.prompt,
    negativePrompt: S.negativePrompt.default(''),
    sampler: S.sampler.default('euler_a'),
    steps: S.steps.default(20),
    cfgScale: S.cfgScale.default(7),
    /** -1 picks a random seed; the chosen one is reported with the result. */
    seed: z.number().int().min(-1).max(MAX_SEED).default(-1),
    rng: S.rng.default('cpu'),
    width: S.width.default(512),
    height: S.height.default(512),
    batchCount: z.number().int().min(1).max(16).default(1),
    strength: S.strength.default(0.75),
    originalWidth: S.originalWidth.default(null),
    originalHeight: S.originalHeight.default(null),
    cropTop: S.cropTop.default(null),
    cropLeft: S.cropLeft.default(null),
    variationSeed: S.variationSeed.default(null),
    variationStrength: S.variationStrength.default(0),
    seedResizeFromWidth: S.seedResizeFromWidth.default(null),
    seedResizeFromHeight: S.seedResizeFromHeight.default(null),
    hiresScale: S.hiresScale.default(1),
    hiresSteps: S.hiresSteps.default(null),
    hiresDenoise: S.hiresDenoise.default(0.7),
    hiresUpscaler: S.hiresUpscaler.default('latent'),
    vae: S.vae.default(null),
    inpaintArea: S.inpaintArea.default('whole'),
    maskPadding: S.maskPadding.default(32),
    initImage: zImageBase64.optional(),
    mask: zImageBase64.optional(),
    provider: zProviderPreference.optional(),
    /** The gallery item this one remixes (img2img, inpainting, remix): kept as lineage. */
    parentId: z.number().int().positive().optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.mode !== 'txt2img' && !p.initImage) {
      ctx.addIssue({ code: 'custom', path: ['initImage'], message: `${p.mode} needs an init image` });
    }
    if (p.mode === 'inpaint' && !p.mask) {
      ctx.addIssue({ code: 'custom', path: ['mask'], message: 'inpaint needs a mask' });
    }
  })
  // ComfyUI draws its initial noise on the CPU on every device: the record says so.
  .transform((p) => (samplerFamily(p.sampler) === 'comfyui' ? { ...p, rng: 'cpu' as const } : p))
  // "Only masked" means something for inpainting only: other modes record the whole picture.
  .transform((p) => (p.mode !== 'inpaint' && p.inpaintArea !== 'whole' ? { ...p, inpaintArea: 'whole' as const } : p));
export type GenerationParams = z.output<typeof zGenerationParams>;
export type GenerationRequest = z.input<typeof zGenerationParams>;

export const zJobProgress = z.object({
  jobId: z.string(),
  imageIndex: z.number().int(),
  batchCount: z.number().int(),
  step: z.number().int(),
  totalSteps: z.number().int(),
  elapsedMs: z.number(),
  etaMs: z.number().nullable(),
  /** Small PNG (base64) of the current prediction, from the latent-to-RGB approximation. */
  preview: z.string().nullable(),
});
export type JobProgress = z.infer<typeof zJobProgress>;

export const zGeneratedImage = z.object({
  index: z.number().int(),
  seed: z.number().int(),
  width: z.number().int(),
  height: z.number().int(),
  /** PNG with A1111 `parameters` and the studio's JSON chunk, base64. */
  png: z.string(),
  /** The gallery item it was saved as, or null when saving failed. */
  galleryId: z.number().int().nullable(),
});

export const zJobDone = z.object({
  jobId: z.string(),
  status: z.enum(['succeeded', 'failed', 'cancelled']),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  images: z.array(zGeneratedImage),
  provider: zProviderName.nullable(),
  /** Why the preferred provider was not used, when it was not. */
  providerNote: z.string().nullable(),
  /** What did not fully apply (LoRA keys that matched nothing in the model). */
  warnings: z.array(z.string()),
  totalMs: z.number(),
});
export type JobDone = z.infer<typeof zJobDone>;

export const zQueuedJob = z.object({
  jobId: z.string(),
  mode: zGenerationMode,
  prompt: z.string(),
  model: z.string(),
  steps: z.number().int(),
  width: z.number().int(),
  height: z.number().int(),
  batchCount: z.number().int(),
});
export type QueuedJob = z.infer<typeof zQueuedJob>;

export const zQueueState = z.object({ running: zQueuedJob.nullable(), pending: z.array(zQueuedJob) });
export type QueueState = z.infer<typeof zQueueState>;

export const zProviderStatus = z.object({
  name: zProviderName,
  bundled: z.boolean(),
  /** Listed by onnxruntime-node for this platform. */
  listed: z.boolean(),
  /** Whether it can run here, and if not, why (null when usable). */
  usable: z.boolean(),
  reason: z.string().nullable(),
});

const zPad = z.number().int().min(0).max(1024);

export const engineChannels = {
  /**
   * Outpainting: the picture on a larger canvas (sides in pixels; the size snapped to the model's multiple)
   * with the new area's start and the mask (0 over the original, ramping into the new area), for an inpaint job.
   */
  'engine.outpaintCanvas': {
    input: z
      .object({
        model: z.string().min(1).max(200),
        image: zImageBase64,
        left: zPad,
        top: zPad,
        right: zPad,
        bottom: zPad,
      })
      .strict()
      .refine((p) => p.left + p.top + p.right + p.bottom > 0, 'add at least one side'),
    output: z.object({ image: z.string(), mask: z.string(), width: z.number().int(), height: z.number().int() }),
  },
  'engine.generate': { input: zGenerationParams, output: z.object({ jobId: z.string() }) },
  'engine.providers': {
    input: z.object({}).strict(),
    output: z.object({ providers: z.array(zProviderStatus), order: z.array(zProviderName) }),
  },
  'prompt.tokens': {
    input: z
      .object({
        model: z.string().min(1).max(200),
        text: z.string().max(20000),
        /** Steps the schedule of prompt editing is read over (A1111's `when` is relative to them). */
        steps: z.number().int().min(1).max(200).default(20),
      })
      .strict(),
    output: z.object({
      tokens: z.number().int(),
      chunks: z.number().int(),
      /** The emphasis fragments as parsed (of the text at the first step), for highlighting (weight 1 = plain). */
      fragments: z.array(z.object({ text: z.string(), weight: z.number() })),
      /**
       * The prompt as the model sees it over the steps: each `AND` part with its weight, each with the texts
       * prompt editing and alternation give and the last step each conditions. One part of one text: plain.
       */
      parts: z.array(
        z.object({ weight: z.number(), schedule: z.array(z.object({ endStep: z.number().int(), text: z.string() })) }),
      ),
    }),
  },
  'jobs.list': { input: z.object({}).strict(), output: zQueueState },
  /** Moves a pending job to a new place in the queue (0 = next). */
  'jobs.move': {
    input: z.object({ jobId: z.string().min(1).max(100), index: z.number().int().min(0).max(10_000) }).strict(),
    output: zQueueState,
  },
  'job.cancel': {
    input: z.object({ jobId: z.string().min(1).max(100) }).strict(),
    output: z.object({ cancelled: z.boolean() }),
  },
} as const;

export const engineEvents = {
  'job.progress': zJobProgress,
  'job.done': zJobDone,
  'queue.changed': zQueueState,
} as const;
