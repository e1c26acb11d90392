/** The plain upscaler: Lanczos (sharp's lanczos3), for when no ONNX upscaler is installed, and to reach a scale the model does not have. */
import type { RgbImage } from '../pipeline/images.js';

export async function resizeLanczos(image: RgbImage, width: number, height: number): Promise<RgbImage> {
  // Loaded on first use: a txt2img run never needs sharp's start-up.
  const sharp = (await import('sharp')).default;
  const data = await sharp(Buffer.from(image.data), { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize(width, height, { kernel: 'lanczos3', fit: 'fill' })
    .raw()
    .toBuffer();
  return { width, height, data: new Uint8Array(data) };
}
