/**
 * Plain image analysis of a generated scene: the dominant background colour
 * (from the border), the blob of the asked colour (the largest connected
 * region of pixels nearest that palette colour), its centroid's side and size. No learned judge: the
 * checks a person would do by eye, made exact.
 */
import type { RgbImage } from '../engine/index.js';
import { COLOURS, PALETTE, type Colour, type Position, type SceneSpec, type Size } from './shape-captions.js';

export function nearestColour(r: number, g: number, b: number): Colour {
  let best: Colour = 'black';
  let bestD = Infinity;
  for (const c of COLOURS) {
    const [pr, pg, pb] = PALETTE[c];
    const d = (r - pr) ** 2 + (g - pg) ** 2 + (b - pb) ** 2;
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}

export interface SceneReading {
  background: Colour;
  /** Share of the image covered by the largest region of the asked colour (0..1). */
  blobArea: number;
  /** Centroid of the asked colour, as fractions of width and height; null when absent. */
  centroid: { x: number; y: number } | null;
  position: Position | null;
  size: Size | null;
}

/** Below this share of the image a blob is small (the scenes draw small shapes at about 3-6%, large at 15-30%). */
export const SMALL_AREA = 0.1;
/** A region smaller than this share of the image is no blob (small shapes cover about 3%). */
export const MIN_BLOB = 0.01;

export function readScene(img: RgbImage, colour: Colour): SceneReading {
  const { width: w, height: h, data } = img;
  const counts = new Map<Colour, number>();
  const border = Math.max(1, Math.round(Math.min(w, h) * 0.04));
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (x >= border && x < w - border && y >= border && y < h - border) continue;
      const i = (y * w + x) * 3;
      const c = nearestColour(data[i]!, data[i + 1]!, data[i + 2]!);
      counts.set(c, (counts.get(c) ?? 0) + 1);
    }
  }
  const background = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
  // The blob is the largest 4-connected region of the asked colour: scattered pixels of noise do not count.
  const mask = new Uint8Array(w * h);
  for (let p = 0; p < w * h; p++)
    mask[p] = nearestColour(data[p * 3]!, data[p * 3 + 1]!, data[p * 3 + 2]!) === colour ? 1 : 0;
  const seen = new Uint8Array(w * h);
  const stack: number[] = [];
  let best = { n: 0, sx: 0, sy: 0 };
  for (let start = 0; start < w * h; start++) {
    if (!mask[start] || seen[start]) continue;
    let n = 0;
    let sx = 0;
    let sy = 0;
    seen[start] = 1;
    stack.push(start);
    while (stack.length) {
      const p = stack.pop()!;
      const x = p % w;
      const y = (p - x) / w;
      n++;
      sx += x;
      sy += y;
      for (const q of [x > 0 ? p - 1 : -1, x < w - 1 ? p + 1 : -1, y > 0 ? p - w : -1, y < h - 1 ? p + w : -1]) {
        if (q >= 0 && mask[q] && !seen[q]) {
          seen[q] = 1;
          stack.push(q);
        }
      }
    }
    if (n > best.n) best = { n, sx, sy };
  }
  const { n, sx, sy } = best;
  // When the asked colour is also the background, the blob cannot be told apart.
  const area = colour === background ? 0 : n / (w * h);
  if (area < MIN_BLOB) return { background, blobArea: area, centroid: null, position: null, size: null };
  const cx = (sx / n + 0.5) / w;
  const cy = (sy / n + 0.5) / h;
  const dx = cx - 0.5;
  const dy = cy - 0.5;
  let position: Position;
  if (Math.abs(dx) < 0.12 && Math.abs(dy) < 0.12) position = 'center';
  else if (Math.abs(dx) >= Math.abs(dy)) position = dx < 0 ? 'left' : 'right';
  else position = dy < 0 ? 'top' : 'bottom';
  return {
    background,
    blobArea: area,
    centroid: { x: cx, y: cy },
    position,
    size: area < SMALL_AREA ? 'small' : 'large',
  };
}

export interface SceneScore {
  colour: boolean;
  background: boolean | null;
  position: boolean | null;
  size: boolean | null;
}

/** What was asked against what is there; null where the caption did not ask. */
export function scoreScene(spec: SceneSpec, reading: SceneReading): SceneScore {
  return {
    colour: reading.centroid !== null,
    background: spec.background ? reading.background === spec.background : null,
    position: spec.position ? reading.position === spec.position : null,
    size: spec.size ? reading.size === spec.size : null,
  };
}
