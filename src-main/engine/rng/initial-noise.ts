/**
 * One picture's initial noise as AUTOMATIC1111 draws it: the seed's
 * generator (which the sampler's later draws continue), the variation seed's
 * noise slerped in, and "resize seed from width/height": the seed's noise
 * drawn at another size by a fresh generator of the same seed, then placed at
 * the centre of the picture's own noise (cropped when larger), so a picture
 * keeps its composition at another size.
 */
import type { NoiseGenerator } from './noise-generator.js';
import { slerpNoise } from './variation.js';

export interface InitialNoiseRequest {
  channels: number;
  /** Latent height and width. */
  h: number;
  w: number;
  /** A fresh generator for a seed (the variation seed, or the seed again for a resized draw). */
  fresh: (seed: number) => NoiseGenerator;
  /** The image's own generator; the sampler continues it afterwards. */
  generator: NoiseGenerator;
  seed: number;
  variation: { seed: number; strength: number } | null;
  /** Latent size the seed's noise is drawn at, or null. */
  resizeFrom: { h: number; w: number } | null;
}

export function initialNoise(r: InitialNoiseRequest): Float32Array {
  const resized = r.resizeFrom && (r.resizeFrom.h !== r.h || r.resizeFrom.w !== r.w) ? r.resizeFrom : null;
  const nh = resized ? resized.h : r.h;
  const nw = resized ? resized.w : r.w;
  const shape = [1, r.channels, nh, nw];
  let noise = resized ? r.fresh(r.seed).randn(shape) : r.generator.randn(shape);
  if (r.variation && r.variation.strength > 0) {
    noise = slerpNoise(r.variation.strength, noise, r.fresh(r.variation.seed).randn(shape), [r.channels, nh, nw]);
  }
  if (!resized) return noise;
  // The picture's own noise, with the drawn one over its centre (A1111's offsets: floor of half the difference).
  const x = r.generator.randn([1, r.channels, r.h, r.w]);
  const dx = Math.floor((r.w - nw) / 2);
  const dy = Math.floor((r.h - nh) / 2);
  const cw = dx >= 0 ? nw : nw + 2 * dx;
  const ch = dy >= 0 ? nh : nh + 2 * dy;
  const tx = Math.max(dx, 0);
  const ty = Math.max(dy, 0);
  const sx = Math.max(-dx, 0);
  const sy = Math.max(-dy, 0);
  for (let c = 0; c < r.channels; c++)
    for (let y = 0; y < ch; y++)
      for (let i = 0; i < cw; i++) x[(c * r.h + ty + y) * r.w + tx + i] = noise[(c * nh + sy + y) * nw + sx + i]!;
  return x;
}
