import { z } from 'zod';

export const zModelEntry = z.object({
  name: z.string(),
  source: z.enum(['user', 'builtin']),
  /** sd1, sd2, sd2-v, custom; null when the folder could not be read. */
  family: z.string().nullable(),
  inpainting: z.boolean(),
  precision: z.enum(['float32', 'float16']).nullable(),
  predictionType: z.enum(['epsilon', 'v_prediction']).nullable(),
  /** Width and height the model draws best at (what it was trained at); null when unknown. */
  nativeSize: z.number().int().positive().nullable(),
  /** Width and height must be multiples of this (8, or more when the export fixes its latent multiple). */
  sizeMultiple: z.number().int().positive(),
  sizeBytes: z.number(),
  /** First 10 hex chars of the sha256 of the UNet weights (A1111's "Model hash"), once computed. */
  hash: z.string().nullable(),
  /** Registered in place: the folder lives elsewhere and is linked. */
  linked: z.boolean(),
  /** Why the engine cannot use it, or null. */
  problem: z.string().nullable(),
});
export type ModelEntry = z.infer<typeof zModelEntry>;

const zRepoId = z
  .string()
  .regex(/^[\w.-]+\/[\w.-]+$/, 'must look like owner/name')
  .max(200);

export const zInstallProgress = z.object({
  installId: z.string(),
  repo: z.string(),
  bytesDone: z.number(),
  bytesTotal: z.number(),
  speedBps: z.number(),
  etaMs: z.number().nullable(),
  filesDone: z.number().int(),
  filesTotal: z.number().int(),
});

export const zInstallDone = z.object({
  installId: z.string(),
  repo: z.string(),
  status: z.enum(['succeeded', 'failed', 'cancelled']),
  name: z.string().nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});

/** A LoRA or embedding file: its name is what prompts use (`<lora:NAME:1>`, or the word itself). */
export const zNetworkFile = z.object({
  name: z.string(),
  sizeBytes: z.number().int(),
  /** A preview picture beside the file, as a small data URL (LoRAs and embeddings). */
  thumbnail: z.string().nullable(),
  /** The model family a LoRA or embedding was made for (sd1, sd2, sdxl), from its tensors; null when unknown. */
  family: z.string().nullable(),
  /** What a file of the LoRA folder holds (LoRA, LoHa, LoKr); null for other kinds or an unreadable file. */
  format: z.string().nullable(),
});

/** The kinds of single files the models folder holds, each in its own sub-folder (as A1111 keeps them). */
export const MODEL_FILE_KINDS = ['checkpoints', 'loras', 'embeddings', 'vae', 'upscalers'] as const;
export const zModelFileKind = z.enum(MODEL_FILE_KINDS);
export type ModelFileKind = z.infer<typeof zModelFileKind>;

/** One file of the models folder, for the Models page. */
export const zModelFile = z.object({
  kind: zModelFileKind,
  name: z.string(),
  /** The file's name in its folder (with the extension). */
  file: z.string(),
  sizeBytes: z.number().int(),
  /** A1111's short hash of the file (LoRAs: of the tensor data), once computed; null until then. */
  hash: z.string().nullable(),
  /** The model family the file fits (sd1, sd2, sdxl), read from its shapes; null when it cannot be told. */
  family: z.string().nullable(),
  /** Why the studio cannot use it, or null. */
  problem: z.string().nullable(),
});
export type ModelFile = z.infer<typeof zModelFile>;

/** What a checkpoint file is and which installed model it converts onto. */
export const zCheckpointInspection = z.object({
  file: z.string(),
  family: z.string(),
  familyLabel: z.string(),
  inpainting: z.boolean(),
  sizeBytes: z.number(),
  /** The model name the conversion takes unless told another. */
  name: z.string(),
  /** The installed model lending its graphs, or null when there is none. */
  template: z.string().nullable(),
  /** A repository to install (one click) when no template is there. */
  suggestedRepo: z.string().nullable(),
  problem: z.string().nullable(),
});
export type CheckpointInspection = z.infer<typeof zCheckpointInspection>;

export const zConvertProgress = z.object({
  importId: z.string(),
  name: z.string(),
  phase: z.enum(['hashing', 'converting']),
  done: z.number().int(),
  total: z.number().int(),
});
export const zConvertDone = z.object({
  importId: z.string(),
  name: z.string(),
  status: z.enum(['succeeded', 'failed', 'cancelled']),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});
const zAbsolutePath = z.string().min(1).max(4096);

export const modelChannels = {
  'models.list': {
    input: z.object({}).strict(),
    output: z.object({ models: z.array(zModelEntry), defaultModel: z.string().nullable() }),
  },
  'models.install': {
    input: z
      .object({
        repo: zRepoId,
        revision: z.string().min(1).max(200).default('main'),
        subfolder: z
          .string()
          .max(300)
          .regex(/^[\w./-]*$/)
          .optional(),
      })
      .strict(),
    output: z.object({ installId: z.string() }),
  },
  'models.cancelInstall': {
    input: z.object({ installId: z.string().min(1).max(100) }).strict(),
    output: z.object({ cancelled: z.boolean() }),
  },
  'models.importFolder': {
    input: z
      .object({
        path: z.string().min(1).max(4096),
        mode: z.enum(['copy', 'link']),
        name: z.string().max(200).optional(),
      })
      .strict(),
    output: z.object({ name: z.string() }),
  },
  /** Stores (or, with null, forgets) the Hugging Face token for gated repositories. */
  'models.setToken': {
    input: z
      .object({
        token: z
          .string()
          .regex(/^[\w-]{8,200}$/, 'does not look like a token')
          .nullable(),
      })
      .strict(),
    output: z.object({ stored: z.boolean() }),
  },
  'models.tokenStatus': {
    input: z.object({}).strict(),
    output: z.object({ hasToken: z.boolean(), canStore: z.boolean() }),
  },
  'models.delete': {
    input: z.object({ name: z.string().min(1).max(200) }).strict(),
    output: z.object({ deleted: z.boolean() }),
  },
  /** What a `.safetensors` checkpoint (or diffusers folder) at a path is, and which installed model it converts onto. */
  'models.inspectCheckpoint': {
    input: z.object({ path: zAbsolutePath }).strict(),
    output: zCheckpointInspection,
  },
  /** Converts a checkpoint into a model of the models folder (in the background; convertProgress/convertDone events). */
  'models.convertCheckpoint': {
    input: z.object({ path: zAbsolutePath, name: z.string().min(1).max(200).optional() }).strict(),
    output: z.object({ importId: z.string(), name: z.string(), template: z.string() }),
  },
  'models.cancelConvert': {
    input: z.object({ importId: z.string().min(1).max(100) }).strict(),
    output: z.object({ cancelled: z.boolean() }),
  },
  /** Every file of the models folder's kind folders, with size, hash and family. */
  'models.files': {
    input: z.object({}).strict(),
    output: z.object({ files: z.array(zModelFile) }),
  },
  'models.deleteFile': {
    input: z.object({ kind: zModelFileKind, file: z.string().min(1).max(300) }).strict(),
    output: z.object({ deleted: z.boolean() }),
  },
  /** The LoRAs and textual-inversion embeddings in the models folder's `loras/` and `embeddings/`. */
  'models.networks': {
    input: z.object({}).strict(),
    output: z.object({
      loras: z.array(zNetworkFile),
      embeddings: z.array(zNetworkFile),
      upscalers: z.array(zNetworkFile),
      vae: z.array(zNetworkFile),
    }),
  },
} as const;

export const modelEvents = {
  'models.installProgress': zInstallProgress,
  'models.installDone': zInstallDone,
  'models.convertProgress': zConvertProgress,
  'models.convertDone': zConvertDone,
} as const;
