/**
 * AUTOMATIC1111's variation seeds: the initial noise is the spherical
 * interpolation of the seed's noise (`low`) and the variation seed's
 * (`high`) by the strength, taken as A1111's slerp takes it on one image's
 * [C, H, W] noise: normalised along H, one angle per (channel, column).
 * Strength 0 gives `low` and 1 gives `high`, exactly.
 */
export function slerpNoise(
  strength: number,
  low: Float32Array,
  high: Float32Array,
  [channels, height, width]: readonly [number, number, number],
): Float32Array {
  if (strength <= 0) return Float32Array.from(low);
  if (strength >= 1) return Float32Array.from(high);
  const at = (c: number, y: number, x: number) => (c * height + y) * width + x;
  const out = new Float32Array(low.length);
  const dots: number[] = [];
  const norms: [number, number][] = [];
  for (let c = 0; c < channels; c++)
    for (let x = 0; x < width; x++) {
      let nl = 0;
      let nh = 0;
      for (let y = 0; y < height; y++) {
        nl += low[at(c, y, x)]! ** 2;
        nh += high[at(c, y, x)]! ** 2;
      }
      nl = Math.sqrt(nl);
      nh = Math.sqrt(nh);
      let dot = 0;
      for (let y = 0; y < height; y++) dot += (low[at(c, y, x)]! / nl) * (high[at(c, y, x)]! / nh);
      dots.push(dot);
      norms.push([nl, nh]);
    }
  // Nearly the same noise: the angle is too small to divide by, interpolate straight.
  if (dots.reduce((a, b) => a + b, 0) / dots.length > 0.9995) {
    return low.map((v, i) => v * (1 - strength) + high[i]! * strength);
  }
  for (let c = 0; c < channels; c++)
    for (let x = 0; x < width; x++) {
      const omega = Math.acos(Math.min(1, Math.max(-1, dots[c * width + x]!)));
      const so = Math.sin(omega);
      const a = Math.sin((1 - strength) * omega) / so;
      const b = Math.sin(strength * omega) / so;
      for (let y = 0; y < height; y++) out[at(c, y, x)] = a * low[at(c, y, x)]! + b * high[at(c, y, x)]!;
    }
  return out;
}
