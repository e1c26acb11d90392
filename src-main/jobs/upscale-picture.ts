/**
 * One picture upscaled: an ONNX upscaler (tiled, any size) or Lanczos, to a
 * target scale (the model's own by default; another is reached with Lanczos
 * after the model, as A1111 does). A PNG keeps its metadata text and gains
 * A1111's extras line (`Postprocess upscale by`, `Postprocess upscaler`), so
 * the tools that read A1111's pictures see what was done. Shared by
 * `studio upscale` and the gallery's Upscale action.
 */
import path from 'node:path';
import { StudioError } from '../../src-shared/domain/errors.js';
import { OnnxUpscaler, decodePngToRgb, encodePng, resizeLanczos, type RgbImage } from '../engine/index.js';
import { isPng, readTextChunks, withTextChunks } from '../pngmeta/png-chunks.js';

export interface UpscaleRequest {
  /** An ONNX upscaler file, or null for Lanczos. */
  upscalerFile: string | null;
  /** Output size over input size; the model's own scale (Lanczos: 2) when absent. */
  scale?: number;
  tile?: number;
  /** The picture's name for error messages. */
  name?: string;
  onTile?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface UpscaledPicture {
  png: Buffer;
  width: number;
  height: number;
  /** What was done, in words ("4x-ESRGAN.onnx x4, then Lanczos to x2"). */
  how: string;
  /** The upscaler's name as A1111 writes it, and the scale reached. */
  upscaler: string;
  scale: number;
}

export async function upscalePicture(bytes: Uint8Array, req: UpscaleRequest): Promise<UpscaledPicture> {
  let image: RgbImage;
  try {
    image = await decodePngToRgb(bytes);
  } catch (err) {
    throw new StudioError(
      'INVALID_INPUT',
      `${req.name ?? 'the picture'}: not a readable image (${(err as Error).message.split('\n')[0]})`,
    );
  }
  let out: RgbImage;
  let how: string;
  let upscaler: string;
  let scale: number;
  if (!req.upscalerFile) {
    scale = req.scale ?? 2;
    out = await resizeLanczos(image, Math.round(image.width * scale), Math.round(image.height * scale));
    how = `Lanczos x${scale}`;
    upscaler = 'Lanczos';
  } else {
    const model = await OnnxUpscaler.load(req.upscalerFile);
    try {
      out = await model.upscale(image, { tile: req.tile, onTile: req.onTile, signal: req.signal });
    } finally {
      await model.release();
    }
    upscaler = path.basename(req.upscalerFile).replace(/\.onnx$/i, '');
    how = `${path.basename(req.upscalerFile)} x${model.scale}`;
    scale = req.scale ?? model.scale;
    if (scale !== model.scale) {
      out = await resizeLanczos(out, Math.round(image.width * scale), Math.round(image.height * scale));
      how += `, then Lanczos to x${scale}`;
    }
  }
  let png = await encodePng(out);
  const texts = isPng(bytes) ? readTextChunks(bytes) : {};
  texts.postprocessing = `Postprocess upscale by: ${scale}, Postprocess upscaler: ${upscaler}`;
  png = withTextChunks(png, texts);
  return { png, width: out.width, height: out.height, how, upscaler, scale };
}
