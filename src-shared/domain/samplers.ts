/**
 * The sampler table: one row per sampler the engine runs, with the names the
 * other tools write for it. Everything that names a sampler (the engine's
 * enum, the Generate form, A1111 infotexts, ComfyUI and InvokeAI imports)
 * reads it from here.
 */
import { z } from 'zod';
import {
  A1111_EXACT_SAMPLERS,
  COMFY_EXACT_SAMPLERS,
  EXACT_SAMPLER_IDS,
  type ExactSampler,
  type ExactSamplerId,
  exactSamplerId,
  exactSamplerLabel,
  isExactSamplerId,
  parseExactSampler,
} from './exact-samplers.js';

export interface SamplerInfo {
  /** Our id: the engine's scheduler name and the gallery's column. */
  readonly name: string;
  /** What the Generate form shows. */
  readonly label: string;
  /** AUTOMATIC1111's `Sampler` and `Schedule type` pair. */
  readonly a1111: { readonly sampler: string; readonly schedule: 'Automatic' | 'Karras' };
  /** ComfyUI's KSampler `sampler_name` and `scheduler`; null where ComfyUI has no such sampler. */
  readonly comfy: { readonly sampler: string; readonly scheduler: 'normal' | 'karras' | 'ddim_uniform' } | null;
  /** InvokeAI's scheduler name (diffusers-based, `_k` = Karras). */
  readonly invoke: string;
}

export const SAMPLERS = [
  {
    name: 'ddim',
    label: 'DDIM',
    a1111: { sampler: 'DDIM', schedule: 'Automatic' },
    comfy: { sampler: 'ddim', scheduler: 'ddim_uniform' },
    invoke: 'ddim',
  },
  { name: 'pndm', label: 'PLMS', a1111: { sampler: 'PLMS', schedule: 'Automatic' }, comfy: null, invoke: 'pndm' },
  {
    name: 'lms',
    label: 'LMS',
    a1111: { sampler: 'LMS', schedule: 'Automatic' },
    comfy: { sampler: 'lms', scheduler: 'normal' },
    invoke: 'lms',
  },
  {
    name: 'lms_karras',
    label: 'LMS Karras',
    a1111: { sampler: 'LMS', schedule: 'Karras' },
    comfy: { sampler: 'lms', scheduler: 'karras' },
    invoke: 'lms_k',
  },
  {
    name: 'euler',
    label: 'Euler',
    a1111: { sampler: 'Euler', schedule: 'Automatic' },
    comfy: { sampler: 'euler', scheduler: 'normal' },
    invoke: 'euler',
  },
  {
    name: 'euler_karras',
    label: 'Euler Karras',
    a1111: { sampler: 'Euler', schedule: 'Karras' },
    comfy: { sampler: 'euler', scheduler: 'karras' },
    invoke: 'euler_k',
  },
  {
    name: 'euler_a',
    label: 'Euler a',
    a1111: { sampler: 'Euler a', schedule: 'Automatic' },
    comfy: { sampler: 'euler_ancestral', scheduler: 'normal' },
    invoke: 'euler_a',
  },
  {
    name: 'heun',
    label: 'Heun',
    a1111: { sampler: 'Heun', schedule: 'Automatic' },
    comfy: { sampler: 'heun', scheduler: 'normal' },
    invoke: 'heun',
  },
  {
    name: 'dpm2',
    label: 'DPM2',
    a1111: { sampler: 'DPM2', schedule: 'Automatic' },
    comfy: { sampler: 'dpm_2', scheduler: 'normal' },
    invoke: 'kdpm_2',
  },
  {
    name: 'dpm2_a',
    label: 'DPM2 a',
    a1111: { sampler: 'DPM2 a', schedule: 'Automatic' },
    comfy: { sampler: 'dpm_2_ancestral', scheduler: 'normal' },
    invoke: 'kdpm_2_a',
  },
  {
    name: 'dpmpp_2m',
    label: 'DPM++ 2M',
    a1111: { sampler: 'DPM++ 2M', schedule: 'Automatic' },
    comfy: { sampler: 'dpmpp_2m', scheduler: 'normal' },
    invoke: 'dpmpp_2m',
  },
  {
    name: 'dpmpp_2m_karras',
    label: 'DPM++ 2M Karras',
    a1111: { sampler: 'DPM++ 2M', schedule: 'Karras' },
    comfy: { sampler: 'dpmpp_2m', scheduler: 'karras' },
    invoke: 'dpmpp_2m_k',
  },
  {
    name: 'dpmpp_2m_sde_karras',
    label: 'DPM++ 2M SDE Karras',
    a1111: { sampler: 'DPM++ 2M SDE', schedule: 'Karras' },
    comfy: { sampler: 'dpmpp_2m_sde', scheduler: 'karras' },
    invoke: 'dpmpp_2m_sde_k',
  },
  {
    name: 'unipc',
    label: 'UniPC',
    a1111: { sampler: 'UniPC', schedule: 'Automatic' },
    comfy: { sampler: 'uni_pc', scheduler: 'normal' },
    invoke: 'unipc',
  },
  {
    name: 'lcm',
    label: 'LCM',
    a1111: { sampler: 'LCM', schedule: 'Automatic' },
    comfy: { sampler: 'lcm', scheduler: 'normal' },
    invoke: 'lcm',
  },
] as const satisfies readonly SamplerInfo[];

/** The diffusers family: one row each in the table above. */
export type DiffusersSamplerName = (typeof SAMPLERS)[number]['name'];
export const DIFFUSERS_SAMPLER_NAMES = SAMPLERS.map((s) => s.name) as [DiffusersSamplerName, ...DiffusersSamplerName[]];

/** Any sampler the engine runs: a diffusers row, or an A1111 / ComfyUI exact recipe (exact-samplers.ts). */
export type SamplerName = DiffusersSamplerName | ExactSamplerId;

/** The names a form or a command line offers (exact ids without ENSD). */
export const SAMPLER_NAMES: readonly SamplerName[] = [...DIFFUSERS_SAMPLER_NAMES, ...EXACT_SAMPLER_IDS];

const byName = new Map<string, SamplerInfo>(SAMPLERS.map((s) => [s.name, s]));

export function isDiffusersSampler(name: string): name is DiffusersSamplerName {
  return byName.has(name);
}

export function isKnownSampler(name: string): name is SamplerName {
  return isDiffusersSampler(name) || isExactSamplerId(name);
}

export const zSamplerName = z
  .string()
  .max(80)
  .refine(isKnownSampler, {
    message: 'unknown sampler: a diffusers name, a1111:SAMPLER:SCHEDULE or comfyui:SAMPLER:SCHEDULER',
  })
  .transform((v) => v as SamplerName);

export function samplerInfo(name: DiffusersSamplerName): SamplerInfo {
  return byName.get(name)!;
}

export function samplerLabel(name: SamplerName): string {
  const exact = parseExactSampler(name);
  return exact ? exactSamplerLabel(exact) : samplerInfo(name as DiffusersSamplerName).label;
}

export type SamplerFamily = 'diffusers' | ExactSampler['tool'];

export function samplerFamily(name: SamplerName): SamplerFamily {
  return parseExactSampler(name)?.tool ?? 'diffusers';
}

/**
 * The same algorithm in another family where it has one (diffusers' DPM++ 2M
 * Karras <-> A1111's DPM++ 2M with the Karras schedule <-> ComfyUI's dpmpp_2m
 * karras), else that family's Euler a.
 */
export function switchSamplerFamily(name: SamplerName, family: SamplerFamily): SamplerName {
  if (samplerFamily(name) === family) return name;
  const exact = parseExactSampler(name);
  // Through the diffusers row, which names the sampler in every tool.
  const row = exact
    ? SAMPLERS.find((r) =>
        exact.tool === 'a1111'
          ? r.a1111.sampler === A1111_EXACT_SAMPLERS.find((a) => a.key === exact.sampler)?.toolName &&
            r.a1111.schedule.toLowerCase() === (exact.schedule === 'karras' ? 'karras' : 'automatic')
          : r.comfy?.sampler === exact.sampler && r.comfy.scheduler === exact.schedule,
      )
    : byName.get(name);
  if (family === 'diffusers') return (row?.name as DiffusersSamplerName | undefined) ?? 'euler_a';
  if (family === 'a1111') {
    const a = row && A1111_EXACT_SAMPLERS.find((x) => x.toolName === row.a1111.sampler);
    if (!a) return 'a1111:euler_a:automatic';
    const schedule = 'fixedSchedule' in a || row!.a1111.schedule === 'Automatic' ? 'automatic' : 'karras';
    return exactSamplerId({ tool: 'a1111', sampler: a.key, schedule, ensd: 0 });
  }
  const c = row?.comfy;
  return c && COMFY_EXACT_SAMPLERS.some((x) => x.key === c.sampler)
    ? exactSamplerId({ tool: 'comfyui', sampler: c.sampler, schedule: c.scheduler })
    : 'comfyui:euler_ancestral:normal';
}

/** An exact id with one part changed (a fixed-schedule A1111 sampler keeps `automatic`). */
export function withExactPart(
  name: SamplerName,
  part: { sampler?: string; schedule?: string; ensd?: number },
): SamplerName {
  const exact = parseExactSampler(name);
  if (!exact) return name;
  if (exact.tool === 'a1111') {
    const row = A1111_EXACT_SAMPLERS.find((r) => r.key === (part.sampler ?? exact.sampler));
    if (!row) return name;
    const schedule = 'fixedSchedule' in row ? 'automatic' : (part.schedule ?? exact.schedule);
    const ensd = Math.max(0, Math.min(2 ** 31 - 1, Math.trunc(part.ensd ?? exact.ensd) || 0));
    const id = `a1111:${row.key}:${schedule}${ensd ? `:ensd=${ensd}` : ''}`;
    return isExactSamplerId(id) ? id : name;
  }
  const id = `comfyui:${part.sampler ?? exact.sampler}:${part.schedule ?? exact.schedule}`;
  return isExactSamplerId(id) ? id : name;
}
