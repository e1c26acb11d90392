/**
 * `studio upscale`: a picture through an ONNX upscaler (tiled, any size) or
 * Lanczos, to --scale (the model's own scale by default; another scale is
 * reached with Lanczos after the model, as A1111 does). A PNG keeps its
 * metadata text (jobs/upscale-picture.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { upscalePicture } from '../jobs/upscale-picture.js';
import { MAX_IMAGE_FILE_BYTES, readRegularFile } from '../read-limited.js';
import { UsageError, intFlag, numberFlag, parseFlags } from './args.js';
import { modelRootsFromDisk } from '../models/model-roots.js';
import { upscalerFileOrName } from '../models/networks.js';

export const upscaleUsage =
  'studio upscale --upscaler FILE.onnx|NAME|lanczos --in IMAGE --out FILE.png [--scale S] [--tile T] [--quiet]';

/** A file, or the name of one in the models folder's upscalers/ (as the Models page lists them). */
function resolveUpscaler(given: string): string {
  try {
    return upscalerFileOrName(modelRootsFromDisk().modelsDir(), given).file;
  } catch (err) {
    throw new UsageError(`--upscaler: no file at ${given}; ${(err as Error).message}`);
  }
}

export async function upscaleCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    upscaler: { type: 'string' },
    in: { type: 'string' },
    out: { type: 'string' },
    scale: { type: 'string' },
    tile: { type: 'string' },
    quiet: { type: 'boolean' },
  });
  if (!values.upscaler) throw new UsageError('--upscaler is required (an .onnx file or lanczos)');
  if (!values.in || !values.out) throw new UsageError('--in and --out are required');
  if (!/\.png$/i.test(values.out)) throw new UsageError('--out must name a .png file');
  const scale = numberFlag('scale', values.scale, 1, 8);
  const tile = intFlag('tile', values.tile, 32, 4096);
  const lanczos = values.upscaler.toLowerCase() === 'lanczos';
  const upscalerFile = lanczos ? null : resolveUpscaler(values.upscaler);

  const bytes = readRegularFile(values.in, MAX_IMAGE_FILE_BYTES);
  const started = Date.now();
  const result = await upscalePicture(bytes, {
    upscalerFile,
    scale,
    tile,
    name: values.in,
    onTile: values.quiet ? undefined : (k, n) => process.stderr.write(`\rtile ${k}/${n}`),
  });
  if (!values.quiet && upscalerFile) process.stderr.write('\n');
  fs.mkdirSync(path.dirname(path.resolve(values.out)), { recursive: true });
  fs.writeFileSync(values.out, result.png);
  console.log(
    `wrote ${values.out} (${result.width}x${result.height}, ${result.how}) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  return 0;
}
