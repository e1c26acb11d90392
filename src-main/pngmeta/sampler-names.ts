/**
 * Other tools' sampler names -> ours, read from the one sampler table
 * (src-shared/domain/samplers.ts).
 */
import { SAMPLERS, type SamplerName, samplerInfo } from '../../src-shared/domain/samplers.js';

export function toA1111Sampler(name: SamplerName): { sampler: string; schedule: string } {
  return samplerInfo(name).a1111;
}

/**
 * Among the rows a tool's sampler name matches, the one with the schedule
 * asked for, else the plain one: a sampler we know with a schedule we do not
 * keeps the sampler.
 */
function pick(matches: readonly (typeof SAMPLERS)[number][], karras: boolean): SamplerName | null {
  const isKarras = (s: (typeof SAMPLERS)[number]) => s.a1111.schedule === 'Karras';
  return (matches.find((s) => isKarras(s) === karras) ?? matches.find((s) => !isKarras(s)))?.name ?? null;
}

/**
 * A1111 sampler (+ schedule type) -> ours. Old infotexts put the schedule in
 * the sampler name ("DPM++ 2M Karras"); both forms are understood.
 */
export function fromA1111Sampler(sampler: string, schedule?: string): SamplerName | null {
  let s = sampler.trim().toLowerCase();
  let karras = schedule?.trim().toLowerCase() === 'karras';
  if (/\skarras$/.test(s)) {
    karras = true;
    s = s.replace(/\skarras$/, '');
  }
  return pick(
    SAMPLERS.filter((row) => row.a1111.sampler.toLowerCase() === s),
    karras,
  );
}

/** ComfyUI variants that run the same algorithm as a sampler in the table. */
const COMFY_ALIASES: Record<string, string> = { dpmpp_2m_sde_gpu: 'dpmpp_2m_sde', uni_pc_bh2: 'uni_pc' };

/** ComfyUI sampler_name + scheduler -> ours. */
export function fromComfySampler(name: string, scheduler?: string): SamplerName | null {
  const comfyName = COMFY_ALIASES[name] ?? name;
  const matches = SAMPLERS.filter((row) => row.comfy?.sampler === comfyName);
  // ComfyUI runs some samplers on any schedule where we have only one variant (DPM++ 2M SDE): take it.
  return pick(matches, scheduler === 'karras') ?? matches[0]?.name ?? null;
}

/** InvokeAI scheduler names -> ours. */
export function fromInvokeScheduler(name: string): SamplerName | null {
  return SAMPLERS.find((row) => row.invoke === name)?.name ?? null;
}
