/**
 * DPM2 (diffusers KDPM2DiscreteScheduler, k-diffusion sample_dpm_2): a first
 * call at sigma, a second at the log-midpoint towards the next sigma.
 */
import type { SchedulerConfig, StepResult } from './scheduler.js';
import { interleaveWithEnd, logMidpoint, sigmaToT } from './schedule.js';
import { type SigmaSchedule, SigmaSchedulerBase } from './sigma-scheduler-base.js';
import { combine, eulerStep, sigmaSpaceX0 } from './tensor-math.js';

/** sigmas.log().lerp(sigmas.roll(1).log(), 0.5).exp(), over the sigmas with the final 0. */
function midpoints(s: SigmaSchedule): number[] {
  const sigmas = [...s.sigmas, 0];
  return sigmas.map((v, k) => Math.fround(logMidpoint(v, sigmas[(k - 1 + sigmas.length) % sigmas.length]!)));
}

export class Kdpm2Scheduler extends SigmaSchedulerBase {
  override readonly order = 2;
  readonly sigmasInterpol: number[];
  private firstSample: Float32Array | null = null;

  constructor(config: SchedulerConfig, steps: number) {
    super(config, steps, (s) => {
      const tInterpol = midpoints(s).map((v) => sigmaToT(v, s.logSigmas));
      const interleaved = tInterpol.slice(1, -1).flatMap((t, k) => [t, s.timesteps[k + 1]!]);
      return { timesteps: [s.timesteps[0]!, ...interleaved], sigmas: interleaveWithEnd([...s.sigmas, 0]) };
    });
    this.sigmasInterpol = interleaveWithEnd(midpoints(this.schedule));
  }

  protected override inputSigma(i: number): number {
    return this.firstSample === null ? this.sigmas[i]! : this.sigmasInterpol[i]!;
  }

  step(modelOutput: Float32Array, i: number, sample: Float32Array): StepResult {
    const first = this.firstSample === null;
    const sigma = first ? this.sigmas[i]! : this.sigmas[i - 1]!;
    const sigmaInterpol = first ? this.sigmasInterpol[i + 1]! : this.sigmasInterpol[i]!;
    const sigmaNext = first ? this.sigmas[i + 1]! : this.sigmas[i]!;
    const x0 = sigmaSpaceX0(modelOutput, sample, first ? sigma : sigmaInterpol, this.v);
    if (first) {
      this.firstSample = sample;
      return { prevSample: eulerStep(sample, x0, sigma, sigmaInterpol - sigma), predOriginal: x0 };
    }
    const base = this.firstSample!;
    this.firstSample = null;
    const dt = sigmaNext - sigma;
    const prev = combine(
      new Float32Array(sample.length),
      (j) => base[j]! + ((sample[j]! - x0[j]!) / sigmaInterpol) * dt,
    );
    return { prevSample: prev, predOriginal: x0 };
  }
}
