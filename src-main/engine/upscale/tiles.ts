/**
 * Tiled upscaling's plan and blend, pure: tiles of the input with an overlap
 * on every inner side, and a weight per output pixel that ramps across the
 * overlap, so neighbouring tiles fade into each other (no seam) and any
 * picture fits in the memory of one tile.
 */

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
