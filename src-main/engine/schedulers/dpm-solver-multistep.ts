/**
 * DPM++ 2M, DPM++ 2M Karras and DPM++ 2M SDE Karras (diffusers
 * DPMSolverMultistepScheduler, solver_order 2, midpoint, lower_order_final).
 * The SDE variant draws Gaussian noise from the generator each step; ComfyUI
 * and A1111 use a Brownian tree there, so their SDE images differ.
 */
import type { NoiseGenerator } from '../rng/noise-generator.js';
import { MultistepSchedulerBase } from './multistep-scheduler-base.js';
import type { SchedulerConfig, StepResult } from './scheduler.js';
import { alphaSigma, lambdaOf } from './schedule.js';
import { combine } from './tensor-math.js';

export class DpmSolverMultistepScheduler extends MultistepSchedulerBase {
  private readonly sde: boolean;
  private readonly outputs: Float32Array[] = [];
  private lowerOrderNums = 0;

  constructor(config: SchedulerConfig, steps: number) {
    super(config, steps);
    this.sde = config.algorithm_type === 'sde-dpmsolver++';
  }

  step(modelOutput: Float32Array, i: number, sample: Float32Array, generator: NoiseGenerator): StepResult {
    const n = this.timesteps.length;
    // final_sigmas_type "zero" makes the last step first order.
    const lowerOrderFinal = i === n - 1;
    const sigmaS = alphaSigma(this.sigmas[i]!)[1];
    const x0 = this.x0At(modelOutput, sample, i);
    this.outputs.push(x0);
    if (this.outputs.length > 2) this.outputs.shift();
    const noise = this.sde ? generator.randn([sample.length]) : null;

    const [alphaT, sigmaT] = alphaSigma(this.sigmas[i + 1]!);
    const h = lambdaOf(this.sigmas[i + 1]!) - lambdaOf(this.sigmas[i]!);
    const firstOrder = this.lowerOrderNums < 1 || lowerOrderFinal;
    let D1: Float32Array | null = null;
    if (!firstOrder) {
      const h0 = lambdaOf(this.sigmas[i]!) - lambdaOf(this.sigmas[i - 1]!);
      const r0 = h0 / h;
      const m1 = this.outputs[0]!;
      D1 = combine(new Float32Array(x0.length), (j) => (x0[j]! - m1[j]!) / r0);
    }
    const expNegH = Math.exp(-h);
    const prev = new Float32Array(sample.length);
    if (this.sde) {
      const ratio = sigmaS === 0 ? 0 : (sigmaT / sigmaS) * expNegH;
      const c = alphaT * (1 - Math.exp(-2 * h));
      const noiseScale = sigmaT * Math.sqrt(1 - Math.exp(-2 * h));
      combine(prev, (j) => ratio * sample[j]! + c * x0[j]! + (D1 ? 0.5 * c * D1[j]! : 0) + noiseScale * noise![j]!);
    } else {
      const ratio = sigmaT / sigmaS;
      const c = alphaT * (expNegH - 1);
      combine(prev, (j) => ratio * sample[j]! - c * x0[j]! - (D1 ? 0.5 * c * D1[j]! : 0));
    }
    if (this.lowerOrderNums < 2) this.lowerOrderNums += 1;
    return { prevSample: prev, predOriginal: x0 };
  }
}
