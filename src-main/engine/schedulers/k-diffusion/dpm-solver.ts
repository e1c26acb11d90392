/**
 * k-diffusion's DPM-Solver samplers (A1111's "DPM fast" and "DPM adaptive"),
 * which ignore the schedule and step in t = -log(sigma) between sigma_max and
 * sigma_min. A1111 runs both with its ancestral eta (1 by default). The times
 * are float32 tensors in k-diffusion, so they are rounded the same way here;
 * the adaptive solver's accept/reject decisions depend on it.
 */
import { type NoiseSource, type Program, ancestralStep, lin } from './program.js';
import { torchLinspace } from './sigma-schedules.js';

const f = Math.fround;
const sigmaOf = (t: number) => Math.exp(-t);
const tOf = (sigma: number) => -Math.log(sigma);

/** The eps cache of one solver step: the model is asked once per (key). */
class EpsCache {
  private readonly cache = new Map<string, Float32Array>();
  *eps(
    key: string,
    x: Float32Array,
    t: number,
  ): Generator<{ x: Float32Array; sigma: number }, Float32Array, Float32Array> {
    const hit = this.cache.get(key);
    if (hit) return hit;
    const sigma = sigmaOf(t);
    const den = yield { x, sigma };
    const e = lin(1 / sigma, x, -1 / sigma, den);
    this.cache.set(key, e);
    return e;
  }
}

function* step1(c: EpsCache, x: Float32Array, t: number, tNext: number): Program {
  const h = tNext - t;
  const eps = yield* c.eps('eps', x, t);
  return lin(1, x, -sigmaOf(tNext) * Math.expm1(h), eps);
}

function* step2(c: EpsCache, x: Float32Array, t: number, tNext: number, r1 = 1 / 2): Program {
  const h = tNext - t;
  const eps = yield* c.eps('eps', x, t);
  const s1 = t + r1 * h;
  const u1 = lin(1, x, -sigmaOf(s1) * Math.expm1(r1 * h), eps);
  const epsR1 = yield* c.eps('eps_r1', u1, s1);
  const a = sigmaOf(tNext) * Math.expm1(h);
  const b = (sigmaOf(tNext) / (2 * r1)) * Math.expm1(h);
  return lin(1, x, -a + b, eps, -b, epsR1);
}

function* step3(c: EpsCache, x: Float32Array, t: number, tNext: number, r1 = 1 / 3, r2 = 2 / 3): Program {
  const h = tNext - t;
  const eps = yield* c.eps('eps', x, t);
  const s1 = t + r1 * h;
  const s2 = t + r2 * h;
  const u1 = lin(1, x, -sigmaOf(s1) * Math.expm1(r1 * h), eps);
  const epsR1 = yield* c.eps('eps_r1', u1, s1);
  const k2 = sigmaOf(s2) * (r2 / r1) * (Math.expm1(r2 * h) / (r2 * h) - 1);
  const u2 = lin(1, x, -sigmaOf(s2) * Math.expm1(r2 * h) + k2, eps, -k2, epsR1);
  const epsR2 = yield* c.eps('eps_r2', u2, s2);
  const a = sigmaOf(tNext) * Math.expm1(h);
  const b = (sigmaOf(tNext) / r2) * (Math.expm1(h) / h - 1);
  return lin(1, x, -a + b, eps, -b, epsR2);
}

/** The ancestral split of a solver step: where the deterministic part ends and how much noise follows. */
function ancestralTarget(t: number, tNext: number, tEnd: number, eta: number): { to: number; su: number } {
  if (!eta) return { to: tNext, su: 0 };
  const { down } = ancestralStep(sigmaOf(t), sigmaOf(tNext), eta);
  const to = Math.min(tEnd, f(tOf(down)));
  return { to, su: Math.sqrt(sigmaOf(tNext) ** 2 - sigmaOf(to) ** 2) };
}

export function* dpmFast(
  x: Float32Array,
  sigmaMin: number,
  sigmaMax: number,
  nfe: number,
  noise: NoiseSource,
  eta: number,
): Program {
  const tStart = f(tOf(sigmaMax));
  const tEnd = f(tOf(sigmaMin));
  const m = Math.floor(nfe / 3) + 1;
  const ts = torchLinspace(tStart, tEnd, m + 1);
  const orders = nfe % 3 === 0 ? [...Array(m - 2).fill(3), 2, 1] : [...Array(m - 1).fill(3), nfe % 3];
  for (let i = 0; i < orders.length; i++) {
    const c = new EpsCache();
    const t = ts[i]!;
    const { to, su } = ancestralTarget(t, ts[i + 1]!, tEnd, eta);
    yield* c.eps('eps', x, t);
    const order = orders[i]!;
    x = order === 1 ? yield* step1(c, x, t, to) : order === 2 ? yield* step2(c, x, t, to) : yield* step3(c, x, t, to);
    x = lin(1, x, su, noise.next());
  }
  return x;
}

/** k-diffusion's PID step size controller (icoeff 1 by default: plain integral control). */
class PidController {
  private readonly b1: number;
  private readonly b2: number;
  private readonly b3: number;
  private errs: number[] = [];
  constructor(
    public h: number,
    pcoeff: number,
    icoeff: number,
    dcoeff: number,
    order: number,
    private readonly acceptSafety: number,
    private readonly eps = 1e-8,
  ) {
    this.b1 = (pcoeff + icoeff + dcoeff) / order;
    this.b2 = -(pcoeff + 2 * dcoeff) / order;
    this.b3 = dcoeff / order;
  }
  propose(error: number): boolean {
    const inv = 1 / (error + this.eps);
    if (this.errs.length === 0) this.errs = [inv, inv, inv];
    this.errs[0] = inv;
    let factor = this.errs[0]! ** this.b1 * this.errs[1]! ** this.b2 * this.errs[2]! ** this.b3;
    factor = 1 + Math.atan(factor - 1);
    const accept = factor >= this.acceptSafety;
    if (accept) {
      this.errs[2] = this.errs[1]!;
      this.errs[1] = this.errs[0]!;
    }
    this.h *= factor;
    return accept;
  }
}

/** DPM-Solver-23 with adaptive steps (order 3, k-diffusion's defaults). Its number of model calls depends on the picture. */
export function* dpmAdaptive(
  x: Float32Array,
  sigmaMin: number,
  sigmaMax: number,
  noise: NoiseSource,
  eta: number,
): Program {
  const rtol = f(0.05);
  const atol = f(0.0078);
  const tStart = f(tOf(sigmaMax));
  const tEnd = f(tOf(sigmaMin));
  let s = tStart;
  let xPrev = x;
  const pid = new PidController(0.05, 0, 1, 0, eta ? 1.5 : 3, 0.81);
  while (s < tEnd - 1e-5) {
    const c = new EpsCache();
    const t = Math.min(tEnd, f(s + pid.h));
    const { to, su } = ancestralTarget(s, t, tEnd, eta);
    yield* c.eps('eps', x, s);
    const xLow = yield* step2(c, x, s, to, 1 / 3);
    const xHigh = yield* step3(c, x, s, to);
    let sum = 0;
    for (let j = 0; j < x.length; j++) {
      const delta = Math.max(atol, rtol * Math.max(Math.abs(xLow[j]!), Math.abs(xPrev[j]!)));
      const e = (xLow[j]! - xHigh[j]!) / delta;
      sum += e * e;
    }
    const error = Math.sqrt(sum) / Math.sqrt(x.length);
    if (pid.propose(error)) {
      xPrev = xLow;
      x = lin(1, xHigh, su, noise.next());
      s = t;
    }
  }
  return x;
}
