/**
 * LCM (diffusers LCMScheduler): consistency-model sampling over a schedule
 * picked from the distillation's original steps; noise re-injected between steps.
 */
import type { NoiseGenerator } from '../rng/noise-generator.js';
import { type SchedulerConfig, SchedulerConfigError, type StepResult } from './scheduler.js';
import { linspace } from './schedule.js';
import { combine, vpX0 } from './tensor-math.js';
import { VpSchedulerBase } from './vp-scheduler-base.js';

export class LcmScheduler extends VpSchedulerBase {
  readonly timesteps: number[];

  constructor(config: SchedulerConfig, steps: number) {
    super(config);
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

  step(modelOutput: Float32Array, i: number, sample: Float32Array, generator: NoiseGenerator): StepResult {
    const t = this.timesteps[i]!;
    const last = i === this.timesteps.length - 1;
    const prevT = last ? t : this.timesteps[i + 1]!;
    const aT = this.ac[t]!;
    const aPrev = this.alphaAt(prevT);
    const sigmaData = 0.5;
    const scaled = t * this.config.timestep_scaling;
    const cSkip = sigmaData ** 2 / (scaled ** 2 + sigmaData ** 2);
    const cOut = scaled / Math.sqrt(scaled ** 2 + sigmaData ** 2);
    const sa = Math.sqrt(aT);
    const sb = Math.sqrt(1 - aT);
    const x0 = vpX0(modelOutput, sample, sa, sb, this.v);
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
}
