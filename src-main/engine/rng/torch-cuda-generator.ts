/**
 * torch.Generator('cuda'): Philox4x32-10 with curand's Box-Muller, computed
 * on the CPU. What AUTOMATIC1111 calls GPU noise (its default).
 *
 * torch's CUDA normal kernel gives each element its own thread while numel
 * fits in one grid (256 threads x 8 blocks per SM x the SM count: 16.9 M
 * elements on a 132-SM H100, far above any latent), so element i takes the
 * first normal of Philox subsequence i, and each call advances the offset by
 * 4 (one Philox counter step). Larger tensors would depend on the GPU model.
 */
import { numel, splitSeed, type NoiseGenerator } from './noise-generator.js';

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;
const TWO_POW32_INV = Math.fround(2.3283064e-10);
const TWO_POW32_INV_2PI = Math.fround(2.3283064e-10 * Math.fround(6.2831855));

/** High 32 bits of the 64-bit product of two uint32. */
function mulhi32(a: number, b: number): number {
  const aLo = a & 0xffff;
  const aHi = a >>> 16;
  const bLo = b & 0xffff;
  const bHi = b >>> 16;
  const lolo = aLo * bLo;
  const mid1 = aHi * bLo;
  const mid2 = aLo * bHi;
  const carry = ((lolo >>> 16) + (mid1 & 0xffff) + (mid2 & 0xffff)) >>> 16;
  return (aHi * bHi + (mid1 >>> 16) + (mid2 >>> 16) + carry) >>> 0;
}

/** Philox4x32-10; returns the first two output words. */
function philoxXY(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number): [number, number] {
  for (let round = 0; round < 10; round++) {
    const hi0 = mulhi32(M0, c0);
    const lo0 = Math.imul(M0, c0) >>> 0;
    const hi1 = mulhi32(M1, c2);
    const lo1 = Math.imul(M1, c2) >>> 0;
    c0 = (hi1 ^ c1 ^ k0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ k1) >>> 0;
    c3 = lo0;
    k0 = (k0 + W0) >>> 0;
    k1 = (k1 + W1) >>> 0;
  }
  return [c0, c1];
}

export class TorchCudaGenerator implements NoiseGenerator {
  private readonly key: [number, number];
  /** Philox offset in units of 4 outputs, as torch's philox_cuda_state advances it. */
  private offset = 0;

  constructor(readonly seed: number) {
    this.key = splitSeed(seed);
  }

  reseeded(seed: number): TorchCudaGenerator {
    // torch.manual_seed takes the seed modulo 2^64; past JS's safe integers it wraps at 2^53.
    return new TorchCudaGenerator(seed % 2 ** 53);
  }

  randn(shape: readonly number[]): Float32Array {
    const n = numel(shape);
    const out = new Float32Array(n);
    const [k0, k1] = this.key;
    const ctrLo = this.offset >>> 0;
    const ctrHi = Math.floor(this.offset / 0x1_0000_0000) >>> 0;
    for (let i = 0; i < n; i++) {
      const [x, y] = philoxXY(ctrLo, ctrHi, i, 0, k0, k1);
      const u = Math.fround(Math.fround(x * TWO_POW32_INV) + TWO_POW32_INV / 2);
      const v = Math.fround(Math.fround(y * TWO_POW32_INV_2PI) + TWO_POW32_INV_2PI / 2);
      const s = Math.fround(Math.sqrt(Math.fround(-2 * Math.fround(Math.log(u)))));
      out[i] = s * Math.fround(Math.sin(v));
    }
    this.offset += 1;
    return out;
  }
}
