/**
 * What an image says about how it was made, whichever tool wrote it: our own
 * `latent-studio` chunk first, then A1111 `parameters` (PNG text or EXIF
 * UserComment), ComfyUI `prompt`, InvokeAI `invokeai_metadata`. An image with
 * none of them still reads: source 'none' with its size.
 */
import sharp from 'sharp';
import type { SamplerName } from '../../src-shared/domain/samplers.js';
import { parseInfotext } from './a1111-parameters.js';
import { parseComfyPrompt, parseInvokeMetadata } from './foreign-formats.js';
import { isPng, readTextChunks } from './png-chunks.js';
import { readUserComment } from './exif-user-comment.js';
import { STUDIO_CHUNK, zStudioMetadata, type StudioMetadata } from './studio-metadata.js';

export type MetadataSource = 'latent-studio' | 'a1111' | 'comfyui' | 'invokeai' | 'none';

export interface ImageMetadata {
  source: MetadataSource;
  format: 'png' | 'jpeg' | 'webp';
  prompt: string;
  negativePrompt: string;
  steps: number | null;
  sampler: SamplerName | null;
  /** The sampler as the tool named it. */
  samplerLabel: string | null;
  cfgScale: number | null;
  seed: number | null;
  width: number;
  height: number;
  model: string | null;
  modelHash: string | null;
  strength: number | null;
  rng: 'cpu' | 'gpu' | null;
  /** Our own chunk, when present: everything needed to reproduce. */
  studio: StudioMetadata | null;
  /** The raw metadata texts found, by keyword. */
  raw: Record<string, string>;
}

export class UnreadableImageError extends Error {
  override readonly name = 'UnreadableImageError';
}

export async function readImageMetadata(bytes: Uint8Array): Promise<ImageMetadata> {
  let info: sharp.Metadata;
  try {
    info = await sharp(bytes).metadata();
  } catch (err) {
    throw new UnreadableImageError(`not a readable image (${(err as Error).message.split('\n')[0]})`);
  }
  const format =
    info.format === 'png' ? 'png' : info.format === 'jpeg' ? 'jpeg' : info.format === 'webp' ? 'webp' : null;
  if (!format || !info.width || !info.height)
    throw new UnreadableImageError(`unsupported image format ${info.format ?? 'unknown'}`);
  const raw: Record<string, string> = isPng(bytes) ? readTextChunks(bytes) : {};
  if (!raw.parameters && info.exif) {
    const comment = readUserComment(info.exif);
    if (comment) raw.parameters = comment;
  }
  const base: ImageMetadata = {
    source: 'none',
    format,
    prompt: '',
    negativePrompt: '',
    steps: null,
    sampler: null,
    samplerLabel: null,
    cfgScale: null,
    seed: null,
    width: info.width,
    height: info.height,
    model: null,
    modelHash: null,
    strength: null,
    rng: null,
    studio: null,
    raw,
  };

  if (raw[STUDIO_CHUNK]) {
    try {
      const parsed = zStudioMetadata.safeParse(JSON.parse(raw[STUDIO_CHUNK]));
      if (parsed.success) {
        const s = parsed.data;
        return {
          ...base,
          source: 'latent-studio',
          prompt: s.prompt,
          negativePrompt: s.negativePrompt,
          steps: s.steps,
          sampler: s.sampler,
          samplerLabel: s.sampler,
          cfgScale: s.cfgScale,
          seed: s.seed,
          model: s.model.name,
          modelHash: s.model.hash,
          strength: s.strength,
          rng: s.rng,
          studio: s,
        };
      }
    } catch {
      // fall through to the other formats
    }
  }
  if (raw.parameters) {
    const p = parseInfotext(raw.parameters);
    return {
      ...base,
      source: 'a1111',
      prompt: p.prompt,
      negativePrompt: p.negativePrompt,
      steps: p.steps,
      sampler: p.sampler,
      samplerLabel: p.samplerLabel,
      cfgScale: p.cfgScale,
      seed: p.seed,
      model: p.modelName,
      modelHash: p.modelHash,
      strength: p.denoisingStrength,
      rng: p.rng,
    };
  }
  const foreign = raw.prompt
    ? { source: 'comfyui' as const, p: parseComfyPrompt(raw.prompt) }
    : raw.invokeai_metadata
      ? { source: 'invokeai' as const, p: parseInvokeMetadata(raw.invokeai_metadata) }
      : null;
  if (foreign?.p) {
    const p = foreign.p;
    return {
      ...base,
      source: foreign.source,
      prompt: p.prompt ?? '',
      negativePrompt: p.negativePrompt ?? '',
      steps: p.steps,
      sampler: p.sampler,
      samplerLabel: p.samplerLabel,
      cfgScale: p.cfgScale,
      seed: p.seed,
      model: p.model,
      modelHash: p.modelHash,
      strength: p.strength,
      rng: foreign.source === 'comfyui' ? 'cpu' : null,
    };
  }
  return base;
}
