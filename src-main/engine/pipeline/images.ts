/**
 * Pixels in and out of the pipeline: decoding init images and masks (PNG,
 * JPEG, WebP) at the generation size, and turning decoded VAE output into RGB.
 */
import zlib from 'node:zlib';
import { StudioError } from '../../../src-shared/domain/errors.js';

/** sharp, loaded on first use: the engine alone (e.g. `studio bench` on a GPU machine) runs without it. */
const loadSharp = async () => (await import('sharp')).default;

export interface RgbImage {
  width: number;
  height: number;
  /** HWC, 3 channels, 0..255. */
  data: Uint8Array;
}

async function decodeRaw(
  bytes: Uint8Array,
  width: number,
  height: number,
  channels: 1 | 3,
  what: string,
): Promise<Uint8Array> {
  const sharp = await loadSharp();
  try {
    let img = sharp(bytes, { failOn: 'error' }).flatten({ background: '#000000' });
    img = channels === 1 ? img.grayscale() : img.removeAlpha().toColourspace('srgb');
    const meta = await sharp(bytes).metadata();
    if (meta.width !== width || meta.height !== height) {
      img = img.resize(width, height, { fit: 'fill', kernel: channels === 1 ? 'nearest' : 'lanczos3' });
    }
    const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== channels) throw new Error(`decoded ${info.channels} channels`);
    return new Uint8Array(data.buffer, data.byteOffset, data.length);
  } catch (err) {
    throw new StudioError(
      'INVALID_INPUT',
      `The ${what} could not be read as an image (${(err as Error).message.split('\n')[0]})`,
    );
  }
}

/** An init image as CHW float32 in [-1, 1] at width x height. */
export async function imageToTensor(bytes: Uint8Array, width: number, height: number): Promise<Float32Array> {
  const rgb = await decodeRaw(bytes, width, height, 3, 'init image');
  const plane = width * height;
  const out = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) for (let c = 0; c < 3; c++) out[c * plane + i] = rgb[i * 3 + c]! / 127.5 - 1;
  return out;
}

/** A mask (white = repaint) at image size as coverage in 0..1, so feathered edges blend softly. */
export async function maskToPixels(bytes: Uint8Array, width: number, height: number): Promise<Float32Array> {
  const gray = await decodeRaw(bytes, width, height, 1, 'mask');
  return Float32Array.from(gray, (v) => v / 255);
}

/** A mask as grey levels 0..255 at width x height. */
export function maskToGray(bytes: Uint8Array, width: number, height: number): Promise<Uint8Array> {
  return decodeRaw(bytes, width, height, 1, 'mask');
}

/** Nearest-neighbour downscale (torch interpolate 'nearest': source index floor(i * in / out)). */
export function downscaleNearest(
  mask: Float32Array,
  width: number,
  height: number,
  outW: number,
  outH: number,
): Float32Array {
  const out = new Float32Array(outW * outH);
  for (let y = 0; y < outH; y++) {
    const sy = Math.floor((y * height) / outH);
    for (let x = 0; x < outW; x++) out[y * outW + x] = mask[sy * width + Math.floor((x * width) / outW)]!;
  }
  return out;
}

/** VAE output [1, 3, H, W] in [-1, 1] -> RGB bytes: round(clamp(x / 2 + 0.5) * 255). */
export function tensorToRgb(chw: Float32Array, width: number, height: number): RgbImage {
  const plane = width * height;
  const data = new Uint8Array(plane * 3);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) {
      const v = Math.min(1, Math.max(0, chw[c * plane + i]! / 2 + 0.5));
      data[i * 3 + c] = Math.round(v * 255);
    }
  }
  return { width, height, data };
}

/**
 * RGB pixels as a PNG, with node's zlib: per row the filter (None, Sub, Up,
 * Paeth) with the smallest sum of absolute residuals, as libpng's adaptive
 * filtering does. Written here rather than by sharp so a generation's output
 * never waits on loading sharp (about 20 ms of a one-shot run).
 */
export async function encodePng(image: RgbImage): Promise<Buffer> {
  const { width, height, data } = image;
  const stride = width * 3;
  const filtered = Buffer.alloc((stride + 1) * height);
  const candidates = [0, 1, 2, 4].map(() => Buffer.alloc(stride));
  for (let y = 0; y < height; y++) {
    const row = data.subarray(y * stride, (y + 1) * stride);
    const up = y > 0 ? data.subarray((y - 1) * stride, y * stride) : null;
    let best = 0;
    let bestCost = Number.POSITIVE_INFINITY;
    for (const [k, filter] of [0, 1, 2, 4].entries()) {
      const out = candidates[k]!;
      let cost = 0;
      for (let i = 0; i < stride; i++) {
        const a = i >= 3 ? row[i - 3]! : 0;
        const b = up ? up[i]! : 0;
        const c = up && i >= 3 ? up[i - 3]! : 0;
        const pred = filter === 0 ? 0 : filter === 1 ? a : filter === 2 ? b : paeth(a, b, c);
        const v = (row[i]! - pred) & 0xff;
        out[i] = v;
        cost += v < 128 ? v : 256 - v;
      }
      if (cost < bestCost) {
        bestCost = cost;
        best = k;
      }
    }
    filtered[y * (stride + 1)] = [0, 1, 2, 4][best]!;
    candidates[best]!.copy(filtered, y * (stride + 1) + 1);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, deflate, adaptive filtering, no interlace
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk('IHDR', header),
    pngChunk('IDAT', zlib.deflateSync(filtered, { level: 6 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

function pngChunk(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(Buffer.concat([head.subarray(4), body])) >>> 0, 0);
  return Buffer.concat([head, body, crc]);
}

export async function decodePngToRgb(bytes: Uint8Array): Promise<RgbImage> {
  const sharp = await loadSharp();
  const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}
