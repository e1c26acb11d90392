/**
 * The studio's own PNG chunk (`latent-studio`): every parameter needed to
 * reproduce the image, as JSON, beside A1111's `parameters` text for other tools.
 */
import { z } from 'zod';
import { zGenerationMode, zSamplerName } from '../../src-shared/domain/engine.js';
import { zRngMode } from '../../src-shared/domain/settings.js';
import { formatInfotext } from './a1111-parameters.js';
import { withTextChunks } from './png-chunks.js';

export const STUDIO_CHUNK = 'latent-studio';

export const zStudioMetadata = z.object({
  format: z.literal('latent-studio'),
  version: z.literal(1),
  mode: zGenerationMode,
  prompt: z.string(),
  negativePrompt: z.string(),
  sampler: zSamplerName,
  steps: z.number().int(),
  cfgScale: z.number(),
  seed: z.number().int(),
  rng: zRngMode,
  width: z.number().int(),
  height: z.number().int(),
  strength: z.number().nullable(),
  batchIndex: z.number().int(),
  model: z.object({ name: z.string(), hash: z.string().nullable(), family: z.string() }),
  engine: z.object({ app: z.string(), onnxruntime: z.string(), provider: z.string() }),
});
export type StudioMetadata = z.infer<typeof zStudioMetadata>;

export function annotatePng(png: Uint8Array, meta: StudioMetadata): Buffer {
  const parameters = formatInfotext({
    prompt: meta.prompt,
    negativePrompt: meta.negativePrompt,
    steps: meta.steps,
    sampler: meta.sampler,
    cfgScale: meta.cfgScale,
    seed: meta.seed,
    width: meta.width,
    height: meta.height,
    modelName: meta.model.name,
    modelHash: meta.model.hash ?? undefined,
    denoisingStrength: meta.mode === 'txt2img' || meta.strength === null ? undefined : meta.strength,
    rng: meta.rng,
    version: `latent-studio ${meta.engine.app}`,
  });
  return withTextChunks(png, { parameters, [STUDIO_CHUNK]: JSON.stringify(meta) });
}
