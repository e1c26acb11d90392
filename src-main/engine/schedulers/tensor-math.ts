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
export function vpX0(modelOutput: Float32Array, sample: Float32Array, alphaT: number, sigmaT: number, v: boolean): Float32Array {
  const out = new Float32Array(sample.length);
  if (v) return combine(out, (i) => alphaT * sample[i]! - sigmaT * modelOutput[i]!);
  return combine(out, (i) => (sample[i]! - sigmaT * modelOutput[i]!) / alphaT);
}
