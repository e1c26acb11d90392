import path from 'node:path';
import { TorchCpuGenerator } from '../rng/torch-cpu-generator.js';
import { createScheduler, isSamplerName } from '../schedulers/index.js';
import { linspace } from '../schedulers/schedule.js';
import { firstMismatch, readPythonJson, type CaseResult } from './conformance-result.js';

interface SchedulerCase {
  scheduler: string;
  config: Record<string, unknown>;
  steps: number;
  seed: number;
  timesteps: number[];
  x_init: number[];
  trajectory: number[][];
  strength?: number;
}

const REL = 1e-4;
const ABS = 1e-5;

/** The fixture's model: eps = 0.6 tanh(x_in) + 0.05 sin(t / 100). */
function toyModel(xIn: Float32Array, t: number): Float32Array {
  const bias = 0.05 * Math.sin(t / 100);
  return xIn.map((v) => 0.6 * Math.tanh(v) + bias);
}

export function runSchedulerCase(c: SchedulerCase): string | null {
  if (!isSamplerName(c.scheduler)) return `unknown scheduler ${c.scheduler}`;
  const scheduler = createScheduler(c.scheduler, c.config, c.steps);
  const tsProblem = firstMismatch(scheduler.timesteps, c.timesteps, REL, 1e-3);
  if (tsProblem) return `timesteps ${tsProblem}`;
  const gen = new TorchCpuGenerator(c.seed);
  const n = c.x_init.length;
  let x: Float32Array;
  let begin = 0;
  if (c.strength !== undefined) {
    const initTimestep = Math.min(Math.floor(c.steps * c.strength), c.steps);
    begin = Math.max(c.steps - initTimestep, 0) * scheduler.order;
    const init = Float32Array.from(linspace(-1, 1, n));
    x = scheduler.addNoise(init, gen.randn([1, 4, 4, 4]), begin);
  } else {
    x = gen.randn([1, 4, 4, 4]).map((v) => v * scheduler.initNoiseSigma);
  }
  const initProblem = firstMismatch(x, c.x_init, REL, ABS);
  if (initProblem) return `x_init ${initProblem}`;
  for (let i = begin, k = 0; i < scheduler.timesteps.length; i++, k++) {
    const out = toyModel(scheduler.scaleModelInput(x, i), scheduler.timesteps[i]!);
    x = scheduler.step(out, i, x, gen).prevSample;
    const problem = firstMismatch(x, c.trajectory[k]!, REL, ABS);
    if (problem) return `call ${k} (t=${scheduler.timesteps[i]}): ${problem}`;
  }
  return null;
}

/** schedulers.json: timesteps, initial latents and the whole trajectory of each case. */
export function runSchedulerCases(dir: string): CaseResult[] {
  const { cases } = readPythonJson(path.join(dir, 'schedulers.json')) as { cases: SchedulerCase[] };
  return cases.map((c, i) => {
    let detail: string | null;
    try {
      detail = runSchedulerCase(c);
    } catch (err) {
      detail = `threw ${(err as Error).message}`;
    }
    const label = `${c.scheduler} steps=${c.steps} seed=${c.seed}${c.strength !== undefined ? ` strength=${c.strength}` : ''} ${String(c.config.prediction_type ?? '')} ${String(c.config.timestep_spacing ?? '')}`;
    return { name: `schedulers.json#${i} ${label.trim()}`, ok: detail === null, detail: detail ?? '' };
  });
}
