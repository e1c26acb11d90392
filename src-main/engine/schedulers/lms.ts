/**
 * LMS (diffusers LMSDiscreteScheduler, order 4), coefficients from
 * schedule.ts's lmsCoefficient.
 */
import { SigmaSchedulerBase } from './sigma-scheduler-base.js';
import type { StepResult } from './scheduler.js';
import { sigmaSpaceX0 } from './tensor-math.js';
import { lmsCoefficient } from './schedule.js';

const LMS_ORDER = 4;

export class LmsScheduler extends SigmaSchedulerBase {
  private readonly derivatives: Float32Array[] = [];

  step(modelOutput: Float32Array, i: number, sample: Float32Array): StepResult {
    const sigma = this.sigmas[i]!;
    const x0 = sigmaSpaceX0(modelOutput, sample, sigma, this.v);
    const derivative = new Float32Array(sample.length);
    for (let j = 0; j < sample.length; j++) derivative[j] = (sample[j]! - x0[j]!) / sigma;
    this.derivatives.push(derivative);
    if (this.derivatives.length > LMS_ORDER) this.derivatives.shift();
    // As in diffusers, the order follows the absolute step index, and zip() pairs
    // coefficients with the derivatives that exist (fewer after an img2img start).
    const order = Math.min(i + 1, LMS_ORDER);
    const used = Math.min(order, this.derivatives.length);
    const prev = Float32Array.from(sample);
    for (let c = 0; c < used; c++) {
      const coeff = lmsCoefficient(order, this.sigmas, i, c);
      const d = this.derivatives[this.derivatives.length - 1 - c]!;
      for (let j = 0; j < prev.length; j++) prev[j] = prev[j]! + coeff * d[j]!;
    }
    return { prevSample: prev, predOriginal: x0 };
  }
}
