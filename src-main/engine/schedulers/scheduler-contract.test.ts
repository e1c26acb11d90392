/**
 * The contract every sampler keeps, checked over all of them: the surface the
 * denoise loop relies on, determinism, and the reference trajectories in the
 * repository's own fixtures (test/fixtures/schedulers.json).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIFFUSERS_SAMPLER_NAMES, SAMPLER_NAMES, type SamplerName } from '../../../src-shared/domain/samplers.js';
import { exactSamplerId, parseExactSampler } from '../../../src-shared/domain/exact-samplers.js';
import { caseSampler, type KdiffusionCase, runKdiffusionCase } from '../conformance/kdiffusion-cases.js';
import { FIXTURES_DIR } from '../../test-support/fixtures.js';
import { readPythonJson } from '../conformance/conformance-result.js';
import { runSchedulerCase } from '../conformance/scheduler-cases.js';
import { TorchCpuGenerator } from '../rng/torch-cpu-generator.js';
import { createScheduler } from './index.js';

type Case = Parameters<typeof runSchedulerCase>[0];
const { cases } = readPythonJson(path.join(FIXTURES_DIR, 'schedulers.json')) as { cases: Case[] };
const kdiffusion = readPythonJson<{ cases: KdiffusionCase[] }>(path.join(FIXTURES_DIR, 'kdiffusion.json')).cases;
const SD15 = { beta_schedule: 'scaled_linear', beta_start: 0.00085, beta_end: 0.012, steps_offset: 1 };

/** A short run with the fixtures' toy model; returns every intermediate latent. */
function trajectory(name: SamplerName, steps: number, config: Record<string, unknown> = SD15) {
  const scheduler = createScheduler(name, config, steps);
  const gen = new TorchCpuGenerator(7);
  let x: Float32Array = gen.randn([1, 4, 4, 4]).map((v) => v * scheduler.initNoiseSigma);
  const out: Float32Array[] = [];
  for (let i = 0; i < scheduler.timesteps.length; i++) {
    const input = scheduler.scaleModelInput(x, i);
    const before = Float32Array.from(x);
    const eps = input.map((v) => 0.6 * Math.tanh(v) + 0.05 * Math.sin(scheduler.timesteps[i]! / 100));
    x = scheduler.step(eps, i, x, gen).prevSample;
    expect(out.at(-1) ?? before).toEqual(before); // step never writes into its input
    out.push(x);
  }
  return out;
}

describe.each(DIFFUSERS_SAMPLER_NAMES)('diffusers sampler %s', (name) => {
  it('matches every reference case of the fixtures', () => {
    const mine = cases.filter((c) => c.scheduler === name);
    expect(mine.length).toBeGreaterThan(0);
    for (const c of mine) expect(runSchedulerCase(c)).toBeNull();
  });
});

describe('the exact family (A1111 / ComfyUI)', () => {
  it('every kdiffusion.json case matches call by call, and every sampler of both tools has cases', () => {
    const covered = new Set<string>();
    for (const c of kdiffusion) {
      expect(runKdiffusionCase(c), `${c.tool} ${c.sampler} ${c.schedule} ${c.steps} ${c.seed}`).toBeNull();
      const spec = caseSampler(c);
      if (spec.sampler !== 'dpm_adaptive') covered.add(`${spec.tool}:${spec.sampler}`);
    }
    const offered = new Set(
      SAMPLER_NAMES.flatMap((n) => {
        const s = parseExactSampler(n);
        return s ? [`${s.tool}:${s.sampler}`] : [];
      }),
    );
    expect([...offered].filter((s) => !covered.has(s))).toEqual([]);
  });

  it('a changed reference number fails', () => {
    const c = structuredClone(kdiffusion.find((k) => k.sampler === 'Euler a')!);
    c.noise_draws[1]![3]! += 1e-3;
    expect(runKdiffusionCase(c)).toMatch(/noise draw 1/);
  });

  it('ids round-trip and reject what the engine does not run', () => {
    for (const id of SAMPLER_NAMES) {
      const s = parseExactSampler(id);
      if (s) expect(exactSamplerId(s)).toBe(id);
    }
    expect(parseExactSampler('a1111:euler_a:automatic:ensd=31337')).toMatchObject({ ensd: 31337 });
    for (const bad of [
      'a1111:ddim:karras',
      'a1111:euler_a:beta',
      'comfyui:dpmpp_sde:normal',
      'a1111:euler:karras:ensd=0',
      'comfyui:euler',
    ])
      expect(parseExactSampler(bad)).toBeNull();
  });
});

describe.each(SAMPLER_NAMES)('sampler %s', (name) => {
  it.each([
    ['epsilon', 'leading'],
    ['v_prediction', 'trailing'],
  ])('keeps the scheduler surface (%s, %s spacing)', (prediction_type, timestep_spacing) => {
    const steps = 6;
    const config = { ...SD15, prediction_type, timestep_spacing };
    const s = createScheduler(name, config, steps);
    expect(s.order === 1 || s.order === 2).toBe(true);
    expect(s.timesteps.length).toBeGreaterThanOrEqual(steps);
    // PLMS repeats its first timestep to warm up, as diffusers' PNDM does: one call more.
    expect(s.timesteps.length).toBeLessThanOrEqual(steps * s.order + 1);
    // DPM-Solver's third-order steps ask the model between the step's ends: only diffusers' are monotone.
    if (!parseExactSampler(name))
      for (let i = 1; i < s.timesteps.length; i++) expect(s.timesteps[i]!).toBeLessThanOrEqual(s.timesteps[i - 1]!);
    expect(Number.isFinite(s.initNoiseSigma) && s.initNoiseSigma >= 1).toBe(true);
    const x = Float32Array.from({ length: 64 }, (_, k) => Math.sin(k));
    expect(s.scaleModelInput(x, 0)).toHaveLength(64);
    const noised = s.addNoise(x, new Float32Array(64), 0);
    expect(noised).toHaveLength(64);
    expect(noised.every(Number.isFinite)).toBe(true);
    const path = trajectory(name, steps, config);
    expect(path.at(-1)!.every(Number.isFinite)).toBe(true);
  });

  it('is deterministic for a seed', () => {
    expect(trajectory(name, 5)).toEqual(trajectory(name, 5));
  });
});

describe('the samplers are one file per family', () => {
  it('no algorithm file imports another: shared math lives in schedule.ts, tensor-math.ts and the base classes', () => {
    const dir = import.meta.dirname;
    const shared = new Set([
      './scheduler.js',
      './schedule.js',
      './tensor-math.js',
      './sigma-scheduler-base.js',
      './vp-scheduler-base.js',
      './multistep-scheduler-base.js',
    ]);
    const offenders = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'index.ts')
      .flatMap((f) =>
        [...fs.readFileSync(path.join(dir, f), 'utf8').matchAll(/from '(\.\/[^']+)'/g)]
          .map((m) => m[1]!)
          .filter((m) => !shared.has(m))
          .map((m) => `${f} -> ${m}`),
      );
    expect(offenders).toEqual([]);
  });
});
