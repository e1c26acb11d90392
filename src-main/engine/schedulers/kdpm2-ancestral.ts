/**
 * DPM2 a (diffusers KDPM2AncestralDiscreteScheduler, k-diffusion
 * sample_dpm_2_ancestral). Noise is drawn once per step, at the second model call.
 */
import type { NoiseGenerator } from '../rng/noise-generator.js';
import type { SchedulerConfig, StepResult } from './scheduler.js';
import { ancestralSigmas, interleaveWithEnd, logMidpoint, sigmaToT } from './schedule.js';
import { type SigmaSchedule, SigmaSchedulerBase } from './sigma-scheduler-base.js';
import { combine, eulerStep, sigmaSpaceX0 } from './tensor-math.js';

/** Per step: the ancestral up and down sigmas and the midpoint towards down, as diffusers lays them out. */
function ancestralTables(s: SigmaSchedule): { up: number[]; down: number[]; interpol: number[] } {
  const sigmas = [...s.sigmas, 0];
  const up: number[] = [];
  const down: number[] = [];
  for (const [k, sigma] of sigmas.entries()) {
    const next = k + 1 < sigmas.length ? sigmas[k + 1]! : 0;
    const a = sigma === 0 ? { up: Number.NaN, down: Number.NaN } : ancestralSigmas(sigma, next);
    up.push(Math.fround(a.up));
    down.push(Math.fround(a.down));
  }
  down[down.length - 1] = 0;
  const interpol = sigmas.map((v, k) => Math.fround(logMidpoint(v, down[k]!)));
  interpol[interpol.length - 1] = 0;
  interpol[interpol.length - 2] = 0;
  return { up, down, interpol };
}

export class Kdpm2AncestralScheduler extends SigmaSchedulerBase {
  override readonly order = 2;
  private readonly sigmasInterpol: number[];
  private readonly sigmasUp: number[];
  private readonly sigmasDown: number[];
  private firstSample: Float32Array | null = null;

  constructor(config: SchedulerConfig, steps: number) {
    super(config, steps, (s) => {
      const tInterpol = ancestralTables(s).interpol.map((v) => sigmaToT(v, s.logSigmas));
      const interleaved = tInterpol.slice(0, -2).flatMap((t, k) => [t, s.timesteps[k + 1]!]);
      return { timesteps: [s.timesteps[0]!, ...interleaved], sigmas: interleaveWithEnd([...s.sigmas, 0]) };
    });
    const { up, down, interpol } = ancestralTables(this.schedule);
    this.sigmasInterpol = interleaveWithEnd(interpol);
    this.sigmasUp = interleaveWithEnd(up);
    this.sigmasDown = interleaveWithEnd(down);
  }

  protected override inputSigma(i: number): number {
    return this.firstSample === null ? this.sigmas[i]! : this.sigmasInterpol[i - 1]!;
  }

  step(modelOutput: Float32Array, i: number, sample: Float32Array, generator: NoiseGenerator): StepResult {
    const first = this.firstSample === null;
    const sigma = first ? this.sigmas[i]! : this.sigmas[i - 1]!;
    const sigmaInterpol = first ? this.sigmasInterpol[i]! : this.sigmasInterpol[i - 1]!;
    const sigmaUp = first ? this.sigmasUp[i]! : this.sigmasUp[i - 1]!;
    const sigmaDown = this.sigmasDown[i - 1] ?? 0;
    const x0 = sigmaSpaceX0(modelOutput, sample, first ? sigma : sigmaInterpol, this.v);
    if (first) {
      this.firstSample = sample;
      return { prevSample: eulerStep(sample, x0, sigma, sigmaInterpol - sigma), predOriginal: x0 };
    }
    const base = this.firstSample!;
    this.firstSample = null;
    const noise = generator.randn([sample.length]);
    const dt = sigmaDown - sigma;
    const prev = combine(
      new Float32Array(sample.length),
      (j) => base[j]! + ((sample[j]! - x0[j]!) / sigmaInterpol) * dt + noise[j]! * sigmaUp,
    );
    return { prevSample: prev, predOriginal: x0 };
  }
}
