/**
 * Gallery commands: `studio png-info FILE`, `studio import PATH...`,
 * `studio search QUERY [--json]`. They work on the same data folder as the
 * app (STUDIO_HOME honoured).
 */
import path from 'node:path';
import { StudioError } from '../../src-shared/domain/errors.js';
import { GalleryService } from '../gallery/gallery-service.js';
import { searchGallery } from '../gallery/search.js';
import { readImageMetadata, UnreadableImageError } from '../pngmeta/read-image-metadata.js';
import { resolveStudioPaths } from '../paths.js';
import { MAX_IMAGE_FILE_BYTES, readRegularFile } from '../read-limited.js';
import { UsageError, intFlag, parseFlags } from './args.js';

export const pngInfoUsage = 'studio png-info FILE';
export const importUsage = 'studio import PATH... (PNG, JPEG, WebP files or folders)';
export const searchUsage = 'studio search QUERY [--lora NAME] [--limit N] [--json]';

function openGallery(): GalleryService {
  // A guest: the app may be running on the same folder, so nothing is repaired from here.
  return new GalleryService(path.join(resolveStudioPaths().dataDir, 'gallery'), { role: 'guest' });
}

export async function pngInfoCommand(argv: string[]): Promise<number> {
  const { positionals } = parseFlags(argv, {}, true);
  if (positionals.length !== 1) throw new UsageError('give exactly one image file');
  const file = positionals[0]!;
  const bytes = readRegularFile(file, MAX_IMAGE_FILE_BYTES); // refuses with a one-line INVALID_INPUT
  try {
    const m = await readImageMetadata(bytes);
    console.log(
      JSON.stringify(
        {
          prompt: m.prompt,
          negativePrompt: m.negativePrompt,
          steps: m.steps,
          sampler: m.sampler,
          samplerLabel: m.samplerLabel,
          cfgScale: m.cfgScale,
          seed: m.seed,
          width: m.width,
          height: m.height,
          pixelWidth: m.pixelWidth,
          pixelHeight: m.pixelHeight,
          model: m.model,
          modelHash: m.modelHash,
          strength: m.strength,
          rng: m.rng,
          source: m.source,
          ...(m.variationSeed != null
            ? { variationSeed: m.variationSeed, variationStrength: m.variationStrength }
            : {}),
          ...((m.hiresScale ?? 1) > 1
            ? {
                hiresScale: m.hiresScale,
                hiresSteps: m.hiresSteps,
                hiresDenoise: m.hiresDenoise,
                hiresUpscaler: m.hiresUpscaler,
              }
            : {}),
          // SDXL's size conditioning, when it was not the default.
          ...(m.originalWidth != null || m.cropTop != null
            ? {
                originalWidth: m.originalWidth,
                originalHeight: m.originalHeight,
                cropTop: m.cropTop,
                cropLeft: m.cropLeft,
              }
            : {}),
          ...(m.notes.length ? { notes: m.notes } : {}),
        },
        null,
        2,
      ),
    );
    return 0;
  } catch (err) {
    if (err instanceof UnreadableImageError) throw new StudioError('INVALID_INPUT', `${file}: ${err.message}`);
    throw err;
  }
}

export async function importCommand(argv: string[]): Promise<number> {
  const { positionals } = parseFlags(argv, {}, true);
  if (positionals.length === 0) throw new UsageError('give at least one file or folder');
  const gallery = openGallery();
  try {
    const started = Date.now();
    const result = await gallery.importPaths(positionals, (n) => {
      if (process.stderr.isTTY) process.stderr.write(`\rimported ${n}`);
    });
    if (process.stderr.isTTY) process.stderr.write('\n');
    for (const f of result.failed) console.error(`skipped ${f.name}: ${f.reason}`);
    const existed = result.imported.filter((i) => i.existed).length;
    console.log(
      `imported ${result.imported.length}${existed ? ` (${existed} already in the gallery)` : ''}, skipped ${result.failed.length} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    // Some files skipped is a normal import; nothing importable at all is bad input.
    return result.imported.length === 0 && result.failed.length > 0 ? 2 : 0;
  } finally {
    gallery.close();
  }
}

export async function searchCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    { json: { type: 'boolean' }, limit: { type: 'string' }, lora: { type: 'string' } },
    true,
  );
  const gallery = openGallery();
  try {
    const result = searchGallery(gallery.store, {
      query: positionals.join(' ') || undefined,
      ...(values.lora ? { lora: values.lora } : {}),
      limit: intFlag('limit', values.limit, 1, 500) ?? 20,
    });
    if (values.json) {
      console.log(JSON.stringify(result.items, null, 2));
    } else {
      for (const i of result.items) {
        console.log(
          `${String(i.id).padStart(6)}  ${new Date(i.createdAt).toISOString().slice(0, 19)}  seed ${i.seed ?? '-'}  ${i.prompt.replace(/\s+/g, ' ').slice(0, 80)}`,
        );
      }
      if (result.items.length === 0) console.log('no matches');
    }
    return 0;
  } finally {
    gallery.close();
  }
}
