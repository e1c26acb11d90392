/** Element-wise helpers over flat latents; results are new arrays. */
export function combine(out: Float32Array, fn: (i: number) => number): Float32Array {
  for (let i = 0; i < out.length; i++) out[i] = fn(i);
  return out;
}

export function scale(x: Float32Array, s: number): Float32Array {
  return combine(new Float32Array(x.length), (i) => x[i]! * s);
}

/** x0 from a sigma-space model output (k-diffusion's denoiser, epsilon or v). */
export function sigmaSpaceX0(modelOutput: Float32Array, sample: Float32Array, sigma: number, v: boolean): Float32Array {
  const out = new Float32Array(sample.length);
  if (!v) return combine(out, (i) => sample[i]! - sigma * modelOutput[i]!);
  const cOut = -sigma / Math.sqrt(sigma * sigma + 1);
  const cSkip = 1 / (sigma * sigma + 1);
  return combine(out, (i) => modelOutput[i]! * cOut + sample[i]! * cSkip);
}

/** x0 from a VP-space model output with alpha_t, sigma_t. */
export function vpX0(
  modelOutput: Float32Array,
  sample: Float32Array,
  alphaT: number,
  sigmaT: number,
  v: boolean,
): Float32Array {
  const out = new Float32Array(sample.length);
  if (v) return combine(out, (i) => alphaT * sample[i]! - sigmaT * modelOutput[i]!);
  return combine(out, (i) => (sample[i]! - sigmaT * modelOutput[i]!) / alphaT);
}

/** Model input in sigma space: x / sqrt(sigma^2 + 1). */
export function scaleForSigma(sample: Float32Array, sigma: number): Float32Array {
  const k = 1 / Math.sqrt(sigma * sigma + 1);
  return combine(new Float32Array(sample.length), (j) => sample[j]! * k);
}

/** Noised latents in sigma space: x0 + sigma * noise. */
export function addSigmaNoise(original: Float32Array, noise: Float32Array, sigma: number): Float32Array {
  return combine(new Float32Array(original.length), (j) => original[j]! + noise[j]! * sigma);
}

/** Noised latents in VP space at a VE sigma: alpha_t * x0 + sigma_t * noise. */
export function addVpNoiseAtSigma(original: Float32Array, noise: Float32Array, sigma: number): Float32Array {
  const alpha = 1 / Math.sqrt(sigma * sigma + 1);
  const sigmaT = sigma * alpha;
  return combine(new Float32Array(original.length), (j) => alpha * original[j]! + sigmaT * noise[j]!);
}

/** Adds noise in VP space at integer timestep t: sqrt(ac) x0 + sqrt(1 - ac) noise. */
export function vpAddNoise(ac: Float64Array, original: Float32Array, noise: Float32Array, t: number): Float32Array {
  const a = Math.sqrt(ac[t]!);
  const b = Math.sqrt(1 - ac[t]!);
  return combine(new Float32Array(original.length), (j) => a * original[j]! + b * noise[j]!);
}

/** One Euler step in sigma space: x + (x - x0) / sigma * dt. */
export function eulerStep(sample: Float32Array, x0: Float32Array, sigma: number, dt: number): Float32Array {
  return combine(new Float32Array(sample.length), (j) => sample[j]! + ((sample[j]! - x0[j]!) / sigma) * dt);
}
