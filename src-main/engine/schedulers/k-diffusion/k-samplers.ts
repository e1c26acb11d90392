/**
 * k-diffusion's fixed-schedule samplers (crowsonkb/k-diffusion sampling.py,
 * the commit A1111 pins) and ComfyUI's copies of them, which differ in small
 * ways recorded here as options:
 * - `churnDraws`: k-diffusion's euler, heun and dpm_2 draw s_churn noise every
 *   step even at s_churn 0 (A1111's stream moves on); ComfyUI's draw only when used.
 * - `comfyLastStep`: ComfyUI's lms returns `denoised` and its euler_ancestral
 *   sets x = denoised when the step reaches sigma 0.
 */
import { lmsCoefficient } from '../schedule.js';
import { type NoiseSource, type Program, type ProgramFn, ancestralStep, lin, toD } from './program.js';

export interface KVariant {
  churnDraws: boolean;
  comfyLastStep: boolean;
}

function* euler(x: Float32Array, s: readonly number[], noise: NoiseSource, v: KVariant): Program {
  for (let i = 0; i < s.length - 1; i++) {
    if (v.churnDraws) noise.skip();
    const den = yield { x, sigma: s[i]! };
    x = lin(1, x, s[i + 1]! - s[i]!, toD(x, den, s[i]!));
  }
  return x;
}

function* eulerAncestral(x: Float32Array, s: readonly number[], noise: NoiseSource, v: KVariant): Program {
  for (let i = 0; i < s.length - 1; i++) {
    const den = yield { x, sigma: s[i]! };
    const { down, up } = ancestralStep(s[i]!, s[i + 1]!);
    if (v.comfyLastStep && down === 0) {
      x = den;
      continue;
    }
    x = lin(1, x, down - s[i]!, toD(x, den, s[i]!));
    if (s[i + 1]! > 0) x = lin(1, x, up, noise.next());
  }
  return x;
}

function* heun(x: Float32Array, s: readonly number[], noise: NoiseSource, v: KVariant): Program {
  for (let i = 0; i < s.length - 1; i++) {
    if (v.churnDraws) noise.skip();
    const den = yield { x, sigma: s[i]! };
    const d = toD(x, den, s[i]!);
    const dt = s[i + 1]! - s[i]!;
    if (s[i + 1] === 0) {
      x = lin(1, x, dt, d);
    } else {
      const x2 = lin(1, x, dt, d);
      const den2 = yield { x: x2, sigma: s[i + 1]! };
      const d2 = toD(x2, den2, s[i + 1]!);
      x = lin(1, x, dt / 2, d, dt / 2, d2);
    }
  }
  return x;
}

/** exp(lerp(log a, log b, 0.5)), torch's lerp formula for weight >= 0.5. */
function logMid(a: number, b: number): number {
  const la = Math.log(a);
  const lb = Math.log(b);
  return Math.exp(lb - (lb - la) * 0.5);
}

function* dpm2(x: Float32Array, s: readonly number[], noise: NoiseSource, v: KVariant): Program {
  for (let i = 0; i < s.length - 1; i++) {
    if (v.churnDraws) noise.skip();
    const den = yield { x, sigma: s[i]! };
    const d = toD(x, den, s[i]!);
    if (s[i + 1] === 0) {
      x = lin(1, x, -s[i]!, d);
    } else {
      const mid = logMid(s[i]!, s[i + 1]!);
      const x2 = lin(1, x, mid - s[i]!, d);
      const den2 = yield { x: x2, sigma: mid };
      x = lin(1, x, s[i + 1]! - s[i]!, toD(x2, den2, mid));
    }
  }
  return x;
}

function* dpm2Ancestral(x: Float32Array, s: readonly number[], noise: NoiseSource): Program {
  for (let i = 0; i < s.length - 1; i++) {
    const den = yield { x, sigma: s[i]! };
    const { down, up } = ancestralStep(s[i]!, s[i + 1]!);
    const d = toD(x, den, s[i]!);
    if (down === 0) {
      x = lin(1, x, -s[i]!, d);
    } else {
      const mid = logMid(s[i]!, down);
      const x2 = lin(1, x, mid - s[i]!, d);
      const den2 = yield { x: x2, sigma: mid };
      x = lin(1, x, down - s[i]!, toD(x2, den2, mid));
      x = lin(1, x, up, noise.next());
    }
  }
  return x;
}

function* lms(x: Float32Array, s: readonly number[], _noise: NoiseSource, v: KVariant): Program {
  const order = 4;
  const ds: Float32Array[] = [];
  for (let i = 0; i < s.length - 1; i++) {
    const den = yield { x, sigma: s[i]! };
    ds.push(toD(x, den, s[i]!));
    if (ds.length > order) ds.shift();
    if (v.comfyLastStep && s[i + 1] === 0) {
      x = den;
      continue;
    }
    const cur = Math.min(i + 1, order);
    const next = Float32Array.from(x);
    for (let j = 0; j < cur; j++) {
      const c = lmsCoefficient(cur, s, i, j);
      const d = ds[ds.length - 1 - j]!;
      for (let k = 0; k < next.length; k++) next[k] = next[k]! + c * d[k]!;
    }
    x = next;
  }
  return x;
}

function* dpmpp2m(x: Float32Array, s: readonly number[]): Program {
  let old: Float32Array | null = null;
  for (let i = 0; i < s.length - 1; i++) {
    const den = yield { x, sigma: s[i]! };
    const t = -Math.log(s[i]!);
    const tNext = -Math.log(s[i + 1]!);
    const h = tNext - t;
    const ratio = s[i + 1]! / s[i]!;
    const k = -Math.expm1(-h);
    if (old === null || s[i + 1] === 0) {
      x = lin(ratio, x, k, den);
    } else {
      const r = (t + Math.log(s[i - 1]!)) / h;
      x = lin(ratio, x, k * (1 + 1 / (2 * r)), den, -k / (2 * r), old);
    }
    old = den;
  }
  return x;
}

function* dpmpp2sAncestral(x: Float32Array, s: readonly number[], noise: NoiseSource): Program {
  for (let i = 0; i < s.length - 1; i++) {
    const den = yield { x, sigma: s[i]! };
    const { down, up } = ancestralStep(s[i]!, s[i + 1]!);
    if (down === 0) {
      x = lin(1, x, -s[i]!, toD(x, den, s[i]!));
    } else {
      const t = -Math.log(s[i]!);
      const tNext = -Math.log(down);
      const h = tNext - t;
      const sMid = t + h / 2;
      const x2 = lin(Math.exp(-sMid) / Math.exp(-t), x, -Math.expm1(-h / 2), den);
      const den2 = yield { x: x2, sigma: Math.exp(-sMid) };
      x = lin(Math.exp(-tNext) / Math.exp(-t), x, -Math.expm1(-h), den2);
    }
    if (s[i + 1]! > 0) x = lin(1, x, up, noise.next());
  }
  return x;
}

export type KSamplerKey = 'euler' | 'euler_a' | 'heun' | 'dpm2' | 'dpm2_a' | 'lms' | 'dpmpp_2m' | 'dpmpp_2s_a';

export function kSampler(key: KSamplerKey, v: KVariant): ProgramFn {
  switch (key) {
    case 'euler':
      return (x, s, n) => euler(x, s, n, v);
    case 'euler_a':
      return (x, s, n) => eulerAncestral(x, s, n, v);
    case 'heun':
      return (x, s, n) => heun(x, s, n, v);
    case 'dpm2':
      return (x, s, n) => dpm2(x, s, n, v);
    case 'dpm2_a':
      return (x, s, n) => dpm2Ancestral(x, s, n);
    case 'lms':
      return (x, s, n) => lms(x, s, n, v);
    case 'dpmpp_2m':
      return (x, s) => dpmpp2m(x, s);
    case 'dpmpp_2s_a':
      return (x, s, n) => dpmpp2sAncestral(x, s, n);
  }
}
