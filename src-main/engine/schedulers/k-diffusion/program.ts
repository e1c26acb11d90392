/**
 * A sampler written as k-diffusion writes it: a loop that asks for the
 * denoiser's output at (x, sigma) whenever it needs one. In TypeScript the
 * loop is a generator: it yields a ModelCall and receives `denoised`; its
 * return value is the sampler's output. Latents are in k-diffusion's space
 * (x = x0 + sigma * noise) at every call; the input is that space at
 * `startSigma` (see recipes.ts).
 *
 * A yielded array is never written to by the program afterwards, and the
 * program reads it again after the yield: the denoise loop may blend it in
 * place (inpainting) and the program continues from the blended latents.
 */
export interface ModelCall {
  x: Float32Array;
  sigma: number;
  /** The model's timestep when the sampler sets it itself (A1111's DDIM); else the tool's sigma -> t map. */
  t?: number;
}

export type Program = Generator<ModelCall, Float32Array, Float32Array>;

export interface NoiseSource {
  /** The next standard normal tensor of the latents' size. */
  next(): Float32Array;
  /** A draw the sampler makes and ignores (k-diffusion's s_churn noise): it only moves the stream on. */
  skip(): void;
}

export type ProgramFn = (x: Float32Array, sigmas: readonly number[], noise: NoiseSource) => Program;

/** out[j] = a * x[j] + b * y[j] (+ c * z[j]). */
export function lin(a: number, x: Float32Array, b: number, y: Float32Array, c = 0, z?: Float32Array): Float32Array {
  const out = new Float32Array(x.length);
  if (z && c !== 0) for (let j = 0; j < out.length; j++) out[j] = a * x[j]! + b * y[j]! + c * z[j]!;
  else for (let j = 0; j < out.length; j++) out[j] = a * x[j]! + b * y[j]!;
  return out;
}

/** k-diffusion to_d: (x - denoised) / sigma. */
export function toD(x: Float32Array, denoised: Float32Array, sigma: number): Float32Array {
  return lin(1 / sigma, x, -1 / sigma, denoised);
}

/** k-diffusion get_ancestral_step (eta 1 unless given). */
export function ancestralStep(from: number, to: number, eta = 1): { down: number; up: number } {
  if (!eta) return { down: to, up: 0 };
  const up = Math.min(to, eta * Math.sqrt((to * to * (from * from - to * to)) / (from * from)));
  return { down: Math.sqrt(to * to - up * up), up };
}
