/** A seeded source of standard normal noise, bit-compatible with a torch generator. */
export interface NoiseGenerator {
  readonly seed: number;
  /** `torch.randn(shape, generator=g)`; state carries over between calls. */
  randn(shape: readonly number[]): Float32Array;
  /** A fresh generator of the same kind (CPU / CUDA) seeded with `seed`. */
  reseeded(seed: number): NoiseGenerator;
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Low and high 32 bits of a non-negative safe-integer seed. */
export function splitSeed(seed: number): [lo: number, hi: number] {
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new RangeError(`seed must be a non-negative safe integer, got ${seed}`);
  return [(seed % 0x1_0000_0000) >>> 0, Math.floor(seed / 0x1_0000_0000) >>> 0];
}
