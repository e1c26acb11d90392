/**
 * The cheap live preview: a linear map from the 4 latent channels to RGB
 * (coefficients fitted for the SD 1.x/2.x VAE, as ComfyUI's Latent2RGB uses),
 * applied to the current x0 estimate at 1/8 of the image size.
 */
import type { RgbImage } from '../pipeline/images.js';

const SD_LATENT_RGB = [
  [0.3512, 0.2297, 0.3227],
  [0.325, 0.4974, 0.235],
  [-0.2829, 0.1762, 0.2721],
  [-0.212, -0.2616, -0.7177],
] as const;

/** x0 in model space (VAE latents times the scale factor), [4, h, w]. */
export function latentToRgb(x0: Float32Array, width: number, height: number): RgbImage {
  const plane = width * height;
  const data = new Uint8Array(plane * 3);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) {
      let v = 0;
      for (let k = 0; k < 4; k++) v += x0[k * plane + i]! * SD_LATENT_RGB[k]![c]!;
      data[i * 3 + c] = Math.round((Math.min(1, Math.max(-1, v)) + 1) * 127.5);
    }
  }
  return { width, height, data };
}
