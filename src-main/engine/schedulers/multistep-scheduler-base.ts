/**
 * Common ground of the multistep solvers (DPM-Solver++, UniPC): integer
 * timesteps with their VE sigmas (final 0 appended), the model input
 * unscaled, x0 from the model output in VP space at each call's sigma.
 */
import type { NoiseGenerator } from '../rng/noise-generator.js';
import type { Scheduler, SchedulerConfig, StepResult } from './scheduler.js';
import { alphaSigma, multistepSchedule } from './schedule.js';
import { addVpNoiseAtSigma, vpX0 } from './tensor-math.js';

export abstract class MultistepSchedulerBase implements Scheduler {
  readonly timesteps: number[];
  readonly sigmas: number[];
  readonly initNoiseSigma = 1;
  readonly order = 1;

  constructor(
    protected readonly config: SchedulerConfig,
    steps: number,
  ) {
    const s = multistepSchedule(config, steps);
    this.timesteps = s.timesteps;
    this.sigmas = s.sigmas;
  }

  /** The model's estimate of the clean latents at call i. */
  protected x0At(modelOutput: Float32Array, sample: Float32Array, i: number): Float32Array {
    const [alphaS, sigmaS] = alphaSigma(this.sigmas[i]!);
    return vpX0(modelOutput, sample, alphaS, sigmaS, this.config.prediction_type === 'v_prediction');
  }

  scaleModelInput(sample: Float32Array): Float32Array {
    return sample;
  }

  addNoise(original: Float32Array, noise: Float32Array, i: number): Float32Array {
    return addVpNoiseAtSigma(original, noise, this.sigmas[i]!);
  }

  abstract step(modelOutput: Float32Array, i: number, sample: Float32Array, generator: NoiseGenerator): StepResult;
}
