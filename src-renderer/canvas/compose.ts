/**
 * Pixels in and out of the canvas (DOM canvases): the picture and the mask
 * cut to the box a generation fills, and a result pasted back into the
 * picture at its box.
 */
import type { Rect } from './bbox.js';
import { loadImage } from './mask-raster.js';

const PNG_PREFIX = /^data:image\/png;base64,/;

function canvasOf(width: number, height: number): [HTMLCanvasElement, CanvasRenderingContext2D] {
  const c = document.createElement('canvas');
  c.width = width;
  c.height = height;
  return [c, c.getContext('2d')!];
}

const toBase64 = (c: HTMLCanvasElement) => c.toDataURL('image/png').replace(PNG_PREFIX, '');

type Size = { width: number; height: number };

/** The part of a picture under the box, as PNG base64: pixel for pixel, or scaled to `size`. */
export async function cropPicture(url: string, box: Rect, size: Size = box): Promise<string> {
  const img = await loadImage(url);
  const [c, ctx] = canvasOf(size.width, size.height);
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(img, box.x, box.y, box.width, box.height, 0, 0, size.width, size.height);
  return toBase64(c);
}

/** The mask as the engine takes it (white = repaint, on black), whole or cut to a box (scaled to `size`). */
export function maskPng(mask: HTMLCanvasElement, box?: Rect, size?: Size): string {
  const b = box ?? { x: 0, y: 0, width: mask.width, height: mask.height };
  const out = size ?? b;
  const [c, ctx] = canvasOf(out.width, out.height);
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.drawImage(mask, b.x, b.y, b.width, b.height, 0, 0, out.width, out.height);
  return toBase64(c);
}

/** Whether anything is painted on the mask inside the box (a mask elsewhere would repaint nothing there). */
export function paintedIn(mask: HTMLCanvasElement, box: Rect): boolean {
  const x = Math.max(0, box.x);
  const y = Math.max(0, box.y);
  const w = Math.min(mask.width, box.x + box.width) - x;
  const h = Math.min(mask.height, box.y + box.height) - y;
  if (w <= 0 || h <= 0) return false;
  const alpha = mask.getContext('2d')!.getImageData(x, y, w, h).data;
  for (let i = 3; i < alpha.length; i += 4) if (alpha[i]! > 0) return true;
  return false;
}

/** The picture with a result drawn over its box (scaled to the box when the sizes differ), as PNG base64. */
export async function pasteInto(pictureUrl: string, resultPng: string, box: Rect): Promise<string> {
  const [picture, result] = await Promise.all([loadImage(pictureUrl), loadImage(`data:image/png;base64,${resultPng}`)]);
  const [c, ctx] = canvasOf(picture.naturalWidth, picture.naturalHeight);
  ctx.drawImage(picture, 0, 0);
  ctx.clearRect(box.x, box.y, box.width, box.height);
  ctx.drawImage(result, box.x, box.y, box.width, box.height);
  return toBase64(c);
}
