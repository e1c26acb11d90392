/**
 * `studio bench`: where the time goes for one model on one provider. Model
 * load, text encoder, one UNet step (the CFG batch of 2), VAE decode, and a
 * whole txt2img, each after warm-up and repeated; min / median / max, plus
 * peak RSS. Prints a table and writes JSON.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { zProviderPreference } from '../../src-shared/domain/settings.js';
import { LoadedModel } from '../engine/model/loaded-model.js';
import { runPipeline } from '../engine/pipeline/pipeline.js';
import { providerOrder } from '../engine/runtime/providers.js';
import { chunkPrompt } from '../engine/prompt/prompt-chunks.js';
import { TorchCpuGenerator } from '../engine/rng/torch-cpu-generator.js';
import { appVersion } from '../studio.js';
import { UsageError, intFlag, parseFlags } from './args.js';
import { benchGalleryCommand, benchGalleryUsage } from './bench-gallery.js';

export const benchUsage = `${benchGalleryUsage}\n  studio bench --model DIR [--provider cpu|webgpu|cuda|dml] [--width W] [--height H] [--steps K] [--runs N] [--threads T] [--json FILE]`;

export interface Stats {
  min: number;
  median: number;
  max: number;
  runs: number;
}

export function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  return { min: s[0]!, median: s[Math.floor(s.length / 2)]!, max: s[s.length - 1]!, runs: s.length };
}

async function timeIt(runs: number, warmup: number, fn: () => Promise<unknown>): Promise<Stats> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  return stats(samples);
}

export async function benchCommand(argv: string[]): Promise<number> {
  if (argv[0] === 'gallery') return benchGalleryCommand(argv.slice(1));
  const { values } = parseFlags(argv, {
    model: { type: 'string' },
    provider: { type: 'string' },
    width: { type: 'string' },
    height: { type: 'string' },
    steps: { type: 'string' },
    runs: { type: 'string' },
    threads: { type: 'string' },
    json: { type: 'string' },
  });
  if (!values.model || !fs.existsSync(values.model)) throw new UsageError('--model must name a model folder');
  const pref = zProviderPreference.safeParse(values.provider ?? 'auto');
  if (!pref.success) throw new UsageError('--provider must be cpu, webgpu, cuda or dml');
  const width = intFlag('width', values.width, 64, 2048) ?? 512;
  const height = intFlag('height', values.height, 64, 2048) ?? 512;
  const steps = intFlag('steps', values.steps, 1, 200) ?? 20;
  const runs = intFlag('runs', values.runs, 1, 100) ?? 5;
  const threads = intFlag('threads', values.threads, 1, 256);
  let peakRss = process.memoryUsage().rss;
  const sampleRss = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

  const loadStart = performance.now();
  const model = await LoadedModel.load(path.resolve(values.model), providerOrder(pref.data), threads ? { intraOpNumThreads: threads } : {});
  const loadMs = performance.now() - loadStart;
  try {
    const tokens = chunkPrompt(model.tokenizer, 'a photograph of an astronaut riding a horse').chunks[0]!.tokens;
    const { hidden, dim } = await model.encodeTokens(tokens);
    const h = height / 8;
    const w = width / 8;
    const latents = new TorchCpuGenerator(1).randn([2, 4, h, w]);
    const both = new Float32Array(hidden.length * 2);
    both.set(hidden);
    both.set(hidden, hidden.length);

    const textEncoder = await timeIt(runs, 1, () => model.encodeTokens(tokens));
    const unetStep = await timeIt(runs, 2, () => model.unet(latents, [2, 4, h, w], 500, both, [2, 77, dim]));
    const vaeDecode = await timeIt(Math.max(1, Math.min(runs, 3)), 1, () => model.decode(latents.subarray(0, 4 * h * w), [1, 4, h, w]));
    const endToEnd = await timeIt(Math.max(1, Math.min(runs, 3)), 0, () =>
      runPipeline(model, { mode: 'txt2img', prompt: 'a red circle', negativePrompt: '', sampler: 'euler_a', steps, cfgScale: 7, seed: 1, rng: 'cpu', width, height, batchCount: 1, strength: 1 }),
    );
    clearInterval(sampleRss);
    const report = {
      app: appVersion(),
      model: model.folder.name,
      family: model.description.family,
      precision: model.description.precision,
      provider: model.provider,
      providerNote: model.providerNote,
      machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), platform: `${os.platform()} ${os.arch()}` },
      size: `${width}x${height}`,
      steps,
      sampler: 'euler_a',
      cfgScale: 7,
      threads: threads ?? null,
      ms: { modelLoad: loadMs, textEncoder, unetStep, vaeDecode, endToEnd },
      peakRssMiB: Math.round(peakRss / 2 ** 20),
    };
    const row = (name: string, s: Stats) => `${name.padEnd(22)} ${s.min.toFixed(1).padStart(9)} ${s.median.toFixed(1).padStart(9)} ${s.max.toFixed(1).padStart(9)}  (${s.runs} runs)`;
    console.log(`${report.model} (${report.family}, ${report.precision}) on ${report.provider}, ${report.size}, ${report.machine.cores} cores ${report.machine.cpu}`);
    if (report.providerNote) console.log(report.providerNote);
    console.log(`${'ms'.padEnd(22)} ${'min'.padStart(9)} ${'median'.padStart(9)} ${'max'.padStart(9)}`);
    console.log(`${'model load'.padEnd(22)} ${loadMs.toFixed(1).padStart(9)}`);
    console.log(row('text encoder', textEncoder));
    console.log(row('unet step (batch 2)', unetStep));
    console.log(row('vae decode', vaeDecode));
    console.log(row(`txt2img ${steps} steps`, endToEnd));
    console.log(`peak RSS ${report.peakRssMiB} MiB`);
    if (values.json) {
      fs.writeFileSync(values.json, JSON.stringify(report, null, 2));
      console.log(`wrote ${values.json}`);
    }
    return 0;
  } finally {
    clearInterval(sampleRss);
    await model.release();
  }
}
