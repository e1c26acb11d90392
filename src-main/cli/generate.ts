/**
 * `studio generate`: one generation from the command line, in this process
 * (no worker needed: nothing else waits on this thread).
 */
import fs from 'node:fs';
import path from 'node:path';
import { type GenerationParams, zGenerationParams } from '../../src-shared/domain/engine.js';
import { DIFFUSERS_SAMPLER_NAMES, isKnownSampler } from '../../src-shared/domain/samplers.js';
import {
  type ModelAdditions,
  type RgbImage,
  decodePngToRgb,
  encodePng,
  outpaintCanvas,
  providerOrder,
  readModelFolder,
  sessionTuning,
} from '../engine/index.js';
import { ModelCache, generatePngs } from '../jobs/generation.js';
import { ModelRegistry, inspectModel } from '../models/model-registry.js';
import { graphCacheDir, resolveStudioPaths } from '../paths.js';
import { StylesStore } from '../settings/styles-store.js';
import { modelRootsFromDisk } from '../models/model-roots.js';
import { additionsForPrompts, upscalerFileOrName } from '../models/networks.js';
import { applyStyles } from '../../src-shared/domain/styles.js';
import { describeIssues } from '../ipc/router.js';
import { appVersion } from '../app-version.js';
import { randomSeed } from '../jobs/seeds.js';
import { UsageError, intFlag, numberFlag, parseFlags } from './args.js';

export const generateUsage =
  'studio generate --model DIR --prompt P [--negative N] [--seed S] [--steps K] [--sampler NAME] [--cfg G] [--width W] [--height H] [--batch B] [--rng cpu|gpu] [--init IMG --strength X] [--mask PNG] [--only-masked [--mask-padding P]] [--init IMG --outpaint LEFT,TOP,RIGHT,BOTTOM] [--provider cpu|webgpu|cuda|dml] [--lora FILE[:WEIGHT]]... [--embedding FILE]... [--vae FILE] [--original-size WxH] [--crop-top-left TOP,LEFT] [--threads T] [--style NAME]... [--variation-seed S [--variation-strength X]] [--seed-resize-from WxH] [--hires-scale S [--hires-steps K] [--hires-denoise D] [--hires-upscaler latent|lanczos|FILE.onnx|NAME]] --out FILE.png';

function readImageFlag(flag: string, file: string | undefined): Buffer | undefined {
  if (file === undefined) return undefined;
  try {
    return fs.readFileSync(file);
  } catch {
    throw new UsageError(`--${flag}: cannot read ${file}`);
  }
}

function existingFile(flag: string, file: string): string {
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new UsageError(`--${flag}: no file at ${file}`);
  return file;
}

/** `FILE[:WEIGHT]`, the weight 1 unless given; a Windows drive letter is not a weight. */
function loraFlag(value: string): { file: string; weight: number } {
  const m = /^(.*):(-?\d+(?:\.\d+)?)$/.exec(value);
  const file = m && !/^[A-Za-z]$/.test(m[1]!) ? m[1]! : value;
  const weight = m && file === m[1] ? Number(m[2]) : 1;
  if (!Number.isFinite(weight) || Math.abs(weight) > 10)
    throw new UsageError(`--lora: weight must be between -10 and 10`);
  return { file: existingFile('lora', file), weight };
}

/** Two non-negative integers in a flag like 1024x768 or 0,64. */
function pairFlag(name: string, value: string | undefined, pattern: RegExp, form: string): [number, number] | null {
  if (value === undefined) return null;
  const m = pattern.exec(value.trim());
  if (!m) throw new UsageError(`--${name} must be ${form}`);
  const pair: [number, number] = [Number(m[1]), Number(m[2])];
  if (pair.some((v) => v > 16384)) throw new UsageError(`--${name}: values up to 16384`);
  return pair;
}

/** The flags of `studio generate`, which `studio plot` takes too. */
export const GENERATE_FLAGS = {
  model: { type: 'string' },
  prompt: { type: 'string' },
  negative: { type: 'string' },
  seed: { type: 'string' },
  steps: { type: 'string' },
  sampler: { type: 'string' },
  cfg: { type: 'string' },
  width: { type: 'string' },
  height: { type: 'string' },
  batch: { type: 'string' },
  rng: { type: 'string' },
  init: { type: 'string' },
  strength: { type: 'string' },
  mask: { type: 'string' },
  provider: { type: 'string' },
  lora: { type: 'string', multiple: true },
  embedding: { type: 'string', multiple: true },
  vae: { type: 'string' },
  'original-size': { type: 'string' },
  'crop-top-left': { type: 'string' },
  threads: { type: 'string' },
  style: { type: 'string', multiple: true },
  'variation-seed': { type: 'string' },
  'hires-scale': { type: 'string' },
  'hires-steps': { type: 'string' },
  'hires-denoise': { type: 'string' },
  'hires-upscaler': { type: 'string' },
  'variation-strength': { type: 'string' },
  'seed-resize-from': { type: 'string' },
  outpaint: { type: 'string' },
  'only-masked': { type: 'boolean' },
  'mask-padding': { type: 'string' },
  out: { type: 'string' },
  quiet: { type: 'boolean' },
} as const;

type GenerateFlagValues = ReturnType<typeof parseFlags<typeof GENERATE_FLAGS>>['values'];

/** A checked generate command line: the request, the model folder, the files it reads. */
export interface GenerateArgs {
  params: GenerationParams;
  /** The seed to use (a random one when -1 was asked). */
  seed: number;
  modelDir: string;
  /** Hires fix's ONNX upscaler, when --hires-upscaler names one. */
  hiresUpscalerFile?: string;
  /** What the flags ask for (--lora, --embedding, --vae). */
  flagAdditions: ModelAdditions;
  /** The flags' and what the prompts name from the models folder, as the app applies them. */
  additions: ModelAdditions;
  init: Buffer | undefined;
  mask: Buffer | undefined;
}

/**
 * The size a model draws best at: its UNet config's sample size (cheap), else
 * what describing the whole model says (its graphs' signatures parsed).
 */
function nativeSizeOf(dir: string): number | undefined {
  try {
    const sample = readModelFolder(dir).configs.unet?.sample_size;
    if (typeof sample === 'number' && sample > 0) return sample * 8;
  } catch {
    // Described below, with the reason if the folder is not a model.
  }
  return inspectModel(dir).nativeSize ?? undefined;
}

/**
 * The flags' LoRAs, embeddings and VAE, with what the prompts name from the
 * models folder as the app applies it (`<lora:NAME:WEIGHT>` from `loras/`,
 * embeddings from `embeddings/` whose name is a word of a prompt). A LoRA
 * tag whose file is not there is a usage error naming it.
 */
export function withPromptNetworks(flags: ModelAdditions, prompt: string, negative: string): ModelAdditions {
  const { modelsDir } = modelRootsFromDisk();
  let named: ModelAdditions;
  try {
    named = additionsForPrompts(modelsDir(), prompt, negative);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const flagged = new Set(flags.loras.map((l) => path.resolve(l.file)));
  return {
    loras: [...flags.loras, ...named.loras.filter((l) => !flagged.has(path.resolve(l.file)))],
    embeddings: [...new Set([...flags.embeddings, ...named.embeddings])],
    ...(flags.vae ? { vae: flags.vae } : {}),
  };
}

/**
 * --outpaint LEFT,TOP,RIGHT,BOTTOM: the init picture on a larger canvas, as an
 * inpainting job of the new area (full strength unless --strength says else),
 * the size snapped to the model's multiple.
 */
async function outpaintArgs(
  flag: string,
  p: GenerationParams,
  init: Buffer,
  modelDir: string,
  strengthGiven: boolean,
): Promise<{ params: GenerationParams; init: Buffer; mask: Buffer }> {
  const m = /^(\d+),(\d+),(\d+),(\d+)$/.exec(flag.trim());
  if (!m) throw new UsageError('--outpaint takes LEFT,TOP,RIGHT,BOTTOM in pixels, like 64,0,64,0');
  const [left, top, right, bottom] = m.slice(1).map(Number) as [number, number, number, number];
  if (left + top + right + bottom === 0) throw new UsageError('--outpaint: add at least one side');
  let src: RgbImage;
  try {
    src = await decodePngToRgb(init);
  } catch (err) {
    throw new UsageError(`--init: not a readable image (${(err as Error).message.split('\n')[0]})`);
  }
  const multiple = 8 * (inspectModel(modelDir).sizeMultiple / 8);
  const canvas = outpaintCanvas(src, { left, top, right, bottom }, multiple);
  const [image, mask] = await Promise.all([encodePng(canvas.image), encodePng(canvas.mask)]);
  const parsed = zGenerationParams.safeParse({
    ...p,
    mode: 'inpaint',
    width: canvas.image.width,
    height: canvas.image.height,
    strength: strengthGiven ? p.strength : 1,
    initImage: image.toString('base64'),
    mask: mask.toString('base64'),
  });
  if (!parsed.success) throw new UsageError(`--outpaint: ${describeIssues(parsed.error)}`);
  return { params: parsed.data, init: image, mask };
}

/** --hires-upscaler: latent, lanczos, an .onnx file, or an upscaler of the models folder by name. */
function hiresUpscalerFlag(given: string | undefined): { name: string; file?: string } | undefined {
  if (given === undefined || given === 'latent' || given === 'lanczos') return given ? { name: given } : undefined;
  try {
    return upscalerFileOrName(modelRootsFromDisk().modelsDir(), given);
  } catch (err) {
    throw new UsageError(`--hires-upscaler: ${(err as Error).message}`);
  }
}

/** Validates the flags shared by generate and plot; throws UsageError with the first problem. */
export function readGenerateArgs(values: GenerateFlagValues): GenerateArgs {
  if (!values.model) throw new UsageError('--model is required');
  if (values.prompt === undefined) throw new UsageError('--prompt is required');
  if (!values.out) throw new UsageError('--out is required');
  if (!/\.png$/i.test(values.out)) throw new UsageError('--out must name a .png file');
  if (values.sampler && !isKnownSampler(values.sampler)) {
    throw new UsageError(
      `--sampler must be one of ${DIFFUSERS_SAMPLER_NAMES.join(', ')} (diffusers), a1111:SAMPLER:SCHEDULE[:ensd=N] or comfyui:SAMPLER:SCHEDULER (exact to those tools; see the README)`,
    );
  }
  if (!fs.existsSync(values.model) || !fs.statSync(values.model).isDirectory())
    throw new UsageError(`--model: no folder at ${values.model}`);
  if (values.mask && !values.init) throw new UsageError('--mask needs --init');
  if (values['only-masked'] && !values.mask) throw new UsageError('--only-masked needs --mask');
  if (values.outpaint && (!values.init || values.mask))
    throw new UsageError('--outpaint needs --init (and makes its own mask: no --mask)');
  const additions = {
    loras: (values.lora ?? []).map(loraFlag),
    embeddings: (values.embedding ?? []).map((file) => existingFile('embedding', file)),
    vae: values.vae === undefined ? undefined : existingFile('vae', values.vae),
  };
  const original = pairFlag('original-size', values['original-size'], /^(\d+)x(\d+)$/i, 'WxH');
  const crop = pairFlag('crop-top-left', values['crop-top-left'], /^(\d+),(\d+)$/, 'TOP,LEFT');
  const resizeFrom = pairFlag('seed-resize-from', values['seed-resize-from'], /^(\d+)x(\d+)$/i, 'WxH');
  const hires = hiresUpscalerFlag(values['hires-upscaler']);
  const init = readImageFlag('init', values.init);
  const mask = readImageFlag('mask', values.mask);
  // Without --width/--height: the model's own size (its UNet's sample size), as the app and diffusers do.
  const native =
    values.width === undefined || values.height === undefined ? nativeSizeOf(path.resolve(values.model)) : undefined;

  // Saved styles (the app's, or imported from A1111's styles.csv) applied in the order given.
  const styled = applyStyles(
    values.style?.length ? new StylesStore(resolveStudioPaths().dataDir).pick(values.style) : [],
    values.prompt,
    values.negative ?? '',
  );
  const parsed = zGenerationParams.safeParse({
    model: path.basename(path.resolve(values.model)),
    mode: mask ? 'inpaint' : init ? 'img2img' : 'txt2img',
    prompt: styled.prompt,
    negativePrompt: styled.negativePrompt,
    seed: intFlag('seed', values.seed, -1, Number.MAX_SAFE_INTEGER),
    steps: intFlag('steps', values.steps, 1, 200),
    sampler: values.sampler,
    cfgScale: numberFlag('cfg', values.cfg, 0, 50),
    width: intFlag('width', values.width, 64, 2048) ?? native,
    height: intFlag('height', values.height, 64, 2048) ?? native,
    batchCount: intFlag('batch', values.batch, 1, 16),
    rng: values.rng,
    strength: numberFlag('strength', values.strength, 0, 1) ?? (mask ? 1 : undefined),
    initImage: init?.toString('base64'),
    mask: mask?.toString('base64'),
    provider: values.provider,
    // SDXL's size conditioning (other models ignore it).
    originalWidth: original?.[0] ?? null,
    originalHeight: original?.[1] ?? null,
    cropTop: crop?.[0] ?? null,
    cropLeft: crop?.[1] ?? null,
    // A1111's variation seed: the noise moves from the seed's towards this one's by the strength.
    variationSeed: intFlag('variation-seed', values['variation-seed'], 0, Number.MAX_SAFE_INTEGER) ?? null,
    variationStrength:
      numberFlag('variation-strength', values['variation-strength'], 0, 1) ??
      (values['variation-seed'] !== undefined ? 0.5 : 0),
    // A1111's resize seed from width/height: the seed's noise drawn at that size, centred.
    seedResizeFromWidth: resizeFrom?.[0] ?? null,
    seedResizeFromHeight: resizeFrom?.[1] ?? null,
    // Hires fix: a second img2img pass at the scaled size.
    hiresScale: numberFlag('hires-scale', values['hires-scale'], 1, 4),
    hiresSteps: intFlag('hires-steps', values['hires-steps'], 1, 200) ?? null,
    hiresDenoise: numberFlag('hires-denoise', values['hires-denoise'], 0, 1),
    hiresUpscaler: hires?.name,
    // A1111's "Inpaint area: Only masked": the box around the mask at the set size, pasted back.
    inpaintArea: values['only-masked'] ? 'masked' : undefined,
    maskPadding: intFlag('mask-padding', values['mask-padding'], 0, 512),
    // Recorded by file name, as A1111 writes it (the app looks it up in the models folder's vae/).
    vae: additions.vae ? path.basename(additions.vae) : null,
  });
  if (!parsed.success) throw new UsageError(describeIssues(parsed.error));
  return {
    params: parsed.data,
    seed: parsed.data.seed < 0 ? randomSeed() : parsed.data.seed,
    modelDir: path.resolve(values.model),
    flagAdditions: additions,
    hiresUpscalerFile: hires?.file,
    additions: withPromptNetworks(additions, parsed.data.prompt, parsed.data.negativePrompt),
    init,
    mask,
  };
}

export async function generateCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, GENERATE_FLAGS);
  const args = readGenerateArgs(values);
  const { seed, modelDir, additions, hiresUpscalerFile } = args;
  let { params: p, init, mask } = args;
  if (values.outpaint)
    ({
      params: p,
      init,
      mask,
    } = await outpaintArgs(values.outpaint, p, init!, modelDir, values.strength !== undefined));

  // CPU threads for inference (default: all cores).
  const paths = resolveStudioPaths();
  const cache = new ModelCache(sessionTuning(intFlag('threads', values.threads, 1, 256), graphCacheDir(paths)));
  // The models registry's hash cache: a model hashed once is not read again (computed beside the load otherwise).
  const modelHash = new ModelRegistry(paths.dataDir, () => []).hash(modelDir);
  const started = Date.now();
  const outputs: string[] = [];
  // Each image is written as soon as it is finished, so an interrupted batch keeps what it made.
  const write = (img: { index: number; seed: number; png: Buffer }) => {
    const file = p.batchCount === 1 ? values.out! : values.out!.replace(/\.png$/i, `-${img.index}.png`);
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    fs.writeFileSync(file, img.png);
    outputs.push(`${file} (seed ${img.seed})`);
  };
  const { provider, providerNote, warnings } = await generatePngs(
    cache,
    modelDir,
    providerOrder(p.provider),
    { ...p, seed, initImage: init, mask, hiresUpscalerFile },
    {
      appVersion: appVersion(),
      modelName: p.model,
      modelHash,
      additions,
      onImage: write,
      onStep: values.quiet
        ? undefined
        : (s) => process.stderr.write(`\rimage ${s.imageIndex + 1}/${p.batchCount} step ${s.step}/${s.totalSteps}`),
    },
  );
  // The sessions are not released one by one: the process ends here and the OS takes them back at once.
  if (!values.quiet) process.stderr.write('\n');
  for (const w of warnings) console.error(`warning: ${w}`);
  console.log(
    `wrote ${outputs.join(', ')} in ${((Date.now() - started) / 1000).toFixed(1)} s on ${provider}${providerNote ? ` (${providerNote})` : ''}`,
  );
  return 0;
}
