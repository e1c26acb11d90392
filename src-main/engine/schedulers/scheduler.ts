/**
 * One surface for every sampler, after diffusers' schedulers:
 * `timesteps` (one per model call), `initNoiseSigma`, `order`,
 * `scaleModelInput`, `step` and `addNoise`. The denoise loop never branches
 * on the sampler. `i` is always the index into `timesteps` of the current
 * model call (diffusers' step_index).
 */
import type { NoiseGenerator } from '../rng/noise-generator.js';

export type PredictionType = 'epsilon' | 'v_prediction';
export type TimestepSpacing = 'leading' | 'trailing' | 'linspace';

/** Scheduler settings with diffusers' key names (scheduler_config.json). */
export interface SchedulerConfig {
  num_train_timesteps: number;
  beta_start: number;
  beta_end: number;
  beta_schedule: 'scaled_linear' | 'linear';
  prediction_type: PredictionType;
  timestep_spacing: TimestepSpacing;
  steps_offset: number;
  set_alpha_to_one: boolean;
  clip_sample: boolean;
  use_karras_sigmas: boolean;
  algorithm_type: 'dpmsolver++' | 'sde-dpmsolver++';
  original_inference_steps: number;
  timestep_scaling: number;
}

export interface StepResult {
  prevSample: Float32Array;
  /** The model's current estimate of the clean latents (for previews), when the sampler has one. */
  predOriginal: Float32Array | null;
}

export interface Scheduler {
  /** Timestep value handed to the model at each call (may be fractional). */
  readonly timesteps: readonly number[];
  readonly initNoiseSigma: number;
  /** Model calls per step: img2img starts at `t_start * order`. */
  readonly order: number;
  scaleModelInput(sample: Float32Array, i: number): Float32Array;
  step(modelOutput: Float32Array, i: number, sample: Float32Array, generator: NoiseGenerator): StepResult;
  /** Noises clean latents to the level of call `i` (img2img start, inpainting blend). */
  addNoise(original: Float32Array, noise: Float32Array, i: number): Float32Array;
}

export class SchedulerConfigError extends Error {
  override readonly name = 'SchedulerConfigError';
}
