/** Euler (diffusers EulerDiscreteScheduler, k-diffusion sample_euler), s_churn = 0. */
import { SigmaSchedulerBase } from './sigma-scheduler-base.js';
import type { StepResult } from './scheduler.js';
import { combine, sigmaSpaceX0 } from './tensor-math.js';

export class EulerScheduler extends SigmaSchedulerBase {
  step(modelOutput: Float32Array, i: number, sample: Float32Array): StepResult {
    const sigma = this.sigmas[i]!;
    const x0 = sigmaSpaceX0(modelOutput, sample, sigma, this.v);
    const dt = this.sigmas[i + 1]! - sigma;
    const prev = combine(new Float32Array(sample.length), (j) => sample[j]! + ((sample[j]! - x0[j]!) / sigma) * dt);
    return { prevSample: prev, predOriginal: x0 };
  }
}
