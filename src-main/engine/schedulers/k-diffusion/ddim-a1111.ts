/**
 * A1111's own DDIM (modules/sd_samplers_timesteps_impl.py, eta 0): integer
 * timesteps 1, 1 + 1000/steps, ...; it works on the variance-preserving
 * latents and stops at timestep 1 (steps - 1 model calls for txt2img). The
 * program's latents are k-diffusion's (x_vp * sqrt(1 + sigma^2)) so the
 * denoise loop sees one convention; the model is asked at the integer t.
 */
import type { Program } from './program.js';
import { lin } from './program.js';

/** A1111's get_timesteps: clip(range(0, 1000, 1000 // steps) + 1, 0, 999). */
export function a1111DdimTimesteps(steps: number, T = 1000): number[] {
  const stride = Math.max(Math.floor(T / steps), 1);
  const out: number[] = [];
  for (let t = 0; t < T; t += stride) out.push(Math.min(Math.max(t + 1, 0), T - 1));
  return out;
}

export const sigmaOfAlpha = (a: number) => Math.sqrt((1 - a) / a);

/**
 * `timesteps` ascending as A1111 passes them; the input is the latents at
 * `startAlpha` (k-diffusion space).
 */
export function* ddimA1111(
  xVe: Float32Array,
  timesteps: readonly number[],
  ac: ArrayLike<number>,
  startAlpha: number,
): Program {
  const alphas = timesteps.map((t) => ac[t]!);
  const alphasPrev = [0, ...timesteps.slice(0, -1)].map((t) => ac[t]!);
  let x = lin(Math.sqrt(startAlpha), xVe, 0, xVe);
  for (let i = 0; i < timesteps.length - 1; i++) {
    const index = timesteps.length - 1 - i;
    const aT = alphas[index]!;
    const aPrev = alphasPrev[index]!;
    const sigma = sigmaOfAlpha(aT);
    const asked = lin(1 / Math.sqrt(aT), x, 0, x);
    const den = yield { x: asked, sigma, t: timesteps[index]! };
    // The yielded latents may have been blended in place: read them back.
    const xVp = lin(Math.sqrt(aT), asked, 0, asked);
    const eps = lin(1 / sigma, asked, -1 / sigma, den);
    const predX0 = lin(1 / Math.sqrt(aT), xVp, -Math.sqrt(1 - aT) / Math.sqrt(aT), eps);
    x = lin(Math.sqrt(aPrev), predX0, Math.sqrt(1 - aPrev), eps);
  }
  return x;
}
