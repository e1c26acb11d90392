/**
 * Heun (diffusers HeunDiscreteScheduler): two model calls per step, the
 * second correcting the first. Sigmas and timesteps are interleaved.
 */
import type { Scheduler, SchedulerConfig, StepResult } from './scheduler.js';
import { sigmaFamilyInitNoise, sigmaFamilySchedule } from './schedule.js';
import { addSigmaNoise, combine, scaleForSigma, sigmaSpaceX0 } from './tensor-math.js';

/** [a0, a1, a1, a2, a2, ...]: torch.cat([a[:1], a[1:].repeat_interleave(2)]). */
export function interleaveTail(a: readonly number[]): number[] {
  return [a[0]!, ...a.slice(1).flatMap((v) => [v, v])];
}

export class HeunScheduler implements Scheduler {
  readonly timesteps: number[];
  readonly sigmas: number[];
  readonly initNoiseSigma: number;
  readonly order = 2;
  private readonly v: boolean;
  private pending: { derivative: Float32Array; dt: number; sample: Float32Array } | null = null;

  constructor(config: SchedulerConfig, steps: number) {
    const s = sigmaFamilySchedule(config, steps);
    this.sigmas = [...interleaveTail(s.sigmas), 0];
    this.timesteps = interleaveTail(s.timesteps);
    this.initNoiseSigma = sigmaFamilyInitNoise(config.timestep_spacing, s.sigmas);
    this.v = config.prediction_type === 'v_prediction';
  }

  scaleModelInput(sample: Float32Array, i: number): Float32Array {
    return scaleForSigma(sample, this.sigmas[i]!);
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

  addNoise(original: Float32Array, noise: Float32Array, i: number): Float32Array {
    return addSigmaNoise(original, noise, this.sigmas[i]!);
  }
}
