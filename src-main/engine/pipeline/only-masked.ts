/**
 * Inpainting of only the masked area (A1111's "Inpaint area: Only masked"):
 * the box around the mask, padded, then widened to the generation's aspect
 * ratio (A1111's crop-region rules), is cut out, scaled to the generation
 * size and inpainted there, so a small face in a large picture gets the
 * model's whole resolution; the result is scaled back and pasted into the
 * picture through the mask, so nothing outside the mask changes.
 */
import type { RgbImage } from './images.js';

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The mask's bounding box (mask > 0), padded and widened to `aspect` (width / height) inside the picture; null when empty. */
export function maskedBox(
  mask: Uint8Array,
  width: number,
  height: number,
  padding: number,
  aspect: number,
): Box | null {
  let x1 = width;
  let y1 = height;
  let x2 = -1;
  let y2 = -1;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      if (mask[y * width + x]! === 0) continue;
      x1 = Math.min(x1, x);
      y1 = Math.min(y1, y);
      x2 = Math.max(x2, x);
      y2 = Math.max(y2, y);
    }
  if (x2 < 0) return null;
  x1 = Math.max(0, x1 - padding);
  y1 = Math.max(0, y1 - padding);
  x2 = Math.min(width, x2 + 1 + padding);
  y2 = Math.min(height, y2 + 1 + padding);
  // Widen the shorter side to the generation's aspect ratio, centred, moved back inside the picture.
  const grow = (lo: number, hi: number, want: number, limit: number): [number, number] => {
    const diff = Math.floor(want - (hi - lo));
    lo -= Math.floor(diff / 2);
    hi += diff - Math.floor(diff / 2);
    if (hi > limit) {
      lo -= hi - limit;
      hi = limit;
    }
    if (lo < 0) {
      hi = Math.min(limit, hi - lo);
      lo = 0;
    }
    return [lo, hi];
  };
  if ((x2 - x1) / (y2 - y1) > aspect) [y1, y2] = grow(y1, y2, (x2 - x1) / aspect, height);
  else [x1, x2] = grow(x1, x2, (y2 - y1) * aspect, width);
  return { x: x1, y: y1, width: x2 - x1, height: y2 - y1 };
}

/** A box of a picture (or of a one-channel mask with channels = 1). */
export function cropPixels(data: Uint8Array, width: number, box: Box, channels: number): Uint8Array {
  const out = new Uint8Array(box.width * box.height * channels);
  for (let y = 0; y < box.height; y++) {
    const from = ((box.y + y) * width + box.x) * channels;
    out.set(data.subarray(from, from + box.width * channels), y * box.width * channels);
  }
  return out;
}

/** The picture with `patch` (the box's size) blended in through the mask: m * patch + (1 - m) * picture. */
export function pasteThroughMask(picture: RgbImage, patch: RgbImage, box: Box, mask: Uint8Array): RgbImage {
  const data = Uint8Array.from(picture.data);
  for (let y = 0; y < box.height; y++)
    for (let x = 0; x < box.width; x++) {
      const px = box.x + x;
      const py = box.y + y;
      const m = mask[py * picture.width + px]! / 255;
      if (m === 0) continue;
      for (let c = 0; c < 3; c++) {
        const at = (py * picture.width + px) * 3 + c;
        data[at] = Math.round(m * patch.data[(y * box.width + x) * 3 + c]! + (1 - m) * picture.data[at]!);
      }
    }
  return { width: picture.width, height: picture.height, data };
}
