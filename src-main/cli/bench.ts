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
import {
  LoadedModel,
  runPipeline,
  type PipelineRequest,
  imageDifference,
  providerOrder,
  chunkPrompt,
  TorchCpuGenerator,
  sessionTuning,
  encodePromptPair,
  sdxlTimeIds,
  concatFloat32,
} from '../engine/index.js';
import { appVersion } from '../app-version.js';
import { UsageError, intFlag, parseFlags } from './args.js';

export const BENCH_BYO_USAGE = 'studio bench byo --model DIR [--rank R] [--kind lora|loha|lokr] [--json FILE]';
export const BENCH_GALLERY_USAGE = 'studio bench gallery [--items N] [--imports N] [--json FILE]';
export const benchUsage = `${BENCH_GALLERY_USAGE}\n  ${BENCH_BYO_USAGE}\n  studio bench --model DIR [--provider cpu|webgpu|cuda|dml] [--width W] [--height H] [--steps K] [--runs N] [--threads T] [--no-spin] [--no-arena] [--symbolic-shapes] [--ep-option KEY=VALUE ...] [--compare-provider P] [--compare-model DIR] [--json FILE]`;

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
  // Loaded on demand: the gallery benchmark needs SQLite and sharp, the model benchmark only ONNX Runtime.
  if (argv[0] === 'gallery') return (await import('./bench-gallery.js')).benchGalleryCommand(argv.slice(1));
  if (argv[0] === 'byo') return (await import('./bench-byo.js')).benchByoCommand(argv.slice(1));
  const { values } = parseFlags(argv, {
    model: { type: 'string' },
    provider: { type: 'string' },
    width: { type: 'string' },
    height: { type: 'string' },
    steps: { type: 'string' },
    runs: { type: 'string' },
    threads: { type: 'string' },
    'no-arena': { type: 'boolean' },
    'no-spin': { type: 'boolean' },
    'symbolic-shapes': { type: 'boolean' },
    'ep-option': { type: 'string', multiple: true },
    'compare-provider': { type: 'string' },
    'compare-model': { type: 'string' },
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
  const providerOptions: Record<string, string> = {};
  for (const kv of values['ep-option'] ?? []) {
    const m = /^(\w+)=(\S+)$/.exec(kv);
    if (!m) throw new UsageError(`--ep-option must look like key=value, not ${kv}`);
    providerOptions[m[1]!] = m[2]!;
  }
  // The studio's own settings; --no-spin stops the UNet's threads spinning too, --symbolic-shapes opens each
  // graph once for every size (not per size), to compare.
  const tuning = {
    ...sessionTuning(threads),
    ...(values['no-spin'] ? { allowSpinning: false } : {}),
    ...(values['no-arena'] ? { enableCpuMemArena: false } : {}),
    ...(values['symbolic-shapes'] ? { fixedShapes: false } : {}),
    providerOptions,
  };
  let peakRss = process.memoryUsage().rss;
  const sampleRss = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

  const loadStart = performance.now();
  const model = await LoadedModel.load(path.resolve(values.model), providerOrder(pref.data), tuning);
  const loadMs = performance.now() - loadStart;
  try {
    const request: PipelineRequest = {
      mode: 'txt2img',
      prompt: 'a red circle',
      negativePrompt: '',
      sampler: 'euler_a',
      steps,
      cfgScale: 7,
      seed: 1,
      rng: 'cpu',
      width,
      height,
      batchCount: 1,
      strength: 1,
    };
    // The first picture, cold (small CPU graphs open now, at their first run), timed from the process's start
    // as a one-shot run sees it.
    const coldStart = performance.now();
    await runPipeline(model, request);
    const firstPicture = { fromProcessStart: performance.now(), pipeline: performance.now() - coldStart };
    const prompt = 'a photograph of an astronaut riding a horse';
    const tokens = chunkPrompt(model.tokenizer, prompt).chunks[0]!.tokens;
    const tokens2 = model.tokenizer2 ? chunkPrompt(model.tokenizer2, prompt).chunks[0]!.tokens : null;
    // Both encoders for SDXL (their hidden states joined, the pooled projection beside them).
    const { cond } = await encodePromptPair(model, prompt, '');
    const { hidden, dim, pooled } = cond;
    const h = height / 8;
    const w = width / 8;
    const latents = new TorchCpuGenerator(1).randn([2, 4, h, w]);
    const both = concatFloat32([hidden, hidden]);
    const timeIds = sdxlTimeIds({ width, height });
    const added = pooled
      ? { textEmbeds: concatFloat32([pooled, pooled]), timeIds: concatFloat32([timeIds, timeIds]) }
      : undefined;

    const textEncoder = await timeIt(runs, 1, async () => {
      await model.encodeTokens(tokens);
      if (tokens2) await model.encodeTokens(tokens2, 2);
    });
    const unetStep = await timeIt(runs, 2, () =>
      model.unet(latents, [2, 4, h, w], 500, both, [2, 77, dim], undefined, added),
    );
    const vaeDecode = await timeIt(Math.max(1, Math.min(runs, 3)), 1, () =>
      model.decode(latents.subarray(0, 4 * h * w), [1, 4, h, w]),
    );
    const endToEnd = await timeIt(Math.max(1, Math.min(runs, 3)), 0, () => runPipeline(model, request));
    // The same picture from another provider or another export of the model: does the fast path draw the same thing?
    let comparison: { against: string; provider: string; maxDiff: number; meanDiff: number } | null = null;
    if (values['compare-provider'] || values['compare-model']) {
      const otherPref = zProviderPreference.safeParse(values['compare-provider'] ?? pref.data);
      if (!otherPref.success) throw new UsageError('--compare-provider must be cpu, webgpu, cuda or dml');
      const otherDir = path.resolve(values['compare-model'] ?? values.model);
      const other = await LoadedModel.load(otherDir, providerOrder(otherPref.data));
      try {
        const [a] = await runPipeline(model, request);
        const [b] = await runPipeline(other, request);
        const d = imageDifference(a!.image.data, b!.image.data);
        comparison = { against: other.folder.name, provider: other.provider, maxDiff: d.max, meanDiff: d.mean };
      } finally {
        await other.release();
      }
    }
    clearInterval(sampleRss);
    const report = {
      app: appVersion(),
      model: model.folder.name,
      family: model.description.family,
      precision: model.description.precision,
      provider: model.provider,
      providerNote: model.providerNote,
      machine: {
        cpu: os.cpus()[0]?.model ?? 'unknown',
        cores: os.cpus().length,
        memoryGiB: Math.round(os.totalmem() / 2 ** 30),
        platform: `${os.platform()} ${os.arch()}`,
      },
      size: `${width}x${height}`,
      steps,
      sampler: 'euler_a',
      cfgScale: 7,
      threads: threads ?? null,
      cpuMemArena: !values['no-arena'],
      fixedShapes: !values['symbolic-shapes'],
      providerOptions,
      ms: { modelLoad: loadMs, firstPicture, textEncoder, unetStep, vaeDecode, endToEnd },
      comparison,
      peakRssMiB: Math.round(peakRss / 2 ** 20),
    };
    const row = (name: string, s: Stats) =>
      `${name.padEnd(22)} ${s.min.toFixed(1).padStart(9)} ${s.median.toFixed(1).padStart(9)} ${s.max.toFixed(1).padStart(9)}  (${s.runs} runs)`;
    console.log(
      `${report.model} (${report.family}, ${report.precision}) on ${report.provider}, ${report.size}, ${report.machine.cores} cores ${report.machine.cpu}`,
    );
    if (report.providerNote) console.log(report.providerNote);
    console.log(`${'ms'.padEnd(22)} ${'min'.padStart(9)} ${'median'.padStart(9)} ${'max'.padStart(9)}`);
    console.log(
      `${'model load'.padEnd(22)} ${loadMs.toFixed(1).padStart(9)}${report.fixedShapes ? '  (small CPU graphs open at their first run: see first picture)' : ''}`,
    );
    console.log(
      `${'first picture'.padEnd(22)} ${firstPicture.pipeline.toFixed(1).padStart(9)}  (cold; ${firstPicture.fromProcessStart.toFixed(0)} ms from process start)`,
    );
    console.log(row('text encoder', textEncoder));
    console.log(row('unet step (batch 2)', unetStep));
    console.log(row('vae decode', vaeDecode));
    console.log(row(`txt2img ${steps} steps`, endToEnd));
    console.log(`peak RSS ${report.peakRssMiB} MiB`);
    if (comparison)
      console.log(
        `same txt2img on ${comparison.against} (${comparison.provider}): max pixel difference ${comparison.maxDiff}, mean ${comparison.meanDiff.toFixed(3)} (of 255)`,
      );
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
