/** DDIM (diffusers DDIMScheduler), eta = 0: deterministic. */
import type { SchedulerConfig, StepResult } from './scheduler.js';
import { spacedTimesteps } from './schedule.js';
import { combine, vpX0 } from './tensor-math.js';
import { VpSchedulerBase } from './vp-scheduler-base.js';

export class DdimScheduler extends VpSchedulerBase {
  readonly timesteps: number[];
  private readonly stride: number;

  constructor(config: SchedulerConfig, steps: number) {
    super(config);
    this.timesteps = spacedTimesteps(
      config.timestep_spacing,
      steps,
      config.num_train_timesteps,
      config.steps_offset,
      true,
    );
    this.stride = Math.floor(config.num_train_timesteps / steps);
  }

  step(modelOutput: Float32Array, i: number, sample: Float32Array): StepResult {
    const t = this.timesteps[i]!;
    const prevT = t - this.stride;
    const aT = this.ac[t]!;
    const aPrev = this.alphaAt(prevT);
    const sa = Math.sqrt(aT);
    const sb = Math.sqrt(1 - aT);
    const v = this.v;
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
}
