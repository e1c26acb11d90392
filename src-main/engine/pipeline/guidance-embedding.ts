/**
 * The guidance-scale embedding LCM-distilled UNets take instead of running
 * classifier-free guidance (diffusers' get_guidance_scale_embedding, with
 * w = guidance_scale - 1 as its LCM pipeline passes it): sinusoidal features
 * of w * 1000, sines then cosines.
 */
export function guidanceScaleEmbedding(guidanceScale: number, dim: number): Float32Array {
  const w = (guidanceScale - 1) * 1000;
  const half = Math.floor(dim / 2);
  const step = Math.log(10000) / (half - 1);
  const out = new Float32Array(dim);
  for (let i = 0; i < half; i++) {
    const x = w * Math.exp(-step * i);
    out[i] = Math.sin(x);
    out[half + i] = Math.cos(x);
  }
  return out;
}
