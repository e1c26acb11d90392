/**
 * ONNX upscalers (the ESRGAN family as exported to ONNX: input [1, 3, H, W]
 * float in [0, 1], output [1, 3, sH, sW]), run tile by tile with feathered
 * overlaps (tiles.ts). The scale is read from the model by a small probe, so
 * any x2/x4 export works without a config. fp16 and fp32 graphs.
 */
import * as ort from 'onnxruntime-node';
import { StudioError } from '../../../src-shared/domain/errors.js';
import { floatTensor, tensorToFloat32 } from '../model/loaded-model.js';
import { sessionIo, type FloatType } from '../model/signatures.js';
import type { RgbImage } from '../pipeline/images.js';
import { redactPaths } from '../redact-paths.js';
import { planFixedTiles, runTiled } from './tiles.js';

export interface UpscaleOptions {
  /** Input tile size in pixels (default 192), and the overlap on inner sides (default 16). */
  tile?: number;
  overlap?: number;
  onTile?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export class OnnxUpscaler {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly input: string,
    private readonly output: string,
    private readonly inputType: FloatType,
    /** Output size / input size, from the probe. */
    readonly scale: number,
    /** The input size a fixed-size export takes (its tiles are exactly this), or null for any size. */
    readonly fixed: { width: number; height: number } | null,
  ) {}

  static async load(file: string): Promise<OnnxUpscaler> {
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(file, { executionProviders: ['cpu'], graphOptimizationLevel: 'all' });
    } catch (err) {
      throw new StudioError(
        'INVALID_INPUT',
        `not an ONNX upscaler: ${redactPaths(((err as Error).message ?? '').split('\n')[0]!).slice(0, 200)}`,
      );
    }
    const io = sessionIo(session);
    const fail = (why: string): never => {
      void session.release();
      throw new StudioError('INVALID_INPUT', `not an ONNX upscaler (${why}); one image input [1, 3, H, W] is expected`);
    };
    if (io.inputs.length !== 1 || io.outputs.length < 1) fail(`${io.inputs.length} inputs`);
    const input = io.inputs[0]!;
    const type = input.type;
    if (type !== 'float32' && type !== 'float16') fail(`input type ${type}`);
    const channels = input.shape?.[1];
    if (input.shape && input.shape.length !== 4) fail(`input of rank ${input.shape.length}`);
    if (typeof channels === 'number' && channels !== 3) fail(`${channels} input channels`);
    // A fixed-size export (its height and width are numbers) runs in tiles of exactly that size.
    const [fh, fw] = [input.shape?.[2], input.shape?.[3]];
    const fixed = typeof fh === 'number' && typeof fw === 'number' ? { width: fw, height: fh } : null;
    // The probe: a small grey picture (a fixed export's own size); the output's size gives the scale.
    const ph = fixed?.height ?? 16;
    const pw = fixed?.width ?? 16;
    let out: ort.Tensor;
    try {
      const result = await session.run({
        [input.name]: floatTensor(type as FloatType, new Float32Array(3 * ph * pw).fill(0.5), [1, 3, ph, pw]),
      });
      out = result[io.outputs[0]!.name]!;
    } catch (err) {
      return fail(
        `it does not run on a ${pw}x${ph} picture: ${((err as Error).message ?? '').split('\n')[0]!.slice(0, 120)}`,
      );
    }
    const [, c, oh, ow] = out.dims;
    const scale = oh! / ph;
    if (out.dims.length !== 4 || c !== 3 || ow! / pw !== scale || !Number.isInteger(scale) || scale < 1)
      fail(`its output is [${out.dims.join(', ')}] for a ${pw}x${ph} picture`);
    return new OnnxUpscaler(session, input.name, io.outputs[0]!.name, type as FloatType, scale, fixed);
  }

  async release(): Promise<void> {
    await this.session.release().catch(() => {});
  }

  /** The whole picture through the model, tile by tile. */
  async upscale(image: RgbImage, opts: UpscaleOptions = {}): Promise<RgbImage> {
    const tile = Math.max(16, opts.tile ?? 192);
    const overlap = Math.max(0, Math.min(opts.overlap ?? 16, tile));
    const s = this.scale;
    if (this.fixed && (image.width < this.fixed.width || image.height < this.fixed.height)) {
      // Smaller than the export's size: edge-padded up to it, upscaled, and the picture's part cut out.
      const padded = padEdges(
        image,
        Math.max(image.width, this.fixed.width),
        Math.max(image.height, this.fixed.height),
      );
      return cropTo(await this.upscale(padded, opts), image.width * s, image.height * s);
    }
    const W = image.width * s;
    const H = image.height * s;
    const input = new Float32Array(3 * image.width * image.height);
    const plane = image.width * image.height;
    for (let i = 0; i < plane; i++) for (let c = 0; c < 3; c++) input[c * plane + i] = image.data[i * 3 + c]! / 255;
    const acc = await runTiled({
      input,
      inChannels: 3,
      width: image.width,
      height: image.height,
      outChannels: 3,
      scale: s,
      tile,
      overlap,
      ...(this.fixed
        ? { tiles: planFixedTiles(image.width, image.height, this.fixed.width, this.fixed.height, overlap) }
        : {}),
      run: async (chw, tw, th) => {
        const result = await this.session.run({ [this.input]: floatTensor(this.inputType, chw, [1, 3, th, tw]) });
        return tensorToFloat32(result[this.output]!);
      },
      onTile: opts.onTile,
      signal: opts.signal,
    });
    const data = new Uint8Array(3 * W * H);
    for (let i = 0; i < W * H; i++)
      for (let c = 0; c < 3; c++) {
        const v = acc[c * W * H + i]!;
        data[i * 3 + c] = Math.round(Math.min(1, Math.max(0, v)) * 255);
      }
    return { width: W, height: H, data };
  }
}

/** The picture grown to width x height by repeating its last column and row. */
function padEdges(image: RgbImage, width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const from = (Math.min(y, image.height - 1) * image.width + Math.min(x, image.width - 1)) * 3;
      data.set(image.data.subarray(from, from + 3), (y * width + x) * 3);
    }
  return { width, height, data };
}

/** The top-left width x height of a picture. */
function cropTo(image: RgbImage, width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++)
    data.set(image.data.subarray(y * image.width * 3, (y * image.width + width) * 3), y * width * 3);
  return { width, height, data };
}
