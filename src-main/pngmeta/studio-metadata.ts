/**
 * The studio's own PNG chunk (`latent-studio`): every parameter needed to
 * reproduce the image, as JSON, beside A1111's `parameters` text for other
 * tools. Its fields are the generation record's settings plus the engine's
 * facts, in the layout version 1 has always had.
 */
import { z } from 'zod';
import {
  type GenerationFacts,
  type GenerationSettings,
  generationSettingsShape,
  pickSettings,
  zGenerationFacts,
} from '../../src-shared/domain/generation.js';
import { formatInfotext } from './a1111-parameters.js';
import { withTextChunks } from './png-chunks.js';
import { formatComfyPrompt } from './comfy-prompt.js';

export const STUDIO_CHUNK = 'latent-studio';

export const zStudioMetadata = z.object({
  format: z.literal('latent-studio'),
  version: z.literal(1),
  ...generationSettingsShape,
  /** Null for txt2img. */
  strength: generationSettingsShape.strength.nullable(),
  batchIndex: z.number().int(),
  model: z.object({ name: z.string(), hash: z.string().nullable(), family: z.string() }),
  engine: z.object({ app: z.string(), onnxruntime: z.string(), provider: z.string() }),
  networks: zGenerationFacts.shape.networks,
});
export type StudioMetadata = z.infer<typeof zStudioMetadata>;

export function studioMetadata(
  settings: GenerationSettings & { batchIndex: number },
  facts: GenerationFacts,
): StudioMetadata {
  return {
    format: 'latent-studio',
    version: 1,
    ...pickSettings(settings),
    strength: settings.mode === 'txt2img' ? null : settings.strength,
    batchIndex: settings.batchIndex,
    model: { name: facts.modelName, hash: facts.modelHash, family: facts.modelFamily },
    engine: { app: facts.engineVersion, onnxruntime: facts.runtimeVersion, provider: facts.provider },
    ...(facts.networks ? { networks: facts.networks } : {}),
  };
}

/** The PNG with A1111's `parameters`, ours, and for ComfyUI-exact txt2img ComfyUI's `prompt`. */
export function annotatePng(
  png: Uint8Array,
  settings: GenerationSettings & { batchIndex: number },
  facts: GenerationFacts,
): Buffer {
  const meta = studioMetadata(settings, facts);
  const parameters = formatInfotext({
    ...meta,
    model: facts.modelName,
    modelHash: facts.modelHash ?? undefined,
    strength: meta.strength ?? undefined,
    loraHashes: facts.networks?.loras.length
      ? facts.networks.loras.map((l) => `${l.name}: ${l.hash}`).join(', ')
      : undefined,
    vae: facts.networks?.vae?.name,
    vaeHash: facts.networks?.vae?.hash,
    tiHashes: facts.networks?.embeddings.length
      ? facts.networks.embeddings.map((e) => `${e.name}: ${e.hash}`).join(', ')
      : undefined,
    version: `latent-studio ${facts.engineVersion}`,
  });
  // A ComfyUI-exact picture also carries ComfyUI's own graph, so ComfyUI reproduces it.
  const comfy = formatComfyPrompt(settings, facts.modelName);
  return withTextChunks(png, { parameters, ...(comfy ? { prompt: comfy } : {}), [STUDIO_CHUNK]: JSON.stringify(meta) });
}
