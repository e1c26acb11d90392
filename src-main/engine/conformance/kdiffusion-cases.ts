/**
 * kdiffusion.json: AUTOMATIC1111's and ComfyUI's samplers on SD 1.5's
 * discrete schedule with a fixed analytic "model", run through the exact
 * family (schedulers/k-diffusion) and compared call by call: the schedule,
 * x_init, each model call's sigma, timestep and denoised value, every random
 * draw, and the sampler's output.
 */
import path from 'node:path';
import {
  A1111_EXACT_SAMPLERS,
  A1111_SCHEDULES,
  type ComfyScheduler,
  type ExactSampler,
} from '../../../src-shared/domain/exact-samplers.js';
import type { NoiseGenerator } from '../rng/noise-generator.js';
import { TorchCpuGenerator } from '../rng/torch-cpu-generator.js';
import { resolveSchedulerConfig } from '../schedulers/index.js';
import { a1111Sigmas, comfySigmas } from '../schedulers/k-diffusion/discrete-sigmas.js';
import { KSamplerScheduler } from '../schedulers/k-diffusion/k-scheduler.js';
import type { ModelCall, NoiseSource } from '../schedulers/k-diffusion/program.js';
import { type Recipe, a1111Recipe, comfyRecipe } from '../schedulers/k-diffusion/recipes.js';
import { a1111Schedule, comfySchedule } from '../schedulers/k-diffusion/sigma-schedules.js';
import { type CaseResult, firstMismatch, readPythonJson } from './conformance-result.js';

export interface KdiffusionCase {
  tool: 'a1111' | 'comfyui';
  sampler: string;
  schedule: string;
  steps: number;
  seed: number;
  ensd?: number;
  noise_variant?: 'v0.3.64' | 'cpu_seed_plus_one';
  sigmas: number[] | null;
  x_init: number[];
  trajectory: number[][];
  denoised_calls: { sigma?: number; t: number; denoised?: number[]; eps?: number[] }[];
  noise_draws: number[][];
}

interface KdiffusionFile {
  tolerance: { rel: number; abs_floor: number };
  tables: { a1111_sigmas: number[]; comfyui_sigmas: number[] };
  cases: KdiffusionCase[];
  schedules: { tool: 'a1111' | 'comfyui'; schedule: string; steps: number; sigmas: number[] }[];
}

/** SD 1.5's schedule, as the fixtures' model has it. */
const SD15 = resolveSchedulerConfig('euler', {
  beta_schedule: 'scaled_linear',
  beta_start: 0.00085,
  beta_end: 0.012,
  num_train_timesteps: 1000,
});

const REL = 1e-4;
const ABS = 1e-5;

/** The fixture's names -> an exact sampler (A1111's DPM adaptive is run here though the app does not offer it). */
export function caseSampler(
  c: KdiffusionCase,
): ExactSampler | { tool: 'a1111'; sampler: 'dpm_adaptive'; schedule: 'automatic'; ensd: number } {
  if (c.tool === 'a1111') {
    const sampler =
      c.sampler === 'DPM adaptive' ? 'dpm_adaptive' : A1111_EXACT_SAMPLERS.find((r) => r.toolName === c.sampler)?.key;
    const schedule = A1111_SCHEDULES.find((s) => s.toolName === c.schedule)?.key;
    if (!sampler || !schedule) throw new Error(`unknown A1111 sampler ${c.sampler} / ${c.schedule}`);
    return { tool: 'a1111', sampler, schedule, ensd: c.ensd ?? 0 } as ExactSampler;
  }
  return { tool: 'comfyui', sampler: c.sampler, schedule: c.schedule as ComfyScheduler };
}

export function caseRecipe(c: KdiffusionCase): Recipe {
  const spec = caseSampler(c);
  return spec.tool === 'a1111'
    ? a1111Recipe(spec, SD15, c.steps, { allowAdaptive: true })
    : comfyRecipe(spec, SD15, c.steps, { comfyNoise: c.noise_variant === 'v0.3.64' ? 'seed' : 'seed-plus-one' });
}

/** Wraps a generator and logs every draw it (or a reseeded child) makes. */
class RecordingGenerator implements NoiseGenerator {
  constructor(
    private readonly inner: NoiseGenerator,
    readonly log: Float32Array[],
  ) {}
  get seed() {
    return this.inner.seed;
  }
  randn(shape: readonly number[]): Float32Array {
    const v = this.inner.randn(shape);
    this.log.push(v);
    return v;
  }
  reseeded(seed: number): NoiseGenerator {
    return new RecordingGenerator(this.inner.reseeded(seed), this.log);
  }
}

/** The fixture's model: eps = 0.6 tanh(z) + 0.05 sin(t / 100). */
function toyEps(z: Float32Array, t: number): Float32Array {
  const bias = 0.05 * Math.sin(t / 100);
  return z.map((v) => 0.6 * Math.tanh(v) + bias);
}

interface Run {
  calls: { sigma: number; t: number; denoised: Float32Array; eps: Float32Array }[];
  output: Float32Array;
  draws: Float32Array[];
  xInit: Float32Array;
}

/** Through the engine's Scheduler surface, as the denoise loop drives it. */
function runScheduled(recipe: Recipe, seed: number): Run {
  const scheduler = new KSamplerScheduler(recipe, false);
  const draws: Float32Array[] = [];
  const gen = new RecordingGenerator(new TorchCpuGenerator(seed), draws);
  const xInit = gen.randn([1, 4, 4, 4]);
  draws.length = 0;
  let x: Float32Array = xInit.map((v) => v * scheduler.initNoiseSigma);
  const calls: Run['calls'] = [];
  for (let i = 0; i < scheduler.timesteps.length; i++) {
    const t = scheduler.timesteps[i]!;
    const eps = toyEps(scheduler.scaleModelInput(x, i), t);
    const r = scheduler.step(eps, i, x, gen);
    calls.push({ sigma: scheduler.callSigmas[i]!, t, denoised: r.predOriginal!, eps });
    x = r.prevSample;
  }
  return { calls, output: x, draws, xInit };
}

/** Straight through the program (for DPM adaptive, whose calls are not known ahead). */
function runDirect(recipe: Recipe, seed: number): Run {
  const draws: Float32Array[] = [];
  const image = new TorchCpuGenerator(seed);
  const xInit = image.randn([1, 4, 4, 4]);
  const noiseGen = new RecordingGenerator(recipe.samplerNoise(image), draws);
  const noise: NoiseSource = { next: () => noiseGen.randn([64]), skip: () => void noiseGen.randn([64]) };
  const run = recipe.program(
    xInit.map((v) => v * recipe.initNoiseSigma),
    noise,
  );
  const calls: Run['calls'] = [];
  let r = run.next();
  while (!r.done) {
    const call: ModelCall = r.value;
    const t = call.t ?? recipe.modelTime(call.sigma);
    const k = 1 / Math.sqrt(call.sigma ** 2 + 1);
    const eps = toyEps(
      call.x.map((v) => v * k),
      t,
    );
    const denoised = call.x.map((v, j) => v - call.sigma * eps[j]!);
    calls.push({ sigma: call.sigma, t, denoised, eps });
    r = run.next(denoised);
  }
  return { calls, output: r.value, draws, xInit };
}

export function runKdiffusionCase(c: KdiffusionCase): string | null {
  const recipe = caseRecipe(c);
  if (c.sigmas) {
    const p = firstMismatch(recipe.sigmas, c.sigmas, REL, ABS);
    if (p) return `sigmas ${p}`;
  }
  const run = c.sampler === 'DPM adaptive' ? runDirect(recipe, c.seed) : runScheduled(recipe, c.seed);
  const xp = firstMismatch(run.xInit, c.x_init, REL, ABS);
  if (xp) return `x_init ${xp}`;
  if (run.calls.length !== c.denoised_calls.length)
    return `${run.calls.length} model calls, want ${c.denoised_calls.length}`;
  for (const [k, want] of c.denoised_calls.entries()) {
    const got = run.calls[k]!;
    if (Math.abs(got.t - want.t) > 1e-3 * Math.max(1, Math.abs(want.t)))
      return `call ${k}: t = ${got.t}, want ${want.t}`;
    if (want.sigma !== undefined && want.eps === undefined && firstMismatch([got.sigma], [want.sigma], REL, ABS))
      return `call ${k}: sigma = ${got.sigma}, want ${want.sigma}`;
    const tensor = want.eps ?? want.denoised;
    const mine = want.eps ? got.eps : got.denoised;
    if (tensor) {
      const p = firstMismatch(mine, tensor, REL, ABS);
      if (p) return `call ${k} (t=${want.t}) ${want.eps ? 'eps' : 'denoised'} ${p}`;
    }
  }
  if (run.draws.length !== c.noise_draws.length) return `${run.draws.length} noise draws, want ${c.noise_draws.length}`;
  for (const [k, want] of c.noise_draws.entries()) {
    const p = firstMismatch(run.draws[k]!, want, REL, ABS);
    if (p) return `noise draw ${k} ${p}`;
  }
  const p = firstMismatch(run.output, c.trajectory[c.trajectory.length - 1]!, REL, ABS);
  return p ? `output ${p}` : null;
}

export function runKdiffusionCases(dir: string): CaseResult[] {
  const file = readPythonJson<KdiffusionFile>(path.join(dir, 'kdiffusion.json'));
  const results: CaseResult[] = [];
  const tables = [
    ['a1111', a1111Sigmas(SD15).sigmas, file.tables.a1111_sigmas],
    ['comfyui', comfySigmas(SD15).sigmas, file.tables.comfyui_sigmas],
  ] as const;
  for (const [tool, mine, want] of tables) {
    const p = firstMismatch(mine, want, 2e-7, 1e-9);
    results.push({ name: `kdiffusion.json table ${tool}`, ok: !p, detail: p ?? '' });
  }
  for (const s of file.schedules) {
    let detail: string | null;
    try {
      const mine =
        s.tool === 'a1111'
          ? a1111Schedule(
              A1111_SCHEDULES.find((x) => x.toolName === s.schedule)?.key === 'automatic'
                ? 'uniform'
                : (A1111_SCHEDULES.find((x) => x.toolName === s.schedule)?.key ?? ('?' as never)),
              s.steps,
              a1111Sigmas(SD15),
            )
          : comfySchedule(s.schedule as ComfyScheduler, s.steps, comfySigmas(SD15));
      detail = firstMismatch(mine, s.sigmas, REL, ABS);
    } catch (err) {
      detail = `threw ${(err as Error).message}`;
    }
    results.push({
      name: `kdiffusion.json schedule ${s.tool} ${s.schedule} steps=${s.steps}`,
      ok: !detail,
      detail: detail ?? '',
    });
  }
  file.cases.forEach((c, i) => {
    let detail: string | null;
    try {
      detail = runKdiffusionCase(c);
    } catch (err) {
      detail = `threw ${(err as Error).message}`;
    }
    const extra = c.ensd ? ` ensd=${c.ensd}` : c.noise_variant ? ` ${c.noise_variant}` : '';
    results.push({
      name: `kdiffusion.json#${i} ${c.tool} ${c.sampler} ${c.schedule} steps=${c.steps} seed=${c.seed}${extra}`,
      ok: !detail,
      detail: detail ?? '',
    });
  });
  return results;
}
