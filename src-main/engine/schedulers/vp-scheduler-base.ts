/**
 * Common ground of the samplers that work on the training timesteps in VP
 * space (DDIM, PLMS, LCM): x_t = sqrt(ac_t) x0 + sqrt(1 - ac_t) eps, the model
 * input unscaled, one model call per step.
 */
import type { NoiseGenerator } from '../rng/noise-generator.js';
import type { Scheduler, SchedulerConfig, StepResult } from './scheduler.js';
import { alphasCumprod } from './schedule.js';
import { vpAddNoise } from './tensor-math.js';

export abstract class VpSchedulerBase implements Scheduler {
  abstract readonly timesteps: readonly number[];
  readonly initNoiseSigma = 1;
  readonly order = 1;
  protected readonly ac: Float64Array;
  /** Alpha of the step past the last timestep. */
  private readonly finalAlpha: number;
  protected readonly v: boolean;

  constructor(protected readonly config: SchedulerConfig) {
    this.ac = alphasCumprod(config);
    this.finalAlpha = config.set_alpha_to_one ? 1 : this.ac[0]!;
    this.v = config.prediction_type === 'v_prediction';
  }

  /** Cumulative alpha at timestep t; before the start of the table, the final alpha. */
  protected alphaAt(t: number): number {
    return t >= 0 ? this.ac[t]! : this.finalAlpha;
  }

  scaleModelInput(sample: Float32Array): Float32Array {
    return sample;
  }

  addNoise(original: Float32Array, noise: Float32Array, i: number): Float32Array {
    return vpAddNoise(this.ac, original, noise, this.timesteps[i]!);
  }

  abstract step(modelOutput: Float32Array, i: number, sample: Float32Array, generator: NoiseGenerator): StepResult;
}
