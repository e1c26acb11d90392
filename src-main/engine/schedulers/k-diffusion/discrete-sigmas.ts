/**
 * The discrete noise table of an SD-style model as each tool builds it, with
 * the sigma <-> timestep maps the tools use. The two tables differ in the last
 * digits (A1111's ldm code rounds alphas_cumprod to float32 before the square
 * root; ComfyUI keeps float64 until the sigmas), and that is enough to matter
 * at 1e-4, so each tool gets its own.
 */
import type { SchedulerConfig } from '../scheduler.js';
import { SchedulerConfigError } from '../scheduler.js';

const f = Math.fround;

/** float64 cumulative alphas of the config's betas (both tools start from these). */
function alphasCumprod64(config: SchedulerConfig): Float64Array {
  const T = config.num_train_timesteps;
  const ac = new Float64Array(T);
  let prod = 1;
  for (let i = 0; i < T; i++) {
    let beta: number;
    if (config.beta_schedule === 'scaled_linear') {
      const a = Math.sqrt(config.beta_start);
      const b = Math.sqrt(config.beta_end);
      const v = a + ((b - a) * i) / (T - 1);
      beta = v * v;
    } else if (config.beta_schedule === 'linear') {
      beta = config.beta_start + ((config.beta_end - config.beta_start) * i) / (T - 1);
    } else {
      throw new SchedulerConfigError(`beta_schedule ${JSON.stringify(config.beta_schedule)} is not supported`);
    }
    prod *= 1 - beta;
    ac[i] = prod;
  }
  return ac;
}

export class DiscreteSigmas {
  /** Ascending: index = timestep. */
  readonly logSigmas: Float64Array;
  constructor(
    readonly sigmas: Float64Array,
    logSigmas: Float64Array,
    /** The float32 alphas_cumprod the tool keeps (A1111's DDIM reads it). */
    readonly alphasCumprod: Float64Array,
  ) {
    this.logSigmas = logSigmas;
  }

  get sigmaMin(): number {
    return this.sigmas[0]!;
  }

  get sigmaMax(): number {
    return this.sigmas[this.sigmas.length - 1]!;
  }

  /** k-diffusion's DiscreteSchedule.sigma_to_t (quantize off): fractional t by log-sigma interpolation. */
  fractionalT(sigma: number): number {
    const ls = Math.log(sigma);
    const n = this.logSigmas.length;
    let low = 0;
    for (let i = 0; i < n; i++) if (ls - this.logSigmas[i]! >= 0) low = i;
    low = Math.min(low, n - 2);
    const lo = this.logSigmas[low]!;
    const hi = this.logSigmas[low + 1]!;
    const w = Math.min(Math.max((lo - ls) / (lo - hi), 0), 1);
    return (1 - w) * low + w * (low + 1);
  }

  /** ComfyUI's ModelSamplingDiscrete.timestep: the nearest table entry in log sigma. */
  nearestT(sigma: number): number {
    const ls = Math.log(sigma);
    let best = 0;
    let bestDist = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.logSigmas.length; i++) {
      const d = Math.abs(ls - this.logSigmas[i]!);
      if (d < bestDist) {
        bestDist = d;
        best = i;
      }
    }
    return best;
  }

  /** t -> sigma by linear interpolation in log sigma (both tools' t_to_sigma), float32 as torch computes it. */
  sigmaAt(t: number): number {
    const tc = Math.min(Math.max(t, 0), this.sigmas.length - 1);
    const lo = Math.floor(tc);
    const hi = Math.ceil(tc);
    const w = f(tc - lo);
    return f(Math.exp(f((1 - w) * this.logSigmas[lo]! + w * this.logSigmas[hi]!)));
  }
}

/** A1111 (ldm): alphas_cumprod cast to float32, sigmas and their logs computed in float32. */
export function a1111Sigmas(config: SchedulerConfig): DiscreteSigmas {
  const ac = alphasCumprod64(config).map(f);
  const sigmas = ac.map((a) => f(Math.sqrt(f(f(1 - a) / a))));
  return new DiscreteSigmas(
    sigmas,
    sigmas.map((s) => f(Math.log(s))),
    ac,
  );
}

/** ComfyUI: float64 until the sigmas, which are then stored (and logged) as float32. */
export function comfySigmas(config: SchedulerConfig): DiscreteSigmas {
  const ac = alphasCumprod64(config);
  const s64 = ac.map((a) => Math.sqrt((1 - a) / a));
  return new DiscreteSigmas(
    s64.map(f),
    s64.map((s) => f(Math.log(s))),
    ac.map(f),
  );
}
