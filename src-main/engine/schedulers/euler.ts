/** Euler (diffusers EulerDiscreteScheduler, k-diffusion sample_euler), s_churn = 0. */
import { SigmaSchedulerBase } from './sigma-scheduler-base.js';
import type { StepResult } from './scheduler.js';
import { eulerStep, sigmaSpaceX0 } from './tensor-math.js';

export class EulerScheduler extends SigmaSchedulerBase {
  step(modelOutput: Float32Array, i: number, sample: Float32Array): StepResult {
    const sigma = this.sigmas[i]!;
    const x0 = sigmaSpaceX0(modelOutput, sample, sigma, this.v);
    const dt = this.sigmas[i + 1]! - sigma;
    return { prevSample: eulerStep(sample, x0, sigma, dt), predOriginal: x0 };
  }
}
