/**
 * Euler a (diffusers EulerAncestralDiscreteScheduler). Draws fresh noise from
 * the generator at every step, the last included, as diffusers does.
 */
import type { NoiseGenerator } from '../rng/noise-generator.js';
import { ancestralSigmas } from './schedule.js';
import { SigmaSchedulerBase } from './sigma-scheduler-base.js';
import type { StepResult } from './scheduler.js';
import { combine, sigmaSpaceX0 } from './tensor-math.js';

export class EulerAncestralScheduler extends SigmaSchedulerBase {
  step(modelOutput: Float32Array, i: number, sample: Float32Array, generator: NoiseGenerator): StepResult {
    const sigma = this.sigmas[i]!;
    const x0 = sigmaSpaceX0(modelOutput, sample, sigma, this.v);
    const { up, down } = ancestralSigmas(sigma, this.sigmas[i + 1]!);
    const dt = down - sigma;
    const noise = generator.randn([sample.length]);
    const prev = combine(
      new Float32Array(sample.length),
      (j) => sample[j]! + ((sample[j]! - x0[j]!) / sigma) * dt + noise[j]! * up,
    );
    return { prevSample: prev, predOriginal: x0 };
  }
}
