/**
 * PLMS (diffusers PNDMScheduler with skip_prk_steps): linear multistep in VP
 * space over the last four noise predictions. N steps make N+1 model calls
 * (the second timestep is repeated).
 */
import { type SchedulerConfig, SchedulerConfigError, type StepResult } from './scheduler.js';
import { spacedTimesteps } from './schedule.js';
import { combine } from './tensor-math.js';
import { VpSchedulerBase } from './vp-scheduler-base.js';

export class PndmScheduler extends VpSchedulerBase {
  readonly timesteps: number[];
  private readonly stride: number;
  private readonly ets: Float32Array[] = [];
  private counter = 0;
  private curSample: Float32Array | null = null;

  constructor(config: SchedulerConfig, steps: number) {
    if (steps < 2) throw new SchedulerConfigError('PLMS needs at least 2 steps');
    super(config);
    this.stride = Math.floor(config.num_train_timesteps / steps);
    const asc = spacedTimesteps(
      config.timestep_spacing,
      steps,
      config.num_train_timesteps,
      config.steps_offset,
      true,
    ).reverse();
    const plms = [...asc.slice(0, -1), asc[asc.length - 2]!, asc[asc.length - 1]!];
    this.timesteps = plms.reverse();
  }

  step(modelOutput: Float32Array, i: number, sample: Float32Array): StepResult {
    let t = this.timesteps[i]!;
    let prevT = t - this.stride;
    if (this.counter !== 1) {
      if (this.ets.length > 3) this.ets.splice(0, this.ets.length - 3);
      this.ets.push(modelOutput);
    } else {
      prevT = t;
      t = t + this.stride;
    }
    const e = this.ets;
    const n = e.length;
    let eps: Float32Array;
    if (n === 1 && this.counter === 0) {
      eps = modelOutput;
      this.curSample = sample;
    } else if (n === 1 && this.counter === 1) {
      eps = combine(new Float32Array(sample.length), (j) => (modelOutput[j]! + e[0]![j]!) / 2);
      sample = this.curSample!;
      this.curSample = null;
    } else if (n === 2) {
      eps = combine(new Float32Array(sample.length), (j) => (3 * e[1]![j]! - e[0]![j]!) / 2);
    } else if (n === 3) {
      eps = combine(new Float32Array(sample.length), (j) => (23 * e[2]![j]! - 16 * e[1]![j]! + 5 * e[0]![j]!) / 12);
    } else {
      eps = combine(
        new Float32Array(sample.length),
        (j) => (55 * e[n - 1]![j]! - 59 * e[n - 2]![j]! + 37 * e[n - 3]![j]! - 9 * e[n - 4]![j]!) / 24,
      );
    }
    const prev = this.prevSample(sample, t, prevT, eps);
    this.counter += 1;
    return { prevSample: prev, predOriginal: null };
  }

  private prevSample(sample: Float32Array, t: number, prevT: number, modelOutput: Float32Array): Float32Array {
    const aT = this.ac[t]!;
    const aPrev = this.alphaAt(prevT);
    const bT = 1 - aT;
    const bPrev = 1 - aPrev;
    const v = this.v;
    const sampleCoeff = Math.sqrt(aPrev / aT);
    const denom = aT * Math.sqrt(bPrev) + Math.sqrt(aT * bT * aPrev);
    return combine(new Float32Array(sample.length), (j) => {
      const eps = v ? Math.sqrt(aT) * modelOutput[j]! + Math.sqrt(bT) * sample[j]! : modelOutput[j]!;
      return sampleCoeff * sample[j]! - ((aPrev - aT) * eps) / denom;
    });
  }
}
