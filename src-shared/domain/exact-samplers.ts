/**
 * The "exact" sampler family: AUTOMATIC1111's and ComfyUI's k-diffusion
 * samplers with each tool's schedules and noise rules, so that a seed gives
 * the picture that tool gives. One id names the whole recipe:
 *
 *   a1111:<sampler>:<schedule>[:ensd=<n>]     e.g. a1111:dpmpp_2m:karras, a1111:euler_a:automatic:ensd=31337
 *   comfyui:<sampler_name>:<scheduler>        e.g. comfyui:euler_ancestral:normal
 *
 * (ENSD is A1111's "Eta noise seed delta": the ancestral noise comes from
 * seed + ENSD.) The engine (src-main/engine/schedulers/k-diffusion), the
 * Generate form and the metadata readers and writers all read this table.
 */

export type ExactTool = 'a1111' | 'comfyui';

export interface ExactSamplerRow {
  /** Our key, the middle part of the id (ComfyUI's own sampler_name for ComfyUI). */
  readonly key: string;
  /** What the tool shows and writes (A1111's `Sampler`, ComfyUI's sampler_name). */
  readonly toolName: string;
  /** Samplers that ignore the schedule (A1111 DDIM and DPM fast) offer only `automatic`. */
  readonly fixedSchedule?: boolean;
}

export const A1111_EXACT_SAMPLERS = [
  { key: 'euler_a', toolName: 'Euler a' },
  { key: 'euler', toolName: 'Euler' },
  { key: 'lms', toolName: 'LMS' },
  { key: 'heun', toolName: 'Heun' },
  { key: 'dpm2', toolName: 'DPM2' },
  { key: 'dpm2_a', toolName: 'DPM2 a' },
  { key: 'dpmpp_2s_a', toolName: 'DPM++ 2S a' },
  { key: 'dpmpp_2m', toolName: 'DPM++ 2M' },
  { key: 'dpm_fast', toolName: 'DPM fast', fixedSchedule: true },
  { key: 'ddim', toolName: 'DDIM', fixedSchedule: true },
] as const satisfies readonly ExactSamplerRow[];

/** A1111's `Schedule type` values this family runs (its other schedulers are not reproduced yet). */
export const A1111_SCHEDULES = [
  { key: 'automatic', toolName: 'Automatic' },
  { key: 'karras', toolName: 'Karras' },
  { key: 'exponential', toolName: 'Exponential' },
] as const;

export const COMFY_EXACT_SAMPLERS = [
  'euler',
  'euler_ancestral',
  'heun',
  'dpm_2',
  'dpm_2_ancestral',
  'lms',
  'dpmpp_2s_ancestral',
  'dpmpp_2m',
  'ddim',
  'uni_pc',
].map((key) => ({ key, toolName: key })) satisfies readonly ExactSamplerRow[];

export const COMFY_SCHEDULERS = [
  'normal',
  'karras',
  'exponential',
  'sgm_uniform',
  'simple',
  'ddim_uniform',
  'beta',
] as const;

export type A1111SamplerKey = (typeof A1111_EXACT_SAMPLERS)[number]['key'];
export type A1111ScheduleKey = (typeof A1111_SCHEDULES)[number]['key'];
export type ComfyScheduler = (typeof COMFY_SCHEDULERS)[number];

export type ExactSamplerId = `a1111:${string}` | `comfyui:${string}`;

export type ExactSampler =
  | { tool: 'a1111'; sampler: A1111SamplerKey; schedule: A1111ScheduleKey; ensd: number }
  | { tool: 'comfyui'; sampler: string; schedule: ComfyScheduler };

const MAX_ENSD = 2 ** 31 - 1;

/** The parts of an exact id, or null when it is not one this engine runs. */
export function parseExactSampler(id: string): ExactSampler | null {
  const parts = id.split(':');
  if (parts[0] === 'a1111' && (parts.length === 3 || parts.length === 4)) {
    const row = A1111_EXACT_SAMPLERS.find((r) => r.key === parts[1]);
    const schedule = A1111_SCHEDULES.find((s) => s.key === parts[2]);
    if (!row || !schedule) return null;
    if ('fixedSchedule' in row && schedule.key !== 'automatic') return null;
    let ensd = 0;
    if (parts.length === 4) {
      const m = /^ensd=(\d{1,10})$/.exec(parts[3]!);
      if (!m) return null;
      ensd = Number(m[1]);
      if (ensd === 0 || ensd > MAX_ENSD) return null;
    }
    return { tool: 'a1111', sampler: row.key, schedule: schedule.key, ensd };
  }
  if (parts[0] === 'comfyui' && parts.length === 3) {
    if (!COMFY_EXACT_SAMPLERS.some((r) => r.key === parts[1])) return null;
    if (!(COMFY_SCHEDULERS as readonly string[]).includes(parts[2]!)) return null;
    return { tool: 'comfyui', sampler: parts[1]!, schedule: parts[2] as ComfyScheduler };
  }
  return null;
}

export function exactSamplerId(s: ExactSampler): ExactSamplerId {
  if (s.tool === 'a1111') return `a1111:${s.sampler}:${s.schedule}${s.ensd ? `:ensd=${s.ensd}` : ''}`;
  return `comfyui:${s.sampler}:${s.schedule}`;
}

export function isExactSamplerId(id: string): id is ExactSamplerId {
  return parseExactSampler(id) !== null;
}

/** What the tool itself would show: `DPM++ 2M Karras (A1111)`, `euler_ancestral normal (ComfyUI)`. */
export function exactSamplerLabel(s: ExactSampler): string {
  if (s.tool === 'a1111') {
    const name = A1111_EXACT_SAMPLERS.find((r) => r.key === s.sampler)!.toolName;
    const schedule =
      s.schedule === 'automatic' ? '' : ` ${A1111_SCHEDULES.find((x) => x.key === s.schedule)!.toolName}`;
    return `${name}${schedule} (A1111${s.ensd ? `, ENSD ${s.ensd}` : ''})`;
  }
  return `${s.sampler} ${s.schedule} (ComfyUI)`;
}

/** Every id without ENSD: the choices a form offers. */
export const EXACT_SAMPLER_IDS: readonly ExactSamplerId[] = [
  ...A1111_EXACT_SAMPLERS.flatMap((r) =>
    ('fixedSchedule' in r ? A1111_SCHEDULES.slice(0, 1) : A1111_SCHEDULES).map(
      (s) => `a1111:${r.key}:${s.key}` as const,
    ),
  ),
  ...COMFY_EXACT_SAMPLERS.flatMap((r) => COMFY_SCHEDULERS.map((s) => `comfyui:${r.key}:${s}` as const)),
];
