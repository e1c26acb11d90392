/**
 * Tiled processing's plan and blend (upscalers, the VAE on large pictures):
 * tiles of the input with an overlap on every inner side, and a weight per
 * output pixel that ramps across the overlap, so neighbouring tiles fade into
 * each other (no seam) and any picture fits in the memory of one tile.
 */
import { StudioError } from '../../../src-shared/domain/errors.js';

export interface Tile {
  /** The region this tile is run on (input pixels, overlap included). */
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Tiles of at most `tile` px plus `overlap` on inner sides, covering width x height. */
export function planTiles(width: number, height: number, tile: number, overlap: number): Tile[] {
  const starts = (size: number) => {
    const out: number[] = [];
    for (let s = 0; s < size; s += tile) out.push(s);
    return out;
  };
  const tiles: Tile[] = [];
  for (const y0 of starts(height))
    for (const x0 of starts(width)) {
      const x = Math.max(0, x0 - overlap);
      const y = Math.max(0, y0 - overlap);
      const x1 = Math.min(width, x0 + tile + overlap);
      const y1 = Math.min(height, y0 + tile + overlap);
      tiles.push({ x, y, width: x1 - x, height: y1 - y });
    }
  return tiles;
}

/**
 * Tiles of exactly tw x th (an export with a fixed input size) covering
 * width x height (at least that large), stepping by the size less twice the
 * overlap; the last row and column are moved back inside the picture.
 */
export function planFixedTiles(width: number, height: number, tw: number, th: number, overlap: number): Tile[] {
  const starts = (size: number, t: number) => {
    const step = Math.max(1, t - 2 * overlap);
    const out: number[] = [];
    for (let s = 0; ; s += step) {
      if (s + t >= size) {
        out.push(Math.max(0, size - t));
        return out;
      }
      out.push(s);
    }
  };
  const tiles: Tile[] = [];
  for (const y of starts(height, th)) for (const x of starts(width, tw)) tiles.push({ x, y, width: tw, height: th });
  return tiles;
}

/**
 * Weight of output pixel (ox, oy) of a tile scaled by `scale`, on sides that
 * border another tile: 0 across the outer half of the overlap (pixels that
 * saw the tile's cut edge, not the picture), then a ramp up to 1. The two
 * tiles of an overlap never both weigh 0 there, so every pixel is covered.
 */
export function featherWeight(
  t: Tile,
  ox: number,
  oy: number,
  scale: number,
  overlap: number,
  full: { width: number; height: number },
): number {
  const ramp = overlap * scale;
  const margin = Math.floor(ramp / 2);
  const edge = (d: number) => (d < margin ? 0 : Math.min(1, (d - margin + 1) / (ramp - margin + 1)));
  let w = 1;
  if (t.x > 0) w *= edge(ox);
  if (t.y > 0) w *= edge(oy);
  if (t.x + t.width < full.width) w *= edge(t.width * scale - 1 - ox);
  if (t.y + t.height < full.height) w *= edge(t.height * scale - 1 - oy);
  return w;
}

export interface TiledRun {
  /** Input, channels first: [inChannels, height, width]. */
  input: Float32Array;
  inChannels: number;
  width: number;
  height: number;
  outChannels: number;
  /** Output pixels per input pixel (8 for a VAE decoder, 1/8 for its encoder, 4 for a 4x upscaler). */
  scale: number;
  tile: number;
  overlap: number;
  /** One tile through the model: [inChannels, th, tw] in, [outChannels, th*scale, tw*scale] out. */
  run: (chw: Float32Array, tw: number, th: number) => Promise<Float32Array>;
  onTile?: (done: number, total: number) => void;
  signal?: AbortSignal;
  /** The tiles to run, when not the plan of `tile` and `overlap` (a fixed-size export's). */
  tiles?: Tile[];
  /** Adjusts a tile's output in place before it is blended ([outChannels, th, tw], at output pixel x, y). */
  adjust?: (out: Float32Array, tw: number, th: number, at: { x: number; y: number }) => void;
}

/** The whole input through `run`, tile by tile, blended: [outChannels, height*scale, width*scale]. */
export async function runTiled(r: TiledRun): Promise<Float32Array> {
  const s = r.scale;
  const W = Math.round(r.width * s);
  const H = Math.round(r.height * s);
  const acc = new Float32Array(r.outChannels * W * H);
  const weights = new Float32Array(W * H);
  const tiles = r.tiles ?? planTiles(r.width, r.height, r.tile, r.overlap);
  for (const [k, t] of tiles.entries()) {
    if (r.signal?.aborted) throw new StudioError('CANCELLED', 'Cancelled');
    const chw = new Float32Array(r.inChannels * t.width * t.height);
    for (let c = 0; c < r.inChannels; c++)
      for (let y = 0; y < t.height; y++) {
        const from = (c * r.height + t.y + y) * r.width + t.x;
        chw.set(r.input.subarray(from, from + t.width), (c * t.height + y) * t.width);
      }
    const out = await r.run(chw, t.width, t.height);
    const tw = Math.round(t.width * s);
    const th = Math.round(t.height * s);
    r.adjust?.(out, tw, th, { x: Math.round(t.x * s), y: Math.round(t.y * s) });
    for (let oy = 0; oy < th; oy++)
      for (let ox = 0; ox < tw; ox++) {
        const w = featherWeight(t, ox, oy, s, r.overlap, r);
        if (w === 0) continue;
        const gi = (Math.round(t.y * s) + oy) * W + Math.round(t.x * s) + ox;
        weights[gi] = weights[gi]! + w;
        for (let c = 0; c < r.outChannels; c++)
          acc[c * W * H + gi] = acc[c * W * H + gi]! + w * out[(c * th + oy) * tw + ox]!;
      }
    r.onTile?.(k + 1, tiles.length);
  }
  for (let i = 0; i < W * H; i++)
    for (let c = 0; c < r.outChannels; c++) acc[c * W * H + i] = acc[c * W * H + i]! / weights[i]!;
  return acc;
}
