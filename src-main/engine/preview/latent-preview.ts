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

/** SDXL's VAE has its own latent space: ComfyUI's fitted factors for it, with their bias. */
const SDXL_LATENT_RGB = [
  [0.3651, 0.4232, 0.4341],
  [-0.2533, -0.0042, 0.1068],
  [0.1076, 0.1111, -0.0362],
  [-0.3165, -0.2492, -0.2188],
] as const;
const SDXL_BIAS = [0.1084, -0.0175, -0.0011] as const;

/** x0 in model space (VAE latents times the scale factor), [4, h, w]. */
export function latentToRgb(x0: Float32Array, width: number, height: number, sdxl = false): RgbImage {
  const factors = sdxl ? SDXL_LATENT_RGB : SD_LATENT_RGB;
  const plane = width * height;
  const data = new Uint8Array(plane * 3);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) {
      let v = sdxl ? SDXL_BIAS[c]! : 0;
      for (let k = 0; k < 4; k++) v += x0[k * plane + i]! * factors[k]![c]!;
      data[i * 3 + c] = Math.round((Math.min(1, Math.max(-1, v)) + 1) * 127.5);
    }
  }
  return { width, height, data };
}
