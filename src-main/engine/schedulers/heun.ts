/**
 * Heun (diffusers HeunDiscreteScheduler): two model calls per step, the
 * second correcting the first. Sigmas and timesteps are interleaved.
 */
import type { SchedulerConfig, StepResult } from './scheduler.js';
import { interleaveTail } from './schedule.js';
import { SigmaSchedulerBase } from './sigma-scheduler-base.js';
import { combine, sigmaSpaceX0 } from './tensor-math.js';

export class HeunScheduler extends SigmaSchedulerBase {
  override readonly order = 2;
  private pending: { derivative: Float32Array; dt: number; sample: Float32Array } | null = null;

  constructor(config: SchedulerConfig, steps: number) {
    super(config, steps, (s) => ({ timesteps: interleaveTail(s.timesteps), sigmas: [...interleaveTail(s.sigmas), 0] }));
  }

  step(modelOutput: Float32Array, i: number, sample: Float32Array): StepResult {
    const first = this.pending === null;
    const sigma = first ? this.sigmas[i]! : this.sigmas[i - 1]!;
    const sigmaNext = first ? this.sigmas[i + 1]! : this.sigmas[i]!;
    const x0 = sigmaSpaceX0(modelOutput, sample, first ? sigma : sigmaNext, this.v);
    if (first) {
      const derivative = combine(new Float32Array(sample.length), (j) => (sample[j]! - x0[j]!) / sigma);
      const dt = sigmaNext - sigma;
      this.pending = { derivative, dt, sample };
      return {
        prevSample: combine(new Float32Array(sample.length), (j) => sample[j]! + derivative[j]! * dt),
        predOriginal: x0,
      };
    }
    const { derivative: d1, dt, sample: base } = this.pending!;
    this.pending = null;
    const prev = combine(new Float32Array(sample.length), (j) => {
      const d2 = (sample[j]! - x0[j]!) / sigmaNext;
      return base[j]! + ((d1[j]! + d2) / 2) * dt;
    });
    return { prevSample: prev, predOriginal: x0 };
  }
}
