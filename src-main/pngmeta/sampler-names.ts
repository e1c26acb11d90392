/**
 * Other tools' sampler names <-> ours. A tool's sampler that the exact family
 * reproduces maps to that tool's exact recipe (a1111:... / comfyui:...); any
 * other maps to the nearest diffusers sampler of the table
 * (src-shared/domain/samplers.ts), and the gallery says it is not exact.
 */
import {
  A1111_EXACT_SAMPLERS,
  A1111_SCHEDULES,
  COMFY_EXACT_SAMPLERS,
  COMFY_SCHEDULERS,
  type ComfyScheduler,
  exactSamplerId,
  parseExactSampler,
} from '../../src-shared/domain/exact-samplers.js';
import {
  type DiffusersSamplerName,
  SAMPLERS,
  type SamplerName,
  samplerInfo,
} from '../../src-shared/domain/samplers.js';

/** A1111's Schedule type for each ComfyUI scheduler (A1111 1.10 has them all under these names). */
const COMFY_TO_A1111_SCHEDULE: Record<ComfyScheduler, string> = {
  normal: 'Normal',
  karras: 'Karras',
  exponential: 'Exponential',
  sgm_uniform: 'SGM Uniform',
  simple: 'Simple',
  ddim_uniform: 'DDIM',
  beta: 'Beta',
};

/** A1111's name of the same algorithm as a ComfyUI sampler (for the `parameters` text of a ComfyUI-exact picture). */
const COMFY_TO_A1111_SAMPLER: Record<string, string> = {
  euler: 'Euler',
  ddim: 'Euler',
  euler_ancestral: 'Euler a',
  heun: 'Heun',
  dpm_2: 'DPM2',
  dpm_2_ancestral: 'DPM2 a',
  lms: 'LMS',
  dpmpp_2s_ancestral: 'DPM++ 2S a',
  dpmpp_2m: 'DPM++ 2M',
  uni_pc: 'UniPC',
};

/** A1111's `Sampler` and `Schedule type` (and ENSD, for a1111 ids that set it). */
export function toA1111Sampler(name: SamplerName): { sampler: string; schedule: string; ensd?: number } {
  const exact = parseExactSampler(name);
  if (exact?.tool === 'a1111') {
    return {
      sampler: A1111_EXACT_SAMPLERS.find((r) => r.key === exact.sampler)!.toolName,
      schedule: A1111_SCHEDULES.find((s) => s.key === exact.schedule)!.toolName,
      ...(exact.ensd ? { ensd: exact.ensd } : {}),
    };
  }
  if (exact?.tool === 'comfyui')
    return { sampler: COMFY_TO_A1111_SAMPLER[exact.sampler]!, schedule: COMFY_TO_A1111_SCHEDULE[exact.schedule] };
  return samplerInfo(name as DiffusersSamplerName).a1111;
}

/**
 * Among the rows a tool's sampler name matches, the one with the schedule
 * asked for, else the plain one: a sampler we know with a schedule we do not
 * keeps the sampler.
 */
function pick(matches: readonly (typeof SAMPLERS)[number][], karras: boolean): DiffusersSamplerName | null {
  const isKarras = (s: (typeof SAMPLERS)[number]) => s.a1111.schedule === 'Karras';
  return (matches.find((s) => isKarras(s) === karras) ?? matches.find((s) => !isKarras(s)))?.name ?? null;
}

/**
 * A1111 sampler (+ schedule type, ENSD) -> ours: the exact recipe when A1111's
 * sampler and schedule are ones it reproduces, else the nearest diffusers
 * sampler. Old infotexts put the schedule in the sampler name ("DPM++ 2M
 * Karras"); both forms are understood.
 */
export function fromA1111Sampler(sampler: string, schedule?: string, ensd?: number | null): SamplerName | null {
  let s = sampler.trim().toLowerCase();
  let scheduleName = schedule?.trim().toLowerCase() || 'automatic';
  const suffix = /\s(karras|exponential)$/.exec(s);
  if (suffix) {
    scheduleName = suffix[1]!;
    s = s.slice(0, suffix.index);
  }
  const row = A1111_EXACT_SAMPLERS.find((r) => r.toolName.toLowerCase() === s);
  const sched = A1111_SCHEDULES.find((x) => x.key === scheduleName || x.toolName.toLowerCase() === scheduleName);
  const ensdValue = ensd && Number.isInteger(ensd) && ensd > 0 && ensd < 2 ** 31 ? ensd : 0;
  if (row && sched && !('fixedSchedule' in row && sched.key !== 'automatic'))
    return exactSamplerId({ tool: 'a1111', sampler: row.key, schedule: sched.key, ensd: ensdValue });
  return pick(
    SAMPLERS.filter((r) => r.a1111.sampler.toLowerCase() === s),
    scheduleName === 'karras',
  );
}

/** ComfyUI variants that run the same algorithm as a sampler in the table. */
const COMFY_ALIASES: Record<string, string> = { dpmpp_2m_sde_gpu: 'dpmpp_2m_sde', uni_pc_bh2: 'uni_pc' };

/** ComfyUI sampler_name + scheduler -> its exact recipe, else the nearest diffusers sampler. */
export function fromComfySampler(name: string, scheduler?: string): SamplerName | null {
  if (
    COMFY_EXACT_SAMPLERS.some((r) => r.key === name) &&
    (COMFY_SCHEDULERS as readonly string[]).includes(scheduler ?? '')
  )
    return exactSamplerId({ tool: 'comfyui', sampler: name, schedule: scheduler as ComfyScheduler });
  const comfyName = COMFY_ALIASES[name] ?? name;
  const matches = SAMPLERS.filter((row) => row.comfy?.sampler === comfyName);
  // ComfyUI runs some samplers on any schedule where we have only one variant (DPM++ 2M SDE): take it.
  return pick(matches, scheduler === 'karras') ?? matches[0]?.name ?? null;
}

/** InvokeAI scheduler names -> ours. */
export function fromInvokeScheduler(name: string): SamplerName | null {
  return SAMPLERS.find((row) => row.invoke === name)?.name ?? null;
}
