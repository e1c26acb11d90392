/**
 * Common ground of the k-diffusion style samplers (Euler, Euler a, LMS, Heun,
 * DPM2, DPM2 a): latents in sigma space, x = x0 + sigma * eps. One-call
 * samplers use the schedule as it is; two-call samplers (Heun, DPM2) lay it
 * out with each sigma and timestep repeated, through `layout`.
 */
import type { NoiseGenerator } from '../rng/noise-generator.js';
import type { Scheduler, SchedulerConfig, StepResult } from './scheduler.js';
import { sigmaFamilyInitNoise, sigmaFamilySchedule } from './schedule.js';
import { addSigmaNoise, scaleForSigma } from './tensor-math.js';

export type SigmaSchedule = ReturnType<typeof sigmaFamilySchedule>;

/** The timesteps handed to the model and the sigma of each call (final 0 included). */
export interface SigmaLayout {
  timesteps: number[];
  sigmas: number[];
}

const oneCallPerStep = (s: SigmaSchedule): SigmaLayout => ({ timesteps: s.timesteps, sigmas: [...s.sigmas, 0] });

export abstract class SigmaSchedulerBase implements Scheduler {
  readonly timesteps: number[];
  /** Sigma at each model call, with the final 0 appended. */
  readonly sigmas: number[];
  readonly initNoiseSigma: number;
  readonly order: number = 1;
  /** The schedule before any layout: one sigma per step. */
  protected readonly schedule: SigmaSchedule;
  protected readonly v: boolean;

  constructor(
    protected readonly config: SchedulerConfig,
    steps: number,
    layout: (s: SigmaSchedule) => SigmaLayout = oneCallPerStep,
  ) {
    this.schedule = sigmaFamilySchedule(config, steps);
    const { timesteps, sigmas } = layout(this.schedule);
    this.timesteps = timesteps;
    this.sigmas = sigmas;
    this.initNoiseSigma = sigmaFamilyInitNoise(config.timestep_spacing, this.schedule.sigmas);
    this.v = config.prediction_type === 'v_prediction';
  }

  /** Sigma the model input is scaled for at call i. */
  protected inputSigma(i: number): number {
    return this.sigmas[i]!;
  }

  scaleModelInput(sample: Float32Array, i: number): Float32Array {
    return scaleForSigma(sample, this.inputSigma(i));
  }

  addNoise(original: Float32Array, noise: Float32Array, i: number): Float32Array {
    return addSigmaNoise(original, noise, this.sigmas[i]!);
  }

  abstract step(modelOutput: Float32Array, i: number, sample: Float32Array, generator: NoiseGenerator): StepResult;
}
