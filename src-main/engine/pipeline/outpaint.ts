/**
 * Outpainting as an inpainting job: the picture placed on a larger canvas
 * (sides added, the size snapped to the model's multiple on the right and
 * bottom), the new area filled by extending the picture's edge colours (a
 * start the model continues; at full strength the masked latents are noise
 * anyway), and a mask that is 0 over the whole original, so the original
 * pixels are pasted back exactly, and ramps to 1 over `blur` pixels into the
 * new area, so the seam blends across the border.
 */
import type { RgbImage } from './images.js';

export interface OutpaintPads {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export interface OutpaintCanvas {
  image: RgbImage;
  /** Grey mask as RGB (white: generate). */
  mask: RgbImage;
  /** The pads as used (right and bottom grown to reach the multiple). */
  pads: OutpaintPads;
}

export function outpaintCanvas(src: RgbImage, pads: OutpaintPads, multiple = 8, blur = 16): OutpaintCanvas {
  const snap = (n: number) => (multiple - (n % multiple)) % multiple;
  const right = pads.right + snap(src.width + pads.left + pads.right);
  const bottom = pads.bottom + snap(src.height + pads.top + pads.bottom);
  const width = src.width + pads.left + right;
  const height = src.height + pads.top + bottom;
  const image = new Uint8Array(width * height * 3);
  const mask = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(src.height - 1, Math.max(0, y - pads.top));
    const dy = y < pads.top ? pads.top - y : Math.max(0, y - (pads.top + src.height - 1));
    for (let x = 0; x < width; x++) {
      const sx = Math.min(src.width - 1, Math.max(0, x - pads.left));
      const dx = x < pads.left ? pads.left - x : Math.max(0, x - (pads.left + src.width - 1));
      const at = (y * width + x) * 3;
      image.set(src.data.subarray((sy * src.width + sx) * 3, (sy * src.width + sx) * 3 + 3), at);
      // Distance from the original rectangle: 0 inside it, so its pixels stay exactly as they were.
      const d = Math.hypot(dx, dy);
      const m = d === 0 ? 0 : Math.round(255 * Math.min(1, d / Math.max(1, blur)));
      mask[at] = mask[at + 1] = mask[at + 2] = m;
    }
  }
  return {
    image: { width, height, data: image },
    mask: { width, height, data: mask },
    pads: { left: pads.left, top: pads.top, right, bottom },
  };
}
