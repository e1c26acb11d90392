/**
 * DPM2 (diffusers KDPM2DiscreteScheduler, k-diffusion sample_dpm_2): a first
 * call at sigma, a second at the log-midpoint towards the next sigma.
 */
import type { Scheduler, SchedulerConfig, StepResult } from './scheduler.js';
import { sigmaFamilyInitNoise, sigmaFamilySchedule, sigmaToT } from './schedule.js';
import { addSigmaNoise, combine, scaleForSigma, sigmaSpaceX0 } from './tensor-math.js';

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

export class Kdpm2Scheduler implements Scheduler {
  readonly timesteps: number[];
  readonly sigmas: number[];
  readonly sigmasInterpol: number[];
  readonly initNoiseSigma: number;
  readonly order = 2;
  private readonly v: boolean;
  private firstSample: Float32Array | null = null;

  constructor(config: SchedulerConfig, steps: number) {
    const s = sigmaFamilySchedule(config, steps);
    const sigmas = [...s.sigmas, 0];
    // sigmas.log().lerp(sigmas.roll(1).log(), 0.5).exp()
    const interpol = sigmas.map((v, k) =>
      Math.fround(logMidpoint(v, sigmas[(k - 1 + sigmas.length) % sigmas.length]!)),
    );
    this.sigmas = interleaveWithEnd(sigmas);
    this.sigmasInterpol = interleaveWithEnd(interpol);
    const tInterpol = interpol.map((v) => sigmaToT(v, s.logSigmas));
    const interleaved = tInterpol.slice(1, -1).flatMap((t, k) => [t, s.timesteps[k + 1]!]);
    this.timesteps = [s.timesteps[0]!, ...interleaved];
    this.initNoiseSigma = sigmaFamilyInitNoise(config.timestep_spacing, s.sigmas);
    this.v = config.prediction_type === 'v_prediction';
  }

  scaleModelInput(sample: Float32Array, i: number): Float32Array {
    return scaleForSigma(sample, this.firstSample === null ? this.sigmas[i]! : this.sigmasInterpol[i]!);
  }

  step(modelOutput: Float32Array, i: number, sample: Float32Array): StepResult {
    const first = this.firstSample === null;
    const sigma = first ? this.sigmas[i]! : this.sigmas[i - 1]!;
    const sigmaInterpol = first ? this.sigmasInterpol[i + 1]! : this.sigmasInterpol[i]!;
    const sigmaNext = first ? this.sigmas[i + 1]! : this.sigmas[i]!;
    const x0 = sigmaSpaceX0(modelOutput, sample, first ? sigma : sigmaInterpol, this.v);
    if (first) {
      this.firstSample = sample;
      const dt = sigmaInterpol - sigma;
      return {
        prevSample: combine(new Float32Array(sample.length), (j) => sample[j]! + ((sample[j]! - x0[j]!) / sigma) * dt),
        predOriginal: x0,
      };
    }
    const base = this.firstSample!;
    this.firstSample = null;
    const dt = sigmaNext - sigma;
    const prev = combine(
      new Float32Array(sample.length),
      (j) => base[j]! + ((sample[j]! - x0[j]!) / sigmaInterpol) * dt,
    );
    return { prevSample: prev, predOriginal: x0 };
  }

  addNoise(original: Float32Array, noise: Float32Array, i: number): Float32Array {
    return addSigmaNoise(original, noise, this.sigmas[i]!);
  }
}
