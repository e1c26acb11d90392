/**
 * ComfyUI's `uni_pc` (comfy/extra_samplers/uni_pc.py: UniPC, B(h) = h
 * ("bh1"), data prediction, multistep, lower order at the end). ComfyUI runs
 * it in variance-preserving space with sigma itself as the time variable
 * (its SigmaConvert), so alpha = 1/sqrt(1+s^2), sigma_t = s/sqrt(1+s^2),
 * lambda = -log s. A final sigma of 0 is replaced by 0.001 and the result
 * divided by alpha there.
 */
import { uniPcSystem } from '../schedule.js';
import { type Program, lin } from './program.js';

// SigmaConvert's functions in float32, as torch evaluates them: at sigma 0.001
// the float32 rounding of log(1/(1+s^2)) moves the last step by ~1e-4.
const f = Math.fround;
const logMeanCoeff = (s: number) => f(0.5 * f(Math.log(f(1 / f(f(s * s) + 1)))));
const alphaOf = (s: number) => f(Math.exp(logMeanCoeff(s)));
const stdOf = (s: number) => f(Math.sqrt(f(1 - f(Math.exp(f(2 * logMeanCoeff(s)))))));
const lambdaOf = (s: number) => {
  const lmc = logMeanCoeff(s);
  return f(lmc - f(0.5 * f(Math.log(f(1 - f(Math.exp(f(2 * lmc))))))));
};

/** Solves the small dense system A x = b (Gaussian elimination with partial pivoting). */
function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const m = A.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    for (let r = c + 1; r < n; r++) {
      const k = m[r]![c]! / m[c]![c]!;
      for (let k2 = c; k2 <= n; k2++) m[r]![k2] = m[r]![k2]! - k * m[c]![k2]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let acc = m[r]![n]!;
    for (let c = r + 1; c < n; c++) acc -= m[r]![c]! * x[c]!;
    x[r] = acc / m[r]![r]!;
  }
  return x;
}

/** The denoiser in VP space: ask at the VE latents, return x0. */
function* modelX0(
  xVp: Float32Array,
  s: number,
): Generator<{ x: Float32Array; sigma: number }, Float32Array, Float32Array> {
  return yield { x: lin(Math.sqrt(1 + s * s), xVp, 0, xVp), sigma: s };
}

/** One UniPC bh1 update from the history to time s; returns the new x and the model value there (if evaluated). */
function* update(
  x: Float32Array,
  models: Float32Array[],
  times: number[],
  s: number,
  order: number,
  useCorrector: boolean,
): Generator<{ x: Float32Array; sigma: number }, { x: Float32Array; model: Float32Array | null }, Float32Array> {
  const sPrev = times[times.length - 1]!;
  const mPrev = models[models.length - 1]!;
  const h = lambdaOf(s) - lambdaOf(sPrev);
  const rks: number[] = [];
  const D1s: Float32Array[] = [];
  for (let i = 1; i < order; i++) {
    const rk = (lambdaOf(times[times.length - 1 - i]!) - lambdaOf(sPrev)) / h;
    rks.push(rk);
    D1s.push(lin(1 / rk, models[models.length - 1 - i]!, -1 / rk, mPrev));
  }
  rks.push(1);
  const { R, b, hPhi1, Bh } = uniPcSystem(rks, -h, order, 'bh1');
  const alphaT = alphaOf(s);
  const xBase = lin(stdOf(s) / stdOf(sPrev), x, -alphaT * hPhi1, mPrev);
  let xT = xBase;
  if (D1s.length > 0) {
    const rhosP =
      order === 2
        ? [0.5]
        : solve(
            R.slice(0, -1).map((row) => row.slice(0, -1)),
            b.slice(0, -1),
          );
    const predRes = new Float32Array(x.length);
    D1s.forEach((d, k) => {
      for (let j = 0; j < predRes.length; j++) predRes[j] = predRes[j]! + rhosP[k]! * d[j]!;
    });
    xT = lin(1, xBase, -alphaT * Bh, predRes);
  }
  if (!useCorrector) return { x: xT, model: null };
  const rhosC = order === 1 ? [0.5] : solve(R, b);
  const modelT = yield* modelX0(xT, s);
  const corr = new Float32Array(x.length);
  D1s.forEach((d, k) => {
    for (let j = 0; j < corr.length; j++) corr[j] = corr[j]! + rhosC[k]! * d[j]!;
  });
  const last = rhosC[rhosC.length - 1]!;
  for (let j = 0; j < corr.length; j++) corr[j] = corr[j]! + last * (modelT[j]! - mPrev[j]!);
  return { x: lin(1, xBase, -alphaT * Bh, corr), model: modelT };
}

export function* uniPc(xVe: Float32Array, sigmas: readonly number[]): Program {
  const ts = sigmas.map((s, i) => (i === sigmas.length - 1 && s === 0 ? f(0.001) : s));
  const steps = ts.length - 1;
  const order = Math.min(3, ts.length - 2);
  let x = lin(1 / Math.sqrt(1 + ts[0]! ** 2), xVe, 0, xVe);
  let models: Float32Array[] = [];
  let times: number[] = [];
  for (let stepIndex = 0; stepIndex < steps; stepIndex++) {
    if (stepIndex === 0) {
      models = [yield* modelX0(x, ts[0]!)];
      times = [ts[0]!];
    } else if (stepIndex < order) {
      const r = yield* update(x, models, times, ts[stepIndex]!, stepIndex, true);
      x = r.x;
      models.push(r.model ?? (yield* modelX0(x, ts[stepIndex]!)));
      times.push(ts[stepIndex]!);
    } else {
      const last = stepIndex === steps - 1 ? stepIndex + 1 : stepIndex;
      for (let step = stepIndex; step <= last; step++) {
        const stepOrder = Math.min(order, steps + 1 - step);
        const r = yield* update(x, models, times, ts[step]!, stepOrder, step !== steps);
        x = r.x;
        models = [...models.slice(1), models[models.length - 1]!];
        times = [...times.slice(1), ts[step]!];
        if (step < steps) models[models.length - 1] = r.model ?? (yield* modelX0(x, ts[step]!));
      }
    }
  }
  return lin(1 / alphaOf(ts[steps]!), x, 0, x);
}
