/**
 * Common ground of the k-diffusion style samplers (Euler, Euler a, LMS, Heun,
 * DPM2, DPM2 a): latents in sigma space, x = x0 + sigma * eps.
 */
import type { NoiseGenerator } from '../rng/noise-generator.js';
import type { Scheduler, SchedulerConfig, StepResult } from './scheduler.js';
import { sigmaFamilyInitNoise, sigmaFamilySchedule } from './schedule.js';
import { addSigmaNoise, scaleForSigma } from './tensor-math.js';

export abstract class SigmaSchedulerBase implements Scheduler {
  readonly timesteps: number[];
  /** Sigma at each model call, with the final 0 appended. */
  readonly sigmas: number[];
  readonly initNoiseSigma: number;
  readonly order: number = 1;
  protected readonly logSigmas: Float64Array;
  protected readonly v: boolean;

  constructor(
    protected readonly config: SchedulerConfig,
    steps: number,
  ) {
    const schedule = sigmaFamilySchedule(config, steps);
    this.timesteps = schedule.timesteps;
    this.sigmas = [...schedule.sigmas, 0];
    this.logSigmas = schedule.logSigmas;
    this.initNoiseSigma = sigmaFamilyInitNoise(config.timestep_spacing, schedule.sigmas);
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
