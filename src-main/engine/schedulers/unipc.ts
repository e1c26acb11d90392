/**
 * UniPC (diffusers UniPCMultistepScheduler: bh2, predict_x0, solver_order 2,
 * lower_order_final): a predictor step, then a corrector applied with the next
 * model output.
 */
import { MultistepSchedulerBase } from './multistep-scheduler-base.js';
import type { StepResult } from './scheduler.js';
import { alphaSigma, lambdaOf, uniPcSystem } from './schedule.js';
import { combine } from './tensor-math.js';

const SOLVER_ORDER = 2;

/** Solves a 2x2 (or 1x1) system. */
function solveSmall(R: number[][], b: number[]): number[] {
  if (R.length === 1) return [b[0]! / R[0]![0]!];
  const [[a, c], [d, e]] = R as [[number, number], [number, number]];
  const det = a * e - c * d;
  return [(b[0]! * e - c * b[1]!) / det, (a * b[1]! - d * b[0]!) / det];
}

export class UniPcScheduler extends MultistepSchedulerBase {
  private readonly outputs: Float32Array[] = [];
  private lowerOrderNums = 0;
  private lastSample: Float32Array | null = null;
  private thisOrder = 1;

  step(modelOutput: Float32Array, i: number, sample: Float32Array): StepResult {
    const x0 = this.x0At(modelOutput, sample, i);
    if (i > 0 && this.lastSample) sample = this.corrector(x0, this.lastSample, sample, i, this.thisOrder);
    this.outputs.push(x0);
    if (this.outputs.length > SOLVER_ORDER) this.outputs.shift();
    const order = Math.min(SOLVER_ORDER, this.timesteps.length - i);
    this.thisOrder = Math.min(order, this.lowerOrderNums + 1);
    this.lastSample = sample;
    const prev = this.predictor(sample, i, this.thisOrder);
    if (this.lowerOrderNums < SOLVER_ORDER) this.lowerOrderNums += 1;
    return { prevSample: prev, predOriginal: x0 };
  }

  private predictor(x: Float32Array, i: number, order: number): Float32Array {
    const m0 = this.outputs[this.outputs.length - 1]!;
    const [alphaT, sigmaT] = alphaSigma(this.sigmas[i + 1]!);
    const [, sigmaS0] = alphaSigma(this.sigmas[i]!);
    const lambdaS0 = lambdaOf(this.sigmas[i]!);
    const h = lambdaOf(this.sigmas[i + 1]!) - lambdaS0;
    const rks: number[] = [];
    const D1s: Float32Array[] = [];
    for (let k = 1; k < order; k++) {
      const mi = this.outputs[this.outputs.length - 1 - k]!;
      const rk = (lambdaOf(this.sigmas[i - k]!) - lambdaS0) / h;
      rks.push(rk);
      D1s.push(combine(new Float32Array(m0.length), (j) => (mi[j]! - m0[j]!) / rk));
    }
    rks.push(1);
    const { hPhi1, Bh } = uniPcSystem(rks, -h, order, 'bh2');
    // diffusers uses rhos_p = [0.5] for order 2 (and would solve R[:-1,:-1] beyond).
    const rhos = D1s.length > 0 ? [0.5] : [];
    const ratio = sigmaT / sigmaS0;
    return combine(new Float32Array(x.length), (j) => {
      let res = 0;
      for (let k = 0; k < rhos.length; k++) res += rhos[k]! * D1s[k]![j]!;
      return ratio * x[j]! - alphaT * hPhi1 * m0[j]! - alphaT * Bh * res;
    });
  }

  private corrector(
    modelT: Float32Array,
    lastSample: Float32Array,
    _thisSample: Float32Array,
    i: number,
    order: number,
  ): Float32Array {
    const m0 = this.outputs[this.outputs.length - 1]!;
    const [alphaT, sigmaT] = alphaSigma(this.sigmas[i]!);
    const [, sigmaS0] = alphaSigma(this.sigmas[i - 1]!);
    const lambdaS0 = lambdaOf(this.sigmas[i - 1]!);
    const h = lambdaOf(this.sigmas[i]!) - lambdaS0;
    const rks: number[] = [];
    const D1s: Float32Array[] = [];
    for (let k = 1; k < order; k++) {
      const mi = this.outputs[this.outputs.length - 1 - k]!;
      const rk = (lambdaOf(this.sigmas[i - (k + 1)]!) - lambdaS0) / h;
      rks.push(rk);
      D1s.push(combine(new Float32Array(m0.length), (j) => (mi[j]! - m0[j]!) / rk));
    }
    rks.push(1);
    const { R, b, hPhi1, Bh } = uniPcSystem(rks, -h, order, 'bh2');
    const rhos = order === 1 ? [0.5] : solveSmall(R, b);
    const ratio = sigmaT / sigmaS0;
    const last = rhos[rhos.length - 1]!;
    return combine(new Float32Array(lastSample.length), (j) => {
      let corr = 0;
      for (let k = 0; k < D1s.length; k++) corr += rhos[k]! * D1s[k]![j]!;
      const d1t = modelT[j]! - m0[j]!;
      return ratio * lastSample[j]! - alphaT * hPhi1 * m0[j]! - alphaT * Bh * (corr + last * d1t);
    });
  }
}
