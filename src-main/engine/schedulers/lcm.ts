/**
 * LCM (diffusers LCMScheduler): consistency-model sampling over a schedule
 * picked from the distillation's original steps; noise re-injected between steps.
 */
import type { NoiseGenerator } from '../rng/noise-generator.js';
import type { Scheduler, SchedulerConfig, StepResult } from './scheduler.js';
import { SchedulerConfigError } from './scheduler.js';
import { alphasCumprod, linspace } from './schedule.js';
import { combine, vpAddNoise, vpX0 } from './tensor-math.js';

export class LcmScheduler implements Scheduler {
  readonly timesteps: number[];
  readonly initNoiseSigma = 1;
  readonly order = 1;
  private readonly ac: Float64Array;
  private readonly finalAlpha: number;

  constructor(
    private readonly config: SchedulerConfig,
    steps: number,
  ) {
    this.ac = alphasCumprod(config);
    this.finalAlpha = config.set_alpha_to_one ? 1 : this.ac[0]!;
    const original = config.original_inference_steps;
    const k = Math.floor(config.num_train_timesteps / original);
    const origin = Array.from({ length: original }, (_, i) => (i + 1) * k - 1).reverse();
    if (steps > origin.length) {
      throw new SchedulerConfigError(
        `LCM supports at most ${origin.length} steps with original_inference_steps ${original}`,
      );
    }
    const indices = linspace(0, origin.length, steps + 1)
      .slice(0, steps)
      .map(Math.floor);
    this.timesteps = indices.map((i) => origin[i]!);
  }

  scaleModelInput(sample: Float32Array): Float32Array {
    return sample;
  }

  step(modelOutput: Float32Array, i: number, sample: Float32Array, generator: NoiseGenerator): StepResult {
    const t = this.timesteps[i]!;
    const last = i === this.timesteps.length - 1;
    const prevT = last ? t : this.timesteps[i + 1]!;
    const aT = this.ac[t]!;
    const aPrev = prevT >= 0 ? this.ac[prevT]! : this.finalAlpha;
    const sigmaData = 0.5;
    const scaled = t * this.config.timestep_scaling;
    const cSkip = sigmaData ** 2 / (scaled ** 2 + sigmaData ** 2);
    const cOut = scaled / Math.sqrt(scaled ** 2 + sigmaData ** 2);
    const sa = Math.sqrt(aT);
    const sb = Math.sqrt(1 - aT);
    const v = this.config.prediction_type === 'v_prediction';
    const x0 = vpX0(modelOutput, sample, sa, sb, v);
    const denoised = combine(new Float32Array(sample.length), (j) => cOut * x0[j]! + cSkip * sample[j]!);
    if (last) return { prevSample: denoised, predOriginal: denoised };
    const noise = generator.randn([sample.length]);
    const a = Math.sqrt(aPrev);
    const b = Math.sqrt(1 - aPrev);
    return {
      prevSample: combine(new Float32Array(sample.length), (j) => a * denoised[j]! + b * noise[j]!),
      predOriginal: denoised,
    };
  }

  addNoise(original: Float32Array, noise: Float32Array, i: number): Float32Array {
    return vpAddNoise(this.ac, original, noise, this.timesteps[i]!);
  }
}
