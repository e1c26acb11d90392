/**
 * torch.Generator('cpu'): MT19937 plus torch's normal fill (ATen's
 * MT19937RNGEngine.h, DistributionTemplates.h). What ComfyUI and diffusers
 * with a CPU generator use for the initial noise.
 *
 * - n >= 16: all n float uniforms are drawn first, then Box-Muller runs on
 *   blocks of 16 pairing lanes j and j+8; a ragged tail redraws 16 fresh
 *   uniforms into the last 16 slots.
 * - n < 16: per element, double-precision Box-Muller with one cached value.
 */
import { numel, splitSeed, type NoiseGenerator } from './noise-generator.js';

const N = 624;
const M = 397;
const TWO_PI_F32 = Math.fround(2 * Math.PI);

export class TorchCpuGenerator implements NoiseGenerator {
  private readonly state = new Uint32Array(N);
  private left = 1;
  private next = 0;
  private cachedNormal: number | null = null;

  constructor(readonly seed: number) {
    // Only the low 32 bits seed the engine, as in torch.
    const [lo] = splitSeed(seed);
    const s = this.state;
    s[0] = lo;
    for (let j = 1; j < N; j++) {
      const prev = s[j - 1]! ^ (s[j - 1]! >>> 30);
      s[j] = (Math.imul(1812433253, prev) + j) >>> 0;
    }
  }

  private twist(u: number, v: number): number {
    return (((u & 0x80000000) | (v & 0x7fffffff)) >>> 1) ^ (v & 1 ? 0x9908b0df : 0);
  }

  private nextState(): void {
    const s = this.state;
    this.left = N;
    this.next = 0;
    let p = 0;
    for (let j = N - M + 1; --j; p++) s[p] = (s[p + M]! ^ this.twist(s[p]!, s[p + 1]!)) >>> 0;
    for (let j = M; --j; p++) s[p] = (s[p + M - N]! ^ this.twist(s[p]!, s[p + 1]!)) >>> 0;
    s[p] = (s[p + M - N]! ^ this.twist(s[p]!, s[0]!)) >>> 0;
  }

  /** One tempered 32-bit draw. */
  random(): number {
    if (--this.left === 0) this.nextState();
    let y = this.state[this.next++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  private uniformFloat(): number {
    return (this.random() & 0xffffff) * 2 ** -24;
  }

  private uniformDouble(): number {
    const hi = this.random();
    const lo = this.random();
    return ((hi & 0x1fffff) * 0x1_0000_0000 + lo) * 2 ** -53;
  }

  private normalDouble(): number {
    if (this.cachedNormal !== null) {
      const v = this.cachedNormal;
      this.cachedNormal = null;
      return v;
    }
    const u1 = this.uniformDouble();
    const u2 = this.uniformDouble();
    const r = Math.sqrt(-2 * Math.log1p(-u2));
    const theta = 2 * Math.PI * u1;
    this.cachedNormal = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  reseeded(seed: number): TorchCpuGenerator {
    // torch.manual_seed takes the seed modulo 2^64; past JS's safe integers it wraps at 2^53.
    return new TorchCpuGenerator(seed % 2 ** 53);
  }

  randn(shape: readonly number[]): Float32Array {
    const n = numel(shape);
    const out = new Float32Array(n);
    if (n < 16) {
      for (let i = 0; i < n; i++) out[i] = this.normalDouble();
      return out;
    }
    for (let i = 0; i < n; i++) out[i] = this.uniformFloat();
    for (let o = 0; o + 16 <= n; o += 16) boxMuller16(out, o);
    if (n % 16 !== 0) {
      const o = n - 16;
      for (let i = 0; i < 16; i++) out[o + i] = this.uniformFloat();
      boxMuller16(out, o);
    }
    return out;
  }
}

function boxMuller16(d: Float32Array, o: number): void {
  for (let j = 0; j < 8; j++) {
    const u1 = Math.fround(1 - d[o + j]!);
    const u2 = d[o + j + 8]!;
    const r = Math.fround(Math.sqrt(Math.fround(-2 * Math.fround(Math.log(u1)))));
    const theta = Math.fround(TWO_PI_F32 * u2);
    d[o + j] = r * Math.fround(Math.cos(theta));
    d[o + j + 8] = r * Math.fround(Math.sin(theta));
  }
}
