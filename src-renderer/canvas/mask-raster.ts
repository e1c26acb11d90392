/**
 * Replays a mask document onto a canvas at image resolution: white where the
 * model repaints, transparent elsewhere. Also the PNG the engine receives
 * (white on black), and a tinted copy for display.
 */
import type { MaskDocument, MaskOp } from './mask-document.js';

/**
 * Decoded images by URL, shared by every caller: one promise per URL, so two
 * callers waiting on the same picture both get it (an image has one onload).
 * The most recently used are kept; data URLs are large.
 */
const images = new Map<string, Promise<HTMLImageElement>>();
const loaded = new Map<string, HTMLImageElement>();
const CACHE_LIMIT = 24;

export function loadImage(src: string): Promise<HTMLImageElement> {
  let p = images.get(src);
  if (p) {
    images.delete(src);
    images.set(src, p);
    return p;
  }
  p = new Promise<HTMLImageElement>((resolve, reject) => {
    const img = new Image();
    img.onload = () => {
      loaded.set(src, img);
      resolve(img);
    };
    img.onerror = () => {
      images.delete(src);
      reject(new Error('image could not be decoded'));
    };
    img.src = src;
  });
  images.set(src, p);
  for (const old of images.keys()) {
    if (images.size <= CACHE_LIMIT) break;
    images.delete(old);
    loaded.delete(old);
  }
  return p;
}

function drawOp(ctx: CanvasRenderingContext2D, op: MaskOp, width: number, height: number): void {
  ctx.save();
  switch (op.type) {
    case 'clear':
      ctx.clearRect(0, 0, width, height);
      break;
    case 'fill':
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, width, height);
      break;
    case 'invert':
      // xor: painted becomes empty, empty becomes painted.
      ctx.globalCompositeOperation = 'xor';
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, width, height);
      break;
    case 'image': {
      const img = loaded.get(op.dataUrl);
      if (img) {
        // A loaded mask is white-on-black: use its brightness as coverage.
        const tmp = document.createElement('canvas');
        tmp.width = width;
        tmp.height = height;
        const t = tmp.getContext('2d')!;
        t.drawImage(img, 0, 0, width, height);
        const data = t.getImageData(0, 0, width, height);
        for (let i = 0; i < data.data.length; i += 4) {
          const v = data.data[i]!;
          data.data[i] = data.data[i + 1] = data.data[i + 2] = 255;
          data.data[i + 3] = v;
        }
        t.putImageData(data, 0, 0);
        ctx.clearRect(0, 0, width, height);
        ctx.drawImage(tmp, 0, 0);
      }
      break;
    }
    case 'stroke': {
      ctx.globalCompositeOperation = op.tool === 'eraser' ? 'destination-out' : 'source-over';
      const blur = (op.size / 2) * (1 - op.hardness);
      if (blur > 0.5) ctx.filter = `blur(${blur.toFixed(1)}px)`;
      ctx.strokeStyle = '#fff';
      ctx.fillStyle = '#fff';
      ctx.lineWidth = op.size;
      ctx.lineCap = 'round';
      ctx.lineJoin = 'round';
      const p = op.points;
      ctx.beginPath();
      if (p.length <= 2) {
        ctx.arc(p[0]!, p[1]!, op.size / 2, 0, Math.PI * 2);
        ctx.fill();
      } else {
        ctx.moveTo(p[0]!, p[1]!);
        for (let i = 2; i < p.length; i += 2) ctx.lineTo(p[i]!, p[i + 1]!);
        ctx.stroke();
      }
      break;
    }
  }
  ctx.restore();
}

/** Renders every operation; loads mask images first. */
export async function renderMask(canvas: HTMLCanvasElement, doc: MaskDocument): Promise<void> {
  await Promise.all(
    doc.ops
      .filter((o) => o.type === 'image')
      .map((o) => loadImage((o as { dataUrl: string }).dataUrl).catch(() => null)),
  );
  const ctx = canvas.getContext('2d')!;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  for (const op of doc.ops) drawOp(ctx, op, canvas.width, canvas.height);
}

/** The mask tinted for display over the image. */
export function tintMask(mask: HTMLCanvasElement, out: HTMLCanvasElement, color: string): void {
  out.width = mask.width;
  out.height = mask.height;
  const ctx = out.getContext('2d')!;
  ctx.clearRect(0, 0, out.width, out.height);
  ctx.drawImage(mask, 0, 0);
  ctx.globalCompositeOperation = 'source-in';
  ctx.fillStyle = color;
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.globalCompositeOperation = 'source-over';
}
