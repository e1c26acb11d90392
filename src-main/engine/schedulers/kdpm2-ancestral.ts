/**
 * DPM2 a (diffusers KDPM2AncestralDiscreteScheduler, k-diffusion
 * sample_dpm_2_ancestral). Noise is drawn once per step, at the second model call.
 */
import type { NoiseGenerator } from '../rng/noise-generator.js';
import type { Scheduler, SchedulerConfig, StepResult } from './scheduler.js';
import { sigmaFamilyInitNoise, sigmaFamilySchedule, sigmaToT } from './schedule.js';
import { addSigmaNoise, combine, scaleForSigma, sigmaSpaceX0 } from './tensor-math.js';
import { interleaveWithEnd, logMidpoint } from './kdpm2.js';
import { ancestralSigmas } from './euler-ancestral.js';

export class Kdpm2AncestralScheduler implements Scheduler {
  readonly timesteps: number[];
  readonly sigmas: number[];
  private readonly sigmasInterpol: number[];
  private readonly sigmasUp: number[];
  private readonly sigmasDown: number[];
  readonly initNoiseSigma: number;
  readonly order = 2;
  private readonly v: boolean;
  private firstSample: Float32Array | null = null;

  constructor(config: SchedulerConfig, steps: number) {
    const s = sigmaFamilySchedule(config, steps);
    const sigmas = [...s.sigmas, 0];
    const up: number[] = [];
    const down: number[] = [];
    sigmas.forEach((sigma, k) => {
      const next = k + 1 < sigmas.length ? sigmas[k + 1]! : 0;
      const a = sigma === 0 ? { up: Number.NaN, down: Number.NaN } : ancestralSigmas(sigma, next);
      up.push(Math.fround(a.up));
      down.push(Math.fround(a.down));
    });
    down[down.length - 1] = 0;
    const interpol = sigmas.map((v, k) => Math.fround(logMidpoint(v, down[k]!)));
    interpol[interpol.length - 1] = 0;
    interpol[interpol.length - 2] = 0;
    this.sigmas = interleaveWithEnd(sigmas);
    this.sigmasInterpol = interleaveWithEnd(interpol);
    this.sigmasUp = interleaveWithEnd(up);
    this.sigmasDown = interleaveWithEnd(down);
    const tInterpol = interpol.map((v) => sigmaToT(v, s.logSigmas));
    const interleaved = tInterpol.slice(0, -2).flatMap((t, k) => [t, s.timesteps[k + 1]!]);
    this.timesteps = [s.timesteps[0]!, ...interleaved];
    this.initNoiseSigma = sigmaFamilyInitNoise(config.timestep_spacing, s.sigmas);
    this.v = config.prediction_type === 'v_prediction';
  }

  scaleModelInput(sample: Float32Array, i: number): Float32Array {
    return scaleForSigma(sample, this.firstSample === null ? this.sigmas[i]! : this.sigmasInterpol[i - 1]!);
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
      const dt = sigmaInterpol - sigma;
      return {
        prevSample: combine(new Float32Array(sample.length), (j) => sample[j]! + ((sample[j]! - x0[j]!) / sigma) * dt),
        predOriginal: x0,
      };
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

  addNoise(original: Float32Array, noise: Float32Array, i: number): Float32Array {
    return addSigmaNoise(original, noise, this.sigmas[i]!);
  }
}
