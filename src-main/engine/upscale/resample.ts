/** The plain upscaler: Lanczos (sharp's lanczos3), for when no ONNX upscaler is installed, and to reach a scale the model does not have. */
import sharp from 'sharp';
import type { RgbImage } from '../pipeline/images.js';

export async function resizeLanczos(image: RgbImage, width: number, height: number): Promise<RgbImage> {
  const data = await sharp(Buffer.from(image.data), { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize(width, height, { kernel: 'lanczos3', fit: 'fill' })
    .raw()
    .toBuffer();
  return { width, height, data: new Uint8Array(data) };
}
