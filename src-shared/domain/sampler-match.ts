/**
 * What the gallery says about a picture from another tool: whether a remix
 * with the same seed reproduces it, and if not, why. Read from the item's
 * sampler (our id, chosen on import) and the tool's own sampler label.
 */
import { parseExactSampler } from './exact-samplers.js';
import { type SamplerName, samplerLabel } from './samplers.js';

export interface SamplerMatch {
  exact: boolean;
  text: string;
}

const COMFY_ANCESTRAL = new Set(['euler_ancestral', 'dpm_2_ancestral', 'dpmpp_2s_ancestral']);

/** Why a tool's sampler is not reproduced, by the name the tool wrote. */
function reasonFor(label: string): string {
  const l = label.toLowerCase();
  if (/sde/.test(l)) return 'its noise comes from a Brownian tree (torchsde), which is not reproduced';
  if (/adaptive/.test(l)) return 'DPM adaptive picks its steps from the picture and is not offered';
  if (/unipc|uni_pc/.test(l)) return "A1111's own UniPC is not reproduced";
  return 'that sampler or schedule is not one the exact family runs';
}

/** Null for pictures made here (they reproduce by construction) or with no sampler recorded. */
export function samplerMatch(
  source: string,
  sampler: SamplerName | null,
  toolLabel: string | null,
  rng: string | null,
): SamplerMatch | null {
  if (source === 'latent-studio' || source === 'generated') return null;
  if (!sampler)
    return toolLabel ? { exact: false, text: `${toolLabel} is not known here: a remix uses the form's sampler` } : null;
  const exact = parseExactSampler(sampler);
  if (exact?.tool === 'a1111') {
    const noise = rng === 'gpu' ? " (GPU noise through torch's CUDA generator, reproduced on the CPU)" : '';
    return { exact: true, text: `Reproduced as AUTOMATIC1111 samples it${noise}` };
  }
  if (exact?.tool === 'comfyui') {
    return {
      exact: true,
      text: COMFY_ANCESTRAL.has(exact.sampler)
        ? 'Reproduced as ComfyUI samples it on the CPU; ComfyUI on an NVIDIA GPU draws the ancestral noise there, which is not reproduced'
        : 'Reproduced as ComfyUI samples it',
    };
  }
  return {
    exact: false,
    text: `Not exact: ${reasonFor(toolLabel ?? sampler)}; a remix runs diffusers' ${samplerLabel(sampler)}`,
  };
}
