/**
 * The exact family behind the engine's Scheduler surface: drives a recipe's
 * program one model call at a time. `timesteps` come from a dry run of the
 * program (its calls depend only on the schedule), `step` hands the model's
 * output back as `denoised` and returns the latents of the next call, or the
 * sampler's output after the last.
 */
import type { NoiseGenerator } from '../../rng/noise-generator.js';
import type { Scheduler, StepResult } from '../scheduler.js';
import { sigmaSpaceX0 } from '../tensor-math.js';
import type { ModelCall, NoiseSource, Program } from './program.js';
import type { Recipe } from './recipes.js';

/** The calls a program makes, found by running it on a one-value latent with a zero model. */
export function plannedCalls(recipe: Recipe): ModelCall[] {
  const silent: NoiseSource = { next: () => new Float32Array(1), skip: () => {} };
  const run = recipe.program(new Float32Array(1), silent);
  const calls: ModelCall[] = [];
  let r = run.next();
  while (!r.done) {
    calls.push(r.value);
    if (calls.length > 10_000) throw new Error('sampler program does not end');
    r = run.next(new Float32Array(1));
  }
  return calls;
}

export class KSamplerScheduler implements Scheduler {
  readonly timesteps: number[];
  /** Sigma of each model call. */
  readonly callSigmas: number[];
  readonly initNoiseSigma: number;
  /** Model calls per step, rounded up (Heun-like samplers make two). */
  readonly order: number;
  private run: Program | null = null;
  private pending: ModelCall | null = null;
  private noise: NoiseGenerator | null = null;
  private skipped = 0;
  /** Values in the latents (known at the first call): each noise draw is one of this size. */
  private size = 0;

  constructor(
    private readonly recipe: Recipe,
    private readonly vPrediction: boolean,
  ) {
    const calls = plannedCalls(recipe);
    this.callSigmas = calls.map((c) => c.sigma);
    this.timesteps = calls.map((c) => c.t ?? recipe.modelTime(c.sigma));
    this.initNoiseSigma = recipe.initNoiseSigma;
    this.order = Math.max(1, Math.ceil(calls.length / Math.max(1, recipe.sigmas.length - 1)));
  }

  /** The draws the program made before the generator was known (s_churn draws) happen first. */
  private flushSkipped(): void {
    for (; this.skipped > 0 && this.noise; this.skipped--) this.noise.randn([this.size]);
  }

  private callAt(sample: Float32Array, i: number): ModelCall {
    if (!this.run) {
      if (i !== 0) throw new Error('an exact sampler runs from its first call');
      this.size = sample.length;
      const source: NoiseSource = {
        next: () => {
          this.flushSkipped();
          return this.noise!.randn([this.size]);
        },
        skip: () => {
          this.skipped++;
          this.flushSkipped();
        },
      };
      this.run = this.recipe.program(sample, source);
      const first = this.run.next();
      if (first.done) throw new Error('sampler program made no model call');
      this.pending = first.value;
    }
    return this.pending!;
  }

  scaleModelInput(sample: Float32Array, i: number): Float32Array {
    const call = this.callAt(sample, i);
    const k = 1 / Math.sqrt(call.sigma * call.sigma + 1);
    return call.x.map((v) => v * k);
  }

  step(modelOutput: Float32Array, i: number, sample: Float32Array, generator: NoiseGenerator): StepResult {
    const call = this.callAt(sample, i);
    if (!this.noise) {
      this.noise = this.recipe.samplerNoise(generator);
      this.flushSkipped();
    }
    const denoised = sigmaSpaceX0(modelOutput, call.x, call.sigma, this.vPrediction);
    const r = this.run!.next(denoised);
    if (r.done) {
      this.pending = null;
      return { prevSample: r.value, predOriginal: denoised };
    }
    this.pending = r.value;
    return { prevSample: r.value.x, predOriginal: denoised };
  }

  addNoise(original: Float32Array, noise: Float32Array, i: number): Float32Array {
    const sigma = i === 0 ? this.recipe.startSigma : (this.callSigmas[i] ?? 0);
    return original.map((v, j) => v + noise[j]! * sigma);
  }
}
