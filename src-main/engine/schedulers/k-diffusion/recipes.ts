/**
 * Each tool's rules around the sampler, as one recipe per generation: the
 * schedule it hands the sampler (with A1111's and ComfyUI's img2img cuts),
 * the level of the starting latents, how the model's timestep follows from
 * sigma, and where the sampler's noise comes from.
 *
 * A1111 (v1.10): x_init * sigmas[0]; every later draw continues the image's
 * own generator (CPU or GPU, as set), or a fresh one seeded seed + ENSD.
 * ComfyUI: x_init from a CPU generator; starts at x_init * sqrt(1 + s0^2)
 * when s0 is the model's sigma_max, else x_init * s0; ancestral draws from a
 * CPU generator seeded seed + 1 (upstream since late 2025; `seed` for v0.3.64
 * and earlier). On CUDA ComfyUI draws them on the GPU: not matched.
 */
import type { ExactSampler } from '../../../../src-shared/domain/exact-samplers.js';
import type { NoiseGenerator } from '../../rng/noise-generator.js';
import type { SchedulerConfig } from '../scheduler.js';
import { SchedulerConfigError } from '../scheduler.js';
import { ddimA1111, a1111DdimTimesteps, sigmaOfAlpha } from './ddim-a1111.js';
import { type DiscreteSigmas, a1111Sigmas, comfySigmas } from './discrete-sigmas.js';
import { dpmAdaptive, dpmFast } from './dpm-solver.js';
import { type KSamplerKey, kSampler } from './k-samplers.js';
import type { NoiseSource, Program } from './program.js';
import { a1111Schedule, comfySchedule, discardPenultimate } from './sigma-schedules.js';
import { uniPc } from './uni-pc.js';

export interface Recipe {
  /** The sigmas handed to the sampler, 0 last (A1111's DDIM and DPM-Solver pick their own calls). */
  readonly sigmas: readonly number[];
  /** Noise level of the latents the program starts from (img2img noises the init image to it). */
  readonly startSigma: number;
  /** txt2img starts from x_init * initNoiseSigma. */
  readonly initNoiseSigma: number;
  /** The model's timestep at a sigma (each tool's map); a call may set its own. */
  modelTime(sigma: number): number;
  /** The generator the sampler's own draws come from, given the image's (which drew x_init). */
  samplerNoise(image: NoiseGenerator): NoiseGenerator;
  program(x: Float32Array, noise: NoiseSource): Program;
}

/** ComfyUI's noise rule for ancestral draws: `plus-one` is upstream's CPU behaviour since late 2025. */
export type ComfyNoise = 'seed' | 'seed-plus-one';

export interface RecipeOptions {
  /** img2img strength (A1111's denoising strength, ComfyUI's denoise); 1 = txt2img. */
  strength?: number;
  comfyNoise?: ComfyNoise;
  /** A1111's DPM adaptive: test and conformance only (its calls depend on the picture). */
  allowAdaptive?: boolean;
}

const A1111_KARRAS_BY_DEFAULT = new Set(['dpm2', 'dpm2_a', 'dpmpp_2s_a', 'dpmpp_2m']);
const A1111_DISCARD = new Set(['dpm2', 'dpm2_a']);
const COMFY_DISCARD = new Set(['dpm_2', 'dpm_2_ancestral', 'uni_pc']);
const A1111_ETA = 1;

const COMFY_PROGRAMS: Record<string, KSamplerKey | 'uni_pc'> = {
  euler: 'euler',
  ddim: 'euler',
  euler_ancestral: 'euler_a',
  heun: 'heun',
  dpm_2: 'dpm2',
  dpm_2_ancestral: 'dpm2_a',
  lms: 'lms',
  dpmpp_2s_ancestral: 'dpmpp_2s_a',
  dpmpp_2m: 'dpmpp_2m',
  uni_pc: 'uni_pc',
};

function noStepsLeft(strength: number, steps: number): SchedulerConfigError {
  return new SchedulerConfigError(
    `Strength ${strength} with ${steps} steps leaves no step to run; raise strength or steps`,
  );
}

export function a1111Recipe(
  spec: { sampler: string; schedule: string; ensd: number },
  config: SchedulerConfig,
  steps: number,
  opts: RecipeOptions = {},
): Recipe {
  const table = a1111Sigmas(config);
  const strength = opts.strength ?? 1;
  const img2img = strength < 1;
  const tEnc = Math.floor(Math.min(strength, 0.999) * steps);
  const samplerNoise = (image: NoiseGenerator) => (spec.ensd ? image.reseeded(image.seed + spec.ensd) : image);
  const modelTime = (sigma: number) => table.fractionalT(sigma);

  if (spec.sampler === 'ddim') {
    const all = a1111DdimTimesteps(steps, table.sigmas.length);
    const timesteps = img2img ? all.slice(0, tEnc) : all;
    if (timesteps.length < 2) throw noStepsLeft(strength, steps);
    const startAlpha = table.alphasCumprod[img2img ? all[tEnc]! : all[all.length - 1]!]!;
    const startSigma = sigmaOfAlpha(startAlpha);
    return {
      sigmas: [
        ...timesteps
          .slice(1)
          .reverse()
          .map((t) => sigmaOfAlpha(table.alphasCumprod[t]!)),
        0,
      ],
      startSigma,
      initNoiseSigma: Math.sqrt(1 + startSigma * startSigma),
      modelTime,
      samplerNoise,
      program: (x) => ddimA1111(x, timesteps, table.alphasCumprod, startAlpha),
    };
  }

  const schedule =
    spec.schedule === 'automatic' && !A1111_KARRAS_BY_DEFAULT.has(spec.sampler) ? 'uniform' : spec.schedule;
  const discard = A1111_DISCARD.has(spec.sampler);
  let sigmas = a1111Schedule(
    schedule === 'automatic' ? 'karras' : (schedule as 'uniform' | 'karras' | 'exponential'),
    discard ? steps + 1 : steps,
    table,
  );
  if (discard) sigmas = discardPenultimate(sigmas);
  if (img2img) sigmas = sigmas.slice(steps - tEnc - 1);
  const base = { sigmas, startSigma: sigmas[0]!, initNoiseSigma: sigmas[0]!, modelTime, samplerNoise };

  if (spec.sampler === 'dpm_fast' || spec.sampler === 'dpm_adaptive') {
    // txt2img: the model table's ends; img2img: the cut schedule's.
    const sigmaMin = img2img ? sigmas[sigmas.length - 2]! : table.sigmaMin;
    const sigmaMax = img2img ? sigmas[0]! : table.sigmaMax;
    const n = sigmas.length - 1;
    if (spec.sampler === 'dpm_adaptive' && !opts.allowAdaptive)
      throw new SchedulerConfigError('DPM adaptive is not offered: its number of steps depends on the picture');
    return {
      ...base,
      program: (x, noise) =>
        spec.sampler === 'dpm_fast'
          ? dpmFast(x, sigmaMin, sigmaMax, n, noise, A1111_ETA)
          : dpmAdaptive(x, sigmaMin, sigmaMax, noise, A1111_ETA),
    };
  }
  const fn = kSampler(spec.sampler as KSamplerKey, { churnDraws: true, comfyLastStep: false });
  return { ...base, program: (x, noise) => fn(x, sigmas, noise) };
}

/** ComfyUI's KSampler.calculate_sigmas, with its discard-penultimate samplers. */
function comfySigmasFor(sampler: string, scheduler: string, steps: number, table: DiscreteSigmas): number[] {
  const discard = COMFY_DISCARD.has(sampler);
  const sigmas = comfySchedule(scheduler as never, discard ? steps + 1 : steps, table);
  return discard ? discardPenultimate(sigmas) : sigmas;
}

export function comfyRecipe(
  spec: { sampler: string; schedule: string },
  config: SchedulerConfig,
  steps: number,
  opts: RecipeOptions = {},
): Recipe {
  const table = comfySigmas(config);
  const strength = opts.strength ?? 1;
  let sigmas: number[];
  if (strength > 0.9999) {
    sigmas = comfySigmasFor(spec.sampler, spec.schedule, steps, table);
  } else {
    if (strength <= 0) throw noStepsLeft(strength, steps);
    sigmas = comfySigmasFor(spec.sampler, spec.schedule, Math.floor(steps / strength), table).slice(-(steps + 1));
  }
  if (sigmas.length < 2) throw noStepsLeft(strength, steps);
  const s0 = sigmas[0]!;
  const sigmaMax = table.sigmaMax;
  const maxDenoise = Math.abs(sigmaMax - s0) <= 1e-5 * Math.max(Math.abs(sigmaMax), Math.abs(s0)) || s0 > sigmaMax;
  const plusOne = (opts.comfyNoise ?? 'seed-plus-one') === 'seed-plus-one' ? 1 : 0;
  const which = COMFY_PROGRAMS[spec.sampler];
  if (!which) throw new SchedulerConfigError(`ComfyUI sampler ${spec.sampler} is not reproduced`);
  const fn = which === 'uni_pc' ? null : kSampler(which, { churnDraws: false, comfyLastStep: true });
  return {
    sigmas,
    startSigma: s0,
    initNoiseSigma: maxDenoise ? Math.sqrt(1 + s0 * s0) : s0,
    modelTime: (sigma) => table.nearestT(sigma),
    samplerNoise: (image) => image.reseeded(image.seed + plusOne),
    program: (x, noise) => (fn ? fn(x, sigmas, noise) : uniPc(x, sigmas)),
  };
}

export function exactRecipe(
  spec: ExactSampler,
  config: SchedulerConfig,
  steps: number,
  opts: RecipeOptions = {},
): Recipe {
  return spec.tool === 'a1111' ? a1111Recipe(spec, config, steps, opts) : comfyRecipe(spec, config, steps, opts);
}
