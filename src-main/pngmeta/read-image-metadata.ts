/**
 * What an image says about how it was made, whichever tool wrote it: our own
 * `latent-studio` chunk first, then A1111 `parameters` (PNG text or EXIF
 * UserComment), ComfyUI `prompt`, InvokeAI `invokeai_metadata`. An image with
 * none of them still reads: source 'none' with its size.
 */
import sharp from 'sharp';
import { pickFields, RECORDED_SETTING_NAMES } from '../../src-shared/domain/generation.js';
import { parseInfotext } from './a1111-parameters.js';
import { parseComfyPrompt, parseInvokeMetadata } from './foreign-formats.js';
import { isPng, readTextChunksWithLimits, type TextChunks } from './png-chunks.js';
import { readUserComment } from './exif-user-comment.js';
import { NOTHING_PARSED, type ParsedSettings } from './parsed-settings.js';
import { STUDIO_CHUNK, zStudioMetadata, type StudioMetadata } from './studio-metadata.js';

export type MetadataSource = 'latent-studio' | 'a1111' | 'comfyui' | 'invokeai' | 'none';

export type ImageMetadata = Omit<ParsedSettings, 'width' | 'height'> & {
  source: MetadataSource;
  format: 'png' | 'jpeg' | 'webp';
  /**
   * The size it was generated at: the metadata's (A1111 `Size:`, our chunk,
   * ComfyUI's latent) when it has one, else the pixels'. A hires-fixed or
   * upscaled picture is larger than this; remix must use this size.
   */
  width: number;
  height: number;
  /** The picture's own size in pixels. */
  pixelWidth: number;
  pixelHeight: number;
  /** Our own chunk, when present: everything needed to reproduce. */
  studio: StudioMetadata | null;
  /** The raw metadata texts found, by keyword. */
  raw: Record<string, string>;
  /** What was left unread (metadata over the size limits). */
  notes: string[];
};

/** EXIF is read for A1111's UserComment only; real EXIF blocks are at most 64 KiB in JPEG. */
const MAX_EXIF_BYTES = 1024 * 1024;

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
  let text: TextChunks = { texts: {}, cut: [] };
  try {
    if (isPng(bytes)) text = readTextChunksWithLimits(bytes);
  } catch (err) {
    throw new UnreadableImageError(`not a readable image (${(err as Error).message})`);
  }
  const { texts: raw, cut: notes } = text;
  if (!raw.parameters && info.exif) {
    if (info.exif.length > MAX_EXIF_BYTES) notes.push(`EXIF block of ${info.exif.length} bytes is too large; not read`);
    else {
      const comment = readUserComment(info.exif);
      if (comment) raw.parameters = comment;
    }
  }
  const base: ImageMetadata = {
    ...NOTHING_PARSED,
    source: 'none',
    format,
    width: info.width,
    height: info.height,
    pixelWidth: info.width,
    pixelHeight: info.height,
    studio: null,
    raw,
    notes,
  };
  // Every reader gives the same shape; a size the metadata does not give (or gives absurdly) is the pixels'.
  const sane = (v: number | null | undefined) => (v && Number.isInteger(v) && v > 0 && v <= 16384 ? v : null);
  const from = (
    source: MetadataSource,
    parsed: ParsedSettings,
    studio: StudioMetadata | null = null,
  ): ImageMetadata => {
    const [w, h] = [sane(parsed.width), sane(parsed.height)];
    return {
      ...base,
      ...parsed,
      width: w && h ? w : base.width,
      height: w && h ? h : base.height,
      source,
      studio,
    };
  };

  if (raw[STUDIO_CHUNK]) {
    try {
      const parsed = zStudioMetadata.safeParse(JSON.parse(raw[STUDIO_CHUNK]));
      if (parsed.success) {
        const s = parsed.data;
        return from(
          'latent-studio',
          {
            ...NOTHING_PARSED,
            ...pickFields(s, RECORDED_SETTING_NAMES),
            samplerLabel: s.sampler,
            model: s.model.name,
            modelHash: s.model.hash,
          },
          s,
        );
      }
    } catch {
      // fall through to the other formats
    }
  }
  if (raw.parameters) return from('a1111', parseInfotext(raw.parameters));
  const comfy = raw.prompt ? parseComfyPrompt(raw.prompt) : null;
  if (comfy) return from('comfyui', comfy);
  const invoke = raw.invokeai_metadata ? parseInvokeMetadata(raw.invokeai_metadata) : null;
  if (invoke) return from('invokeai', invoke);
  return base;
}
