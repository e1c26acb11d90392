/**
 * The noise schedule shared by every sampler: betas, cumulative alphas, the
 * sigma table, timestep spacings, Karras sigmas and sigma -> timestep, with
 * float32 rounding where diffusers computes in float32.
 */
import { SchedulerConfigError, type SchedulerConfig, type TimestepSpacing } from './scheduler.js';

const f = Math.fround;

export function alphasCumprod(config: SchedulerConfig): Float64Array {
  const T = config.num_train_timesteps;
  const betas = new Float64Array(T);
  if (config.beta_schedule === 'scaled_linear') {
    const a = Math.sqrt(config.beta_start);
    const b = Math.sqrt(config.beta_end);
    for (let i = 0; i < T; i++) {
      const v = f(a + ((b - a) * i) / (T - 1));
      betas[i] = f(v * v);
    }
  } else if (config.beta_schedule === 'linear') {
    for (let i = 0; i < T; i++) betas[i] = f(config.beta_start + ((config.beta_end - config.beta_start) * i) / (T - 1));
  } else {
    throw new SchedulerConfigError(
      `beta_schedule ${JSON.stringify(config.beta_schedule)} is not supported (use scaled_linear or linear)`,
    );
  }
  const ac = new Float64Array(T);
  let prod = 1;
  for (let i = 0; i < T; i++) {
    prod = f(prod * f(1 - betas[i]!));
    ac[i] = prod;
  }
  return ac;
}

/** sigma_t = sqrt((1 - ac) / ac), ascending in t. */
export function trainingSigmas(ac: Float64Array): Float64Array {
  return ac.map((a) => f(Math.sqrt(f(f(1 - a) / a))));
}

export function linspace(start: number, stop: number, n: number): number[] {
  if (n === 1) return [start];
  return Array.from({ length: n }, (_, i) => start + ((stop - start) * i) / (n - 1));
}

/** numpy's round-half-to-even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** np.arange(T, 0, -T/steps).round() - 1: numpy computes start + i * step, never by accumulation. */
export function trailingTimesteps(steps: number, T: number): number[] {
  const ratio = T / steps;
  const length = Math.ceil(T / ratio);
  return Array.from({ length }, (_, i) => roundHalfEven(T - i * ratio) - 1);
}

/**
 * Timesteps for a spacing, descending. `linspace` differs by family: the
 * Euler/LMS/Heun/KDPM2 schedulers keep float32 fractions (946.42...), DDIM and
 * PNDM round to integers.
 */
export function spacedTimesteps(
  spacing: TimestepSpacing,
  steps: number,
  T: number,
  offset: number,
  integer: boolean,
): number[] {
  switch (spacing) {
    case 'linspace':
      return linspace(0, T - 1, steps)
        .map(integer ? roundHalfEven : f)
        .reverse();
    case 'leading': {
      const ratio = Math.floor(T / steps);
      return Array.from({ length: steps }, (_, i) => i * ratio + offset).reverse();
    }
    case 'trailing':
      return trailingTimesteps(steps, T);
  }
}

/** np.interp(x, arange(len(table)), table). */
export function interpTable(x: number, table: ArrayLike<number>): number {
  if (x <= 0) return table[0]!;
  const last = table.length - 1;
  if (x >= last) return table[last]!;
  const lo = Math.floor(x);
  const w = x - lo;
  return table[lo]! + (table[lo + 1]! - table[lo]!) * w;
}

/** Karras et al. (2022) sigmas between sigmaMax and sigmaMin, rho = 7 (k-diffusion get_sigmas_karras). */
export function karrasSigmas(sigmaMin: number, sigmaMax: number, steps: number): number[] {
  const rho = 7;
  const minInv = sigmaMin ** (1 / rho);
  const maxInv = sigmaMax ** (1 / rho);
  return linspace(0, 1, steps).map((r) => (maxInv + r * (minInv - maxInv)) ** rho);
}

/** Fractional timestep of a sigma, interpolating in log-sigma (diffusers _sigma_to_t). */
export function sigmaToT(sigma: number, logSigmas: ArrayLike<number>): number {
  const ls = Math.log(Math.max(sigma, 1e-10));
  let low = 0;
  for (let i = 0; i < logSigmas.length; i++) if (ls - logSigmas[i]! >= 0) low = i;
  low = Math.min(low, logSigmas.length - 2);
  const high = low + 1;
  const lo = logSigmas[low]!;
  const hi = logSigmas[high]!;
  let w = (lo - ls) / (lo - hi);
  w = Math.min(Math.max(w, 0), 1);
  return (1 - w) * low + w * high;
}

/** The sigma schedule of the Euler family for `steps`, without the final 0. */
export function sigmaFamilySchedule(
  config: SchedulerConfig,
  steps: number,
): { timesteps: number[]; sigmas: number[]; logSigmas: Float64Array } {
  const ac = alphasCumprod(config);
  const table = trainingSigmas(ac);
  const logSigmas = table.map(Math.log);
  let timesteps = spacedTimesteps(
    config.timestep_spacing,
    steps,
    config.num_train_timesteps,
    config.steps_offset,
    false,
  );
  let sigmas = timesteps.map((t) => interpTable(t, table));
  if (config.use_karras_sigmas) {
    sigmas = karrasSigmas(sigmas[sigmas.length - 1]!, sigmas[0]!, steps);
    timesteps = sigmas.map((s) => sigmaToT(s, logSigmas));
  }
  return { timesteps, sigmas: sigmas.map(f), logSigmas };
}

/** init_noise_sigma of the sigma-space samplers. */
export function sigmaFamilyInitNoise(spacing: TimestepSpacing, sigmas: readonly number[]): number {
  const max = Math.max(...sigmas);
  return spacing === 'linspace' || spacing === 'trailing' ? max : Math.sqrt(max * max + 1);
}

/** VP-space alpha and sigma of a VE sigma (diffusers _sigma_to_alpha_sigma_t). */
export function alphaSigma(sigma: number): [alpha: number, sigmaT: number] {
  const alpha = 1 / Math.sqrt(sigma * sigma + 1);
  return [alpha, sigma * alpha];
}

/** Integer timesteps and sigmas (final 0 appended) of the multistep solvers (DPM-Solver, UniPC). */
export function multistepSchedule(config: SchedulerConfig, steps: number): { timesteps: number[]; sigmas: number[] } {
  const T = config.num_train_timesteps;
  const table = trainingSigmas(alphasCumprod(config));
  const logSigmas = table.map(Math.log);
  let timesteps: number[];
  switch (config.timestep_spacing) {
    case 'linspace':
      timesteps = linspace(0, T - 1, steps + 1)
        .map(roundHalfEven)
        .reverse()
        .slice(0, -1);
      break;
    case 'leading': {
      const ratio = Math.floor(T / (steps + 1));
      timesteps = Array.from({ length: steps + 1 }, (_, i) => i * ratio)
        .reverse()
        .slice(0, -1)
        .map((t) => t + config.steps_offset);
      break;
    }
    case 'trailing':
      timesteps = trailingTimesteps(steps, T);
      break;
  }
  let sigmas: number[];
  if (config.use_karras_sigmas) {
    sigmas = karrasSigmas(table[0]!, table[table.length - 1]!, steps);
    timesteps = sigmas.map((s) => roundHalfEven(sigmaToT(s, logSigmas)));
  } else {
    sigmas = timesteps.map((t) => interpTable(t, table));
  }
  return { timesteps, sigmas: [...sigmas, 0].map(Math.fround) };
}

/** log(alpha_t / sigma_t) of a VE sigma: the multistep solvers' time variable. */
export function lambdaOf(sigma: number): number {
  const [alpha, sigmaT] = alphaSigma(sigma);
  return Math.log(alpha) - Math.log(sigmaT);
}

/** k-diffusion get_ancestral_step: the noise added (up) and the deterministic step's target (down). */
export function ancestralSigmas(from: number, to: number): { up: number; down: number } {
  const up = Math.sqrt((to * to * (from * from - to * to)) / (from * from));
  return { up, down: Math.sqrt(to * to - up * up) };
}

/** [a0, a1, a1, a2, a2, ...]: torch.cat([a[:1], a[1:].repeat_interleave(2)]). */
export function interleaveTail(a: readonly number[]): number[] {
  return [a[0]!, ...a.slice(1).flatMap((v) => [v, v])];
}

/** torch.cat([a[:1], a[1:].repeat_interleave(2), a[-1:]]). */
export function interleaveWithEnd(a: readonly number[]): number[] {
  return [a[0]!, ...a.slice(1).flatMap((v) => [v, v]), a[a.length - 1]!];
}

/** exp(lerp(log a, log b, 0.5)), with log 0 = -inf giving 0. */
export function logMidpoint(a: number, b: number): number {
  const la = Math.log(a);
  const lb = Math.log(b);
  const mid = la + 0.5 * (lb - la);
  return Number.isNaN(mid) ? 0 : Math.exp(mid);
}

/**
 * The UniPC linear systems: R (rows rks^(i-1)) and b, with h*phi_1(hh) and
 * B(h) for the variant (bh1: B(h) = hh, bh2: B(h) = expm1(hh)).
 */
export function uniPcSystem(
  rks: number[],
  hh: number,
  order: number,
  variant: 'bh1' | 'bh2',
): { R: number[][]; b: number[]; hPhi1: number; Bh: number } {
  const hPhi1 = Math.expm1(hh);
  let hPhiK = hPhi1 / hh - 1;
  let factorial = 1;
  const Bh = variant === 'bh1' ? hh : Math.expm1(hh);
  const R: number[][] = [];
  const b: number[] = [];
  for (let i = 1; i <= order; i++) {
    R.push(rks.map((r) => r ** (i - 1)));
    b.push((hPhiK * factorial) / Bh);
    factorial *= i + 1;
    hPhiK = hPhiK / hh - 1 / factorial;
  }
  return { R, b, hPhi1, Bh };
}

/**
 * A linear multistep coefficient: the integral over [s_i, s_i+1] of the
 * Lagrange basis polynomial j (degree order - 1 <= 3), exact with 2-point
 * Gauss-Legendre where k-diffusion and diffusers call scipy's quad.
 */
export function lmsCoefficient(order: number, s: readonly number[], i: number, j: number): number {
  const basis = (tau: number) => {
    let prod = 1;
    for (let k = 0; k < order; k++) {
      if (k === j) continue;
      prod *= (tau - s[i - k]!) / (s[i - j]! - s[i - k]!);
    }
    return prod;
  };
  const mid = (s[i]! + s[i + 1]!) / 2;
  const half = (s[i + 1]! - s[i]!) / 2;
  const node = half / Math.sqrt(3);
  return half * (basis(mid - node) + basis(mid + node));
}
