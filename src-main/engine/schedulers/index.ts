/**
 * Sampler name -> scheduler. The model's scheduler_config.json supplies the
 * schedule (betas, prediction type, offsets); each scheduler class keeps its
 * own defaults for the keys that file leaves out, as diffusers' from_config does.
 */
import type { DiffusersSamplerName, SamplerName } from '../../../src-shared/domain/samplers.js';
import { isDiffusersSampler } from '../../../src-shared/domain/samplers.js';
import { parseExactSampler } from '../../../src-shared/domain/exact-samplers.js';
import type { RngMode } from '../../../src-shared/domain/settings.js';
import { KSamplerScheduler } from './k-diffusion/k-scheduler.js';
import { type ComfyNoise, exactRecipe } from './k-diffusion/recipes.js';
import type { Scheduler, SchedulerConfig } from './scheduler.js';
import { SchedulerConfigError } from './scheduler.js';
import { DdimScheduler } from './ddim.js';
import { PndmScheduler } from './pndm.js';
import { LmsScheduler } from './lms.js';
import { EulerScheduler } from './euler.js';
import { EulerAncestralScheduler } from './euler-ancestral.js';
import { HeunScheduler } from './heun.js';
import { Kdpm2Scheduler } from './kdpm2.js';
import { Kdpm2AncestralScheduler } from './kdpm2-ancestral.js';
import { DpmSolverMultistepScheduler } from './dpm-solver-multistep.js';
import { UniPcScheduler } from './unipc.js';
import { LcmScheduler } from './lcm.js';

export type { Scheduler, SchedulerConfig, StepResult } from './scheduler.js';
export { SchedulerConfigError } from './scheduler.js';

const COMMON: SchedulerConfig = {
  num_train_timesteps: 1000,
  beta_start: 0.0001,
  beta_end: 0.02,
  beta_schedule: 'linear',
  prediction_type: 'epsilon',
  timestep_spacing: 'linspace',
  steps_offset: 0,
  set_alpha_to_one: false,
  clip_sample: false,
  use_karras_sigmas: false,
  algorithm_type: 'dpmsolver++',
  original_inference_steps: 50,
  timestep_scaling: 10,
};

type Family = {
  make: (config: SchedulerConfig, steps: number) => Scheduler;
  /** The class's own defaults (diffusers __init__ defaults that differ from COMMON). */
  defaults: Partial<SchedulerConfig>;
  /** What the sampler name itself fixes. */
  overrides: Partial<SchedulerConfig>;
};

const FAMILIES: Record<DiffusersSamplerName, Family> = {
  ddim: {
    make: (c, s) => new DdimScheduler(c, s),
    defaults: { timestep_spacing: 'leading', set_alpha_to_one: true, clip_sample: true },
    overrides: {},
  },
  pndm: { make: (c, s) => new PndmScheduler(c, s), defaults: { timestep_spacing: 'leading' }, overrides: {} },
  lms: { make: (c, s) => new LmsScheduler(c, s), defaults: {}, overrides: { use_karras_sigmas: false } },
  lms_karras: { make: (c, s) => new LmsScheduler(c, s), defaults: {}, overrides: { use_karras_sigmas: true } },
  euler: { make: (c, s) => new EulerScheduler(c, s), defaults: {}, overrides: { use_karras_sigmas: false } },
  euler_karras: { make: (c, s) => new EulerScheduler(c, s), defaults: {}, overrides: { use_karras_sigmas: true } },
  euler_a: { make: (c, s) => new EulerAncestralScheduler(c, s), defaults: {}, overrides: { use_karras_sigmas: false } },
  heun: { make: (c, s) => new HeunScheduler(c, s), defaults: {}, overrides: { use_karras_sigmas: false } },
  dpm2: { make: (c, s) => new Kdpm2Scheduler(c, s), defaults: {}, overrides: { use_karras_sigmas: false } },
  dpm2_a: { make: (c, s) => new Kdpm2AncestralScheduler(c, s), defaults: {}, overrides: { use_karras_sigmas: false } },
  dpmpp_2m: {
    make: (c, s) => new DpmSolverMultistepScheduler(c, s),
    defaults: {},
    overrides: { use_karras_sigmas: false, algorithm_type: 'dpmsolver++' },
  },
  dpmpp_2m_karras: {
    make: (c, s) => new DpmSolverMultistepScheduler(c, s),
    defaults: {},
    overrides: { use_karras_sigmas: true, algorithm_type: 'dpmsolver++' },
  },
  dpmpp_2m_sde_karras: {
    make: (c, s) => new DpmSolverMultistepScheduler(c, s),
    defaults: {},
    overrides: { use_karras_sigmas: true, algorithm_type: 'sde-dpmsolver++' },
  },
  unipc: { make: (c, s) => new UniPcScheduler(c, s), defaults: {}, overrides: { use_karras_sigmas: false } },
  lcm: { make: (c, s) => new LcmScheduler(c, s), defaults: { timestep_spacing: 'leading' }, overrides: {} },
};

const KNOWN_KEYS = new Set(Object.keys(COMMON));

/** Picks the keys this engine understands from a scheduler_config.json object. */
export function schedulerKeysFromFile(file: Record<string, unknown>): Partial<SchedulerConfig> {
  return Object.fromEntries(
    Object.entries(file).filter(([k, v]) => KNOWN_KEYS.has(k) && v !== null),
  ) as Partial<SchedulerConfig>;
}

/** The full config a sampler runs with for a model's scheduler file. */
export function resolveSchedulerConfig(sampler: SamplerName, file: Record<string, unknown>): SchedulerConfig {
  // The exact family reads only the schedule (betas, prediction type) from the file.
  const family = isDiffusersSampler(sampler) ? FAMILIES[sampler] : { defaults: {}, overrides: {} };
  const config = { ...COMMON, ...family.defaults, ...schedulerKeysFromFile(file), ...family.overrides };
  if (!['epsilon', 'v_prediction'].includes(config.prediction_type)) {
    throw new SchedulerConfigError(
      `prediction_type ${JSON.stringify(config.prediction_type)} is not supported (epsilon or v_prediction)`,
    );
  }
  if (!['leading', 'trailing', 'linspace'].includes(config.timestep_spacing)) {
    throw new SchedulerConfigError(`timestep_spacing ${JSON.stringify(config.timestep_spacing)} is not supported`);
  }
  return config;
}

export interface SchedulerOptions {
  /** img2img / inpainting strength below 1: the exact family cuts its schedule the way its tool does. */
  strength?: number;
  /** ComfyUI's ancestral noise rule (conformance runs both). */
  comfyNoise?: ComfyNoise;
  /** A1111's DPM adaptive (conformance only). */
  allowAdaptive?: boolean;
}

export function createScheduler(
  sampler: SamplerName,
  file: Record<string, unknown>,
  steps: number,
  opts: SchedulerOptions = {},
): Scheduler {
  if (!Number.isInteger(steps) || steps < 1)
    throw new SchedulerConfigError(`steps must be a positive integer, got ${steps}`);
  const config = resolveSchedulerConfig(sampler, file);
  const exact = parseExactSampler(sampler);
  if (exact) {
    const recipe = exactRecipe(exact, config, steps, opts);
    return new KSamplerScheduler(recipe, config.prediction_type === 'v_prediction');
  }
  return FAMILIES[sampler as DiffusersSamplerName].make(config, steps);
}

/**
 * Index of the first model call of an img2img run: diffusers skips the first
 * (1 - strength) of the calls; the exact family's schedule is already cut.
 */
export function firstCall(scheduler: Scheduler, steps: number, strength: number): number {
  if (scheduler instanceof KSamplerScheduler) return 0;
  const initTimestep = Math.min(Math.floor(steps * strength), steps);
  return Math.max(steps - initTimestep, 0) * scheduler.order;
}

/** Where the initial noise is drawn: ComfyUI always draws it on the CPU, whatever the device. */
export function initialNoiseRng(sampler: SamplerName, rng: RngMode): RngMode {
  return parseExactSampler(sampler)?.tool === 'comfyui' ? 'cpu' : rng;
}

export function isSamplerName(name: string): name is SamplerName {
  return isDiffusersSampler(name) || parseExactSampler(name) !== null;
}
