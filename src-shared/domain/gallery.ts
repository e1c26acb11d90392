import { z } from 'zod';
import { recordedSettingsShape, zGenerationMode } from './generation.js';
import { zSamplerName } from './samplers.js';

export const zGalleryItem = z.object({
  id: z.number().int(),
  createdAt: z.number(),
  mode: z.union([zGenerationMode, z.literal('import')]),
  ...recordedSettingsShape,
  /** The sampler as the tool that made the picture named it. */
  samplerLabel: z.string().nullable(),
  modelName: z.string().nullable(),
  modelHash: z.string().nullable(),
  batchIndex: z.number().int(),
  provider: z.string().nullable(),
  engineVersion: z.string().nullable(),
  runtimeVersion: z.string().nullable(),
  durationMs: z.number().nullable(),
  parentId: z.number().int().nullable(),
  favourite: z.boolean(),
  tags: z.array(z.string()),
  /** Where the parameters came from: our engine, or the tool that wrote an imported file. */
  source: z.string(),
  /** Media paths relative to the gallery folder; the client turns them into URLs. */
  image: z.string(),
  thumbnail: z.string(),
  initImage: z.string().nullable(),
  mask: z.string().nullable(),
});
export type GalleryItem = z.infer<typeof zGalleryItem>;

const zTag = z.string().trim().min(1).max(64);

export const zGallerySearch = z
  .object({
    /** FTS5 syntax over prompt and negative prompt: words, "phrases", prefix*, AND / OR / NOT. */
    query: z.string().max(500).optional(),
    model: z.string().max(200).optional(),
    sampler: zSamplerName.optional(),
    width: z.number().int().positive().optional(),
    height: z.number().int().positive().optional(),
    from: z.number().optional(),
    to: z.number().optional(),
    favourite: z.boolean().optional(),
    tag: zTag.optional(),
    /** Items whose prompt applies this LoRA (`<lora:NAME...>` or `<lyco:NAME...>`), by name, any case. */
    lora: z.string().trim().min(1).max(200).optional(),
    hasParent: z.boolean().optional(),
    sort: z.enum(['newest', 'oldest', 'random']).default('newest'),
    /** Seed of the random order, so pages of one random listing agree. */
    randomSeed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .default(0),
    limit: z.number().int().min(1).max(500).default(100),
    cursor: z.string().max(200).optional(),
  })
  .strict();
export type GallerySearch = z.input<typeof zGallerySearch>;

export const zGallerySearchResult = z.object({
  items: z.array(zGalleryItem),
  nextCursor: z.string().nullable(),
});

export const zGalleryIds = z.array(z.number().int().positive()).min(1).max(10_000);

export const zImportFile = z.object({
  name: z.string().min(1).max(255),
  /** File bytes, base64. */
  data: z
    .string()
    .min(4)
    .max(64 * 1024 * 1024),
});

export const zImportResult = z.object({
  /** `existed`: the very same file was already in the gallery; its item is given and nothing was added. */
  imported: z.array(
    z.object({
      name: z.string(),
      id: z.number().int(),
      source: z.string(),
      existed: z.boolean(),
      /** LoRAs, embeddings or a VAE the picture was made with that the models folder lacks. */
      missing: z.array(z.string()).optional(),
    }),
  ),
  failed: z.array(z.object({ name: z.string(), reason: z.string() })),
});
export type ImportResult = z.infer<typeof zImportResult>;

/** Everything Generate needs to make an item again (or from it): its record, model, init image and mask. */
export const zRemixParams = z.object({
  model: z.string().nullable(),
  mode: zGenerationMode,
  ...recordedSettingsShape,
  /** base64 of the init image and mask when the generation had them. */
  initImage: z.string().nullable(),
  mask: z.string().nullable(),
});
export type RemixParams = z.output<typeof zRemixParams>;

/** New items in the gallery (finished generations, imports), so open gallery views update live. */
export const zUpscaleProgress = z.object({
  taskId: z.string(),
  id: z.number().int(),
  done: z.number().int(),
  total: z.number().int(),
});
export const zUpscaleDone = z.object({
  taskId: z.string(),
  id: z.number().int(),
  status: z.enum(['succeeded', 'failed', 'cancelled']),
  /** The upscaled picture's gallery item (a child of `id`). */
  newId: z.number().int().nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});

export const galleryEvents = {
  'gallery.added': z.object({ ids: z.array(z.number().int().positive()) }),
  'gallery.upscaleProgress': zUpscaleProgress,
  'gallery.upscaleDone': zUpscaleDone,
} as const;

export const galleryChannels = {
  'gallery.search': { input: zGallerySearch, output: zGallerySearchResult },
  'gallery.get': {
    input: z.object({ id: z.number().int().positive() }).strict(),
    output: zGalleryItem.extend({ metadataText: z.string().nullable() }),
  },
  'gallery.update': {
    input: z
      .object({
        id: z.number().int().positive(),
        favourite: z.boolean().optional(),
        tags: z.array(zTag).max(50).optional(),
      })
      .strict(),
    output: zGalleryItem,
  },
  /** Moves items to the trash at once; they are removed for good a minute later (or at the next start). */
  'gallery.delete': { input: z.object({ ids: zGalleryIds }).strict(), output: z.object({ deleted: z.number().int() }) },
  /** What a picture's metadata says about how it was made (any tool's format), without importing it. */
  'gallery.readMetadata': {
    input: z.object({ data: zImportFile.shape.data }).strict(),
    output: z.object({
      source: z.string(),
      prompt: z.string(),
      negativePrompt: z.string(),
      sampler: zSamplerName.nullable(),
      steps: z.number().int().nullable(),
      cfgScale: z.number().nullable(),
      seed: z.number().nullable(),
    }),
  },
  /** Undo of a delete, while the items are still in the trash. */
  'gallery.restore': {
    input: z.object({ ids: zGalleryIds }).strict(),
    output: z.object({ restored: z.number().int() }),
  },
  /** The prompts used lately (newest first, each once with its last negative), optionally those containing `query`. */
  'gallery.prompts': {
    input: z
      .object({ query: z.string().max(200).optional(), limit: z.number().int().min(1).max(200).default(30) })
      .strict(),
    output: z.object({
      prompts: z.array(z.object({ prompt: z.string(), negativePrompt: z.string(), lastUsed: z.number() })),
    }),
  },
  'gallery.lineage': {
    input: z.object({ id: z.number().int().positive() }).strict(),
    output: z.object({ ancestors: z.array(zGalleryItem), descendants: z.array(zGalleryItem) }),
  },
  'gallery.import': {
    input: z.object({ files: z.array(zImportFile).min(1).max(200) }).strict(),
    output: zImportResult,
  },
  'gallery.export': {
    input: z.object({ ids: z.array(z.number().int().positive()).min(1).max(200), withMetadata: z.boolean() }).strict(),
    output: z.object({ files: z.array(z.object({ name: z.string(), data: z.string() })) }),
  },
  /**
   * Upscales an item's picture (an ONNX upscaler of the models folder's upscalers/, by name, or Lanczos)
   * into a new item, its child; in the background (upscaleProgress / upscaleDone events).
   */
  'gallery.upscale': {
    input: z
      .object({
        id: z.number().int().positive(),
        upscaler: z
          .string()
          .min(1)
          .max(200)
          .regex(/^[^/\\\0.][^/\\\0]*$/, 'must be lanczos or an upscaler name from the models folder'),
        scale: z.number().min(1).max(8),
      })
      .strict(),
    output: z.object({ taskId: z.string() }),
  },
  'gallery.cancelUpscale': {
    input: z.object({ taskId: z.string().min(1).max(100) }).strict(),
    output: z.object({ cancelled: z.boolean() }),
  },
  'gallery.remix': {
    input: z.object({ id: z.number().int().positive() }).strict(),
    output: z.object({
      parentId: z.number().int(),
      params: zRemixParams,
      /** LoRAs, embeddings or a VAE the item used that the models folder lacks (the remix runs without them). */
      missing: z.array(z.string()),
    }),
  },
} as const;
