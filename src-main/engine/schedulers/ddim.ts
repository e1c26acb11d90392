/** DDIM (diffusers DDIMScheduler), eta = 0: deterministic. */
import type { Scheduler, SchedulerConfig, StepResult } from './scheduler.js';
import { alphasCumprod, spacedTimesteps } from './schedule.js';
import { combine, vpAddNoise, vpX0 } from './tensor-math.js';

export class DdimScheduler implements Scheduler {
  readonly timesteps: number[];
  readonly initNoiseSigma = 1;
  readonly order = 1;
  private readonly ac: Float64Array;
  private readonly finalAlpha: number;
  private readonly stride: number;

  constructor(
    private readonly config: SchedulerConfig,
    steps: number,
  ) {
    this.ac = alphasCumprod(config);
    this.finalAlpha = config.set_alpha_to_one ? 1 : this.ac[0]!;
    this.timesteps = spacedTimesteps(
      config.timestep_spacing,
      steps,
      config.num_train_timesteps,
      config.steps_offset,
      true,
    );
    this.stride = Math.floor(config.num_train_timesteps / steps);
  }

  scaleModelInput(sample: Float32Array): Float32Array {
    return sample;
  }

  step(modelOutput: Float32Array, i: number, sample: Float32Array): StepResult {
    const t = this.timesteps[i]!;
    const prevT = t - this.stride;
    const aT = this.ac[t]!;
    const aPrev = prevT >= 0 ? this.ac[prevT]! : this.finalAlpha;
    const sa = Math.sqrt(aT);
    const sb = Math.sqrt(1 - aT);
    const v = this.config.prediction_type === 'v_prediction';
    const x0 = vpX0(modelOutput, sample, sa, sb, v);
    if (this.config.clip_sample) for (let j = 0; j < x0.length; j++) x0[j] = Math.min(1, Math.max(-1, x0[j]!));
    const sPrev = Math.sqrt(aPrev);
    const dir = Math.sqrt(1 - aPrev);
    const prev = combine(new Float32Array(sample.length), (j) => {
      const eps = v ? sa * modelOutput[j]! + sb * sample[j]! : modelOutput[j]!;
      return sPrev * x0[j]! + dir * eps;
    });
    return { prevSample: prev, predOriginal: x0 };
  }

  addNoise(original: Float32Array, noise: Float32Array, i: number): Float32Array {
    return vpAddNoise(this.ac, original, noise, this.timesteps[i]!);
  }
}
