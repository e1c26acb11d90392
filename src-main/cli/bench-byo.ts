/**
 * `studio bench byo --model DIR [--kind lora|loha|lokr]`: what bringing your own files costs on this
 * machine, on a model of real size (training/export_sd15_bench.py). A
 * rank-R LoRA touching every attention and feed-forward layer (and the text
 * encoder's) is merged (first merge, and a re-merge at another weight), and
 * a full checkpoint written from the model's own weights in the ldm layout is
 * converted back (its sha256 and the conversion timed apart). Each step runs
 * in a child process of its own, so its peak RSS is its own.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  convertCheckpoint,
  fileSha256,
  indexPart,
  ldmContextOf,
  ldmKey,
  prepareModelVariant,
  torchDims,
  writeCheckpoint,
  writeSafetensorsStreamed,
} from '../engine/index.js';
import { appRoot } from '../paths.js';
import { UsageError, intFlag, parseFlags } from './args.js';

export type BenchKind = 'lora' | 'loha' | 'lokr';

/** LoKr's first factor, [F, F] (LyCORIS's `factor`); every SD 1.5 Linear's sizes divide by it. */
const LOKR_FACTOR = 8;

/**
 * A random rank-R kohya LoRA (or LyCORIS LoHa / LoKr of that rank) on every
 * Linear layer of the UNet and the text encoder (those held by MatMul:
 * attention projections and feed-forward, what a typical character or style
 * LoRA trains), values small as trained ones are.
 */
function writeBenchLora(modelDir: string, rank: number, file: string, kind: BenchKind): number {
  const tensors: { name: string; shape: number[]; values: () => Float32Array }[] = [];
  let seed = 1;
  const random = (n: number, scale: number) => () => {
    const v = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      v[i] = ((seed / 2 ** 32) * 2 - 1) * scale;
    }
    return v;
  };
  let modules = 0;
  for (const partName of ['unet', 'text_encoder'] as const) {
    const part = indexPart(modelDir, partName);
    if (!part) continue;
    const prefix = partName === 'unet' ? 'lora_unet_' : 'lora_te_';
    for (const [name, param] of part.params) {
      if (param.sites[0]!.layout !== 'transposed') continue;
      const [out, inner] = torchDims(param) as [number, number];
      const key = prefix + name.slice(0, -'.weight'.length).replace(/\./g, '_');
      const put = (suffix: string, shape: number[], scale: number) =>
        tensors.push({ name: `${key}.${suffix}`, shape, values: random(shape[0]! * (shape[1] ?? 1), scale) });
      if (kind === 'lora') {
        put('lora_down.weight', [rank, inner], 0.02);
        put('lora_up.weight', [out, rank], 0.02);
      } else if (kind === 'loha') {
        for (const w of ['hada_w1', 'hada_w2']) {
          put(`${w}_a`, [out, rank], 0.1);
          put(`${w}_b`, [rank, inner], 0.1);
        }
      } else {
        put('lokr_w1', [LOKR_FACTOR, LOKR_FACTOR], 0.1);
        put('lokr_w2_a', [out / LOKR_FACTOR, rank], 0.05);
        put('lokr_w2_b', [rank, inner / LOKR_FACTOR], 0.05);
      }
      tensors.push({ name: `${key}.alpha`, shape: [], values: () => Float32Array.of(rank / 2) });
      modules++;
    }
  }
  writeSafetensorsStreamed(file, tensors, 'F16');
  return modules;
}

/** Whether every UNet weight of the model has an ldm name (a diffusers-layout export). */
function hasLdmNames(modelDir: string): boolean {
  const unet = indexPart(modelDir, 'unet');
  const ctx = ldmContextOf(unet ? [unet] : []);
  return !!unet && [...unet.params.keys()].every((name) => ldmKey('unet', name, ctx) !== null);
}

const folderBytes = (p: string): number =>
  fs.statSync(p).isDirectory()
    ? fs.readdirSync(p).reduce((n, e) => n + folderBytes(path.join(p, e)), 0)
    : fs.statSync(p).size;

interface StepResult {
  ms: number;
  hashMs?: number;
  peakRssBytes: number;
}

/** Runs one measured step in a fresh process (its own peak RSS); the step prints its JSON result. */
function inChild(args: string[]): StepResult {
  // The parent's node flags carry over (--cpu-prof to see where a step's time goes).
  const r = spawnSync(
    process.execPath,
    [...process.execArgv, path.join(appRoot(), 'bin', 'studio.js'), 'bench', 'byo', ...args],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    },
  );
  if (r.status !== 0) throw new Error(`bench step failed: ${r.stderr.trim().split('\n').pop()}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as StepResult;
}

const peakRss = () => process.resourceUsage().maxRSS * 1024;

export async function benchByoCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    model: { type: 'string' },
    rank: { type: 'string' },
    kind: { type: 'string' },
    json: { type: 'string' },
    // Internal: one measured step, run in a child process.
    step: { type: 'string' },
    lora: { type: 'string' },
    weights: { type: 'string' },
    checkpoint: { type: 'string' },
    out: { type: 'string' },
  });
  if (!values.model) throw new UsageError('--model DIR is required');
  const model = path.resolve(values.model);
  if (values.step === 'merge') {
    const t = performance.now();
    for (const w of values.weights!.split(',').map(Number)) {
      await prepareModelVariant(model, { loras: [{ file: values.lora!, weight: w }], embeddings: [] }, values.out!);
    }
    console.log(JSON.stringify({ ms: performance.now() - t, peakRssBytes: peakRss() }));
    return 0;
  }
  if (values.step === 'convert') {
    const h = performance.now();
    const sha256 = fs.statSync(values.checkpoint!).isFile() ? fileSha256(values.checkpoint!) : undefined;
    const hashMs = performance.now() - h;
    const t = performance.now();
    await convertCheckpoint(values.checkpoint!, model, values.out!, { sha256 });
    console.log(JSON.stringify({ ms: performance.now() - t, hashMs, peakRssBytes: peakRss() }));
    return 0;
  }

  const rank = intFlag('rank', values.rank, 1, 1024) ?? 32;
  const kind = (values.kind ?? 'lora') as BenchKind;
  if (!['lora', 'loha', 'lokr'].includes(kind)) throw new UsageError('--kind must be lora, loha or lokr');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-bench-byo-'));
  try {
    const lora = path.join(tmp, 'bench-lora.safetensors');
    const modules = writeBenchLora(model, rank, lora, kind);
    const variants = path.join(tmp, 'variants');
    fs.mkdirSync(variants);
    const label = { lora: 'LoRA', loha: 'LoHa', lokr: 'LoKr' }[kind];
    console.log(`${label}: rank ${rank}, ${modules} modules, ${(fs.statSync(lora).size / 2 ** 20).toFixed(1)} MiB`);
    const first = inChild(['--step', 'merge', '--model', model, '--lora', lora, '--weights', '0.8', '--out', variants]);
    const again = inChild(['--step', 'merge', '--model', model, '--lora', lora, '--weights', '0.5', '--out', variants]);
    console.log(
      `  merge (first):     ${(first.ms / 1000).toFixed(2)} s, peak RSS ${(first.peakRssBytes / 2 ** 30).toFixed(2)} GiB`,
    );
    console.log(
      `  merge (new weight): ${(again.ms / 1000).toFixed(2)} s, peak RSS ${(again.peakRssBytes / 2 ** 30).toFixed(2)} GiB`,
    );

    // The ldm single file where the model's layout has ldm names; a diffusers folder of safetensors otherwise
    // (the studio's own export names its modules its own way). The conversion does the same work for both.
    const layout = hasLdmNames(model) ? 'ldm' : 'diffusers';
    const ckpt = path.join(tmp, layout === 'ldm' ? 'bench-checkpoint.safetensors' : 'bench-checkpoint');
    writeCheckpoint(model, ckpt, { layout, dtype: 'F16' });
    const ckptBytes = folderBytes(ckpt);
    const conv = inChild([
      '--step',
      'convert',
      '--model',
      model,
      '--checkpoint',
      ckpt,
      '--out',
      path.join(tmp, 'converted'),
    ]);
    console.log(`checkpoint: ${(ckptBytes / 2 ** 30).toFixed(2)} GiB F16 (${layout} layout)`);
    console.log(
      `  sha256 ${(conv.hashMs! / 1000).toFixed(1)} s, conversion ${(conv.ms / 1000).toFixed(1)} s, peak RSS ${(conv.peakRssBytes / 2 ** 30).toFixed(2)} GiB (${(conv.peakRssBytes / ckptBytes).toFixed(2)}x the checkpoint)`,
    );
    const report = {
      machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, memoryBytes: os.totalmem() },
      model,
      lora: { kind, rank, modules, bytes: fs.statSync(lora).size, firstMerge: first, reMerge: again },
      checkpoint: { layout, bytes: ckptBytes, ...conv },
    };
    if (values.json) fs.writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
    return 0;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
