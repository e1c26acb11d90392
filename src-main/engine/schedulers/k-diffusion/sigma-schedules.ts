/**
 * The sigma schedules of A1111 and ComfyUI, each list ending in 0, built from
 * the tool's own discrete table (discrete-sigmas.ts) the way the tool builds
 * them, float32 where the tool computes in float32.
 */
import type { A1111ScheduleKey, ComfyScheduler } from '../../../../src-shared/domain/exact-samplers.js';
import { roundHalfEven } from '../schedule.js';
import type { DiscreteSigmas } from './discrete-sigmas.js';

const f = Math.fround;

/** torch.linspace in float32: the first half counts up from start, the second down from end. */
export function torchLinspace(start: number, end: number, n: number): number[] {
  if (n === 1) return [f(start)];
  const step = f((end - start) / (n - 1));
  const half = Math.floor(n / 2);
  return Array.from({ length: n }, (_, i) => (i < half ? f(start + f(i * step)) : f(end - f((n - 1 - i) * step))));
}

/** k-diffusion get_sigmas_karras (rho 7), zero appended. */
export function karras(n: number, sigmaMin: number, sigmaMax: number): number[] {
  const rho = 7;
  const minInv = sigmaMin ** (1 / rho);
  const maxInv = sigmaMax ** (1 / rho);
  return [...torchLinspace(0, 1, n).map((r) => f((maxInv + r * (minInv - maxInv)) ** rho)), 0];
}

/** k-diffusion get_sigmas_exponential, zero appended. */
export function exponential(n: number, sigmaMin: number, sigmaMax: number): number[] {
  return [...torchLinspace(Math.log(sigmaMax), Math.log(sigmaMin), n).map((v) => f(Math.exp(v))), 0];
}

/** Drops the next-to-last sigma (A1111's DPM2 and ComfyUI's DISCARD_PENULTIMATE samplers, run with n+1). */
export function discardPenultimate(sigmas: number[]): number[] {
  return [...sigmas.slice(0, -2), sigmas[sigmas.length - 1]!];
}

/** A1111: `Automatic` is the sampler's default (Karras for some), else CompVisDenoiser.get_sigmas. */
export function a1111Schedule(schedule: A1111ScheduleKey | 'uniform', n: number, table: DiscreteSigmas): number[] {
  switch (schedule) {
    case 'karras':
      return karras(n, table.sigmaMin, table.sigmaMax);
    case 'exponential':
      return exponential(n, table.sigmaMin, table.sigmaMax);
    default:
      return [...torchLinspace(table.sigmas.length - 1, 0, n).map((t) => table.sigmaAt(t)), 0];
  }
}

/** ComfyUI's calculate_sigmas for one scheduler name. */
export function comfySchedule(scheduler: ComfyScheduler, n: number, table: DiscreteSigmas): number[] {
  const T = table.sigmas.length;
  switch (scheduler) {
    case 'karras':
      return karras(n, table.sigmaMin, table.sigmaMax);
    case 'exponential':
      return exponential(n, table.sigmaMin, table.sigmaMax);
    case 'normal':
    case 'sgm_uniform': {
      const start = table.nearestT(table.sigmaMax);
      const end = table.nearestT(table.sigmaMin);
      const ts =
        scheduler === 'sgm_uniform' ? torchLinspace(start, end, n + 1).slice(0, -1) : torchLinspace(start, end, n);
      return [...ts.map((t) => table.sigmaAt(t)), 0];
    }
    case 'simple': {
      const ss = T / n;
      return [...Array.from({ length: n }, (_, x) => table.sigmas[T - 1 - Math.floor(x * ss)]!), 0];
    }
    case 'ddim_uniform': {
      const ss = Math.max(Math.floor(T / n), 1);
      const out: number[] = [0];
      for (let x = 1; x < T; x += ss) out.push(table.sigmas[x]!);
      return out.reverse();
    }
    case 'beta': {
      const out: number[] = [];
      let last = -1;
      for (let i = 0; i < n; i++) {
        const t = roundHalfEven(betaPpf(1 - i / n, 0.6, 0.6) * (T - 1));
        if (t !== last) out.push(table.sigmas[t]!);
        last = t;
      }
      return [...out, 0];
    }
  }
}

/** ln Gamma by Lanczos (g = 7): plenty for the beta function's normalisation. */
function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = c[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of the regularized incomplete beta function (modified Lentz). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  d = 1 / (Math.abs(d) < tiny ? tiny : d);
  let h = d;
  for (let m = 1; m <= 500; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    c = 1 + aa / c;
    d = 1 / (Math.abs(d) < tiny ? tiny : d);
    c = Math.abs(c) < tiny ? tiny : c;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    c = 1 + aa / c;
    d = 1 / (Math.abs(d) < tiny ? tiny : d);
    c = Math.abs(c) < tiny ? tiny : c;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return h;
}

/** I_x(a, b). */
export function betaCdf(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2)
    ? (front * betaContinuedFraction(x, a, b)) / a
    : 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

/**
 * The beta distribution's quantile (scipy.stats.beta.ppf) by bisection. Boost,
 * under scipy, answers the inflection point (1-a)/(2-a-b) exactly when the
 * probability is the one there; so do we (for a = b that is q = 0.5 -> 0.5).
 */
export function betaPpf(q: number, a: number, b: number): number {
  if (q <= 0) return 0;
  if (q >= 1) return 1;
  if (a === b && q === 0.5) return 0.5;
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (betaCdf(mid, a, b) < q) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
