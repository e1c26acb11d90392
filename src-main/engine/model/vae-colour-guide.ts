/**
 * Colour guidance for the VAE decoded in tiles. Each tile normalises with
 * its own GroupNorm statistics, so tiles drift in colour and contrast
 * against a whole decode. A guide fixes that without changing the graph:
 * the latents, area-averaged until they fit one tile, are decoded whole
 * (global statistics); each tile is then shifted and scaled per channel so
 * that, seen at the guide's resolution, its mean and spread match the
 * guide's over the same region.
 */
export interface Guide {
  /** [3, height, width] in [-1, 1]. */
  data: Float32Array;
  width: number;
  height: number;
  /** Latent pixels averaged into one guide latent pixel. */
  factor: number;
}

/** Latents [c, h, w] area-averaged by `factor` (partial blocks at the edges averaged over what they hold). */
export function averagedLatents(chw: Float32Array, c: number, h: number, w: number, factor: number) {
  const gh = Math.ceil(h / factor);
  const gw = Math.ceil(w / factor);
  const out = new Float32Array(c * gh * gw);
  for (let ch = 0; ch < c; ch++)
    for (let gy = 0; gy < gh; gy++)
      for (let gx = 0; gx < gw; gx++) {
        let sum = 0;
        let n = 0;
        for (let y = gy * factor; y < Math.min(h, (gy + 1) * factor); y++)
          for (let x = gx * factor; x < Math.min(w, (gx + 1) * factor); x++) {
            sum += chw[(ch * h + y) * w + x]!;
            n++;
          }
        out[(ch * gh + gy) * gw + gx] = sum / n;
      }
  return { data: out, width: gw, height: gh };
}

/** Mean and standard deviation of each channel of a [c, h, w] image. */
function channelStats(img: Float32Array, c: number, h: number, w: number) {
  return Array.from({ length: c }, (_, ch) => {
    let sum = 0;
    let sq = 0;
    const plane = img.subarray(ch * h * w, (ch + 1) * h * w);
    for (const v of plane) {
      sum += v;
      sq += v * v;
    }
    const mean = sum / plane.length;
    return { mean, std: Math.sqrt(Math.max(0, sq / plane.length - mean * mean)) };
  });
}

/** A [c, h, w] image box-averaged by an integer factor (partial boxes over what they hold). */
function boxAveraged(img: Float32Array, c: number, h: number, w: number, f: number) {
  const oh = Math.ceil(h / f);
  const ow = Math.ceil(w / f);
  const out = new Float32Array(c * oh * ow);
  const counts = new Float32Array(oh * ow);
  for (let ch = 0; ch < c; ch++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const o = Math.floor(y / f) * ow + Math.floor(x / f);
        out[ch * oh * ow + o]! += img[(ch * h + y) * w + x]!;
        if (ch === 0) counts[o]!++;
      }
  for (let ch = 0; ch < c; ch++) for (let o = 0; o < oh * ow; o++) out[ch * oh * ow + o]! /= counts[o]!;
  return { data: out, height: oh, width: ow };
}

/**
 * Matches one decoded tile ([3, th, tw], at output pixel x, y) to the guide
 * in place: per channel, (v - mean) * gain + guide mean, with the tile's
 * mean and spread measured at the guide's resolution.
 */
export function matchTileToGuide(
  tile: Float32Array,
  tw: number,
  th: number,
  at: { x: number; y: number },
  guide: Guide,
): void {
  // Output pixels per guide pixel: 8 per latent pixel in both, the guide's latents `factor` times coarser.
  const f = guide.factor;
  const small = boxAveraged(tile, 3, th, tw, f);
  const gx = Math.floor(at.x / f);
  const gy = Math.floor(at.y / f);
  const region = new Float32Array(3 * small.height * small.width);
  for (let ch = 0; ch < 3; ch++)
    for (let y = 0; y < small.height; y++)
      for (let x = 0; x < small.width; x++) {
        const sy = Math.min(guide.height - 1, gy + y);
        const sx = Math.min(guide.width - 1, gx + x);
        region[(ch * small.height + y) * small.width + x] = guide.data[(ch * guide.height + sy) * guide.width + sx]!;
      }
  const mine = channelStats(small.data, 3, small.height, small.width);
  const want = channelStats(region, 3, small.height, small.width);
  for (let ch = 0; ch < 3; ch++) {
    // A flat tile has no spread to scale; its colour is still moved.
    const gain = mine[ch]!.std > 1e-3 ? Math.min(2, Math.max(0.5, want[ch]!.std / mine[ch]!.std)) : 1;
    const plane = tile.subarray(ch * th * tw, (ch + 1) * th * tw);
    for (let i = 0; i < plane.length; i++) plane[i] = (plane[i]! - mine[ch]!.mean) * gain + want[ch]!.mean;
  }
}
