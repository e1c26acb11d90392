/**
 * The denoising pipeline: txt2img, img2img and inpainting, the way diffusers'
 * Stable Diffusion pipelines do it (see test/fixtures/README.md):
 * conditioning -> noise -> sampler loop with classifier-free guidance -> VAE.
 * Pure engine code: no IPC, no database. Runs wherever it is called; the
 * app calls it from a worker thread because session.run() blocks.
 */
import { redactPaths } from '../redact-paths.js';
import { StudioError } from '../../../src-shared/domain/errors.js';
import type { GenerationSettings, SizeConditioning } from '../../../src-shared/domain/generation.js';
import type { LoadedModel } from '../model/loaded-model.js';
import { createGenerator } from '../rng/index.js';
import {
  createScheduler,
  firstCall,
  initialNoiseRng,
  type Scheduler,
  SchedulerConfigError,
} from '../schedulers/index.js';
import { latentToRgb } from '../preview/latent-preview.js';
import {
  decodePngToRgb,
  downscaleNearest,
  encodePng,
  imageToTensor,
  maskToGray,
  maskToPixels,
  tensorToRgb,
  type RgbImage,
} from './images.js';
import { cropPixels, maskedBox, pasteThroughMask } from './only-masked.js';
import { resizeLanczos } from '../upscale/resample.js';
import { OnnxUpscaler } from '../upscale/upscaler.js';
import { encodePromptSet } from './text-conditioning.js';
import { splitAnd } from '../prompt/composable.js';
import { promptAt, promptSchedule } from '../prompt/prompt-schedule.js';
import { initialNoise } from '../rng/initial-noise.js';
import { guidanceScaleEmbedding } from './guidance-embedding.js';
import { concatFloat32 } from '../float32.js';

/** The generation record's settings (src-shared/domain/generation.ts) plus how many and from what. */
export interface PipelineRequest extends GenerationSettings {
  /** Hires fix's ONNX upscaler file, when `hiresUpscaler` names one (resolved by the caller from the models folder). */
  hiresUpscalerFile?: string;
  batchCount: number;
  initImage?: Uint8Array;
  mask?: Uint8Array;
  /**
   * Inpainting: paste the init image back outside the mask after decoding (feathered edges blend), so
   * what was not masked comes back exactly, as A1111 does. True unless set false (diffusers does not:
   * the reference fixtures compare without it).
   */
  keepUnmasked?: boolean;
  /** SDXL: condition an empty negative prompt on the encoded "" rather than zeros (diffusers' rule for a string ""). */
  encodeEmptyNegative?: boolean;
}

export interface StepInfo {
  imageIndex: number;
  /** Model calls done for this image, and in all (second-order samplers make two per step). */
  step: number;
  totalSteps: number;
  preview: () => RgbImage;
}

export interface PipelineOptions {
  signal?: AbortSignal;
  onStep?: (info: StepInfo) => void;
  /** Each image as soon as it is decoded; awaited before the next one starts, so a crash loses at most one. */
  onImage?: (image: PipelineImage) => Promise<void> | void;
}

export interface PipelineImage {
  index: number;
  seed: number;
  image: RgbImage;
  /** Final latents (model space), for tests and debugging. */
  latents: Float32Array;
}

const LATENT_CHANNELS = 4;

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new StudioError('CANCELLED', 'Generation cancelled');
}

function validate(model: LoadedModel, req: PipelineRequest): void {
  if (req.width % 8 !== 0 || req.height % 8 !== 0) {
    throw new StudioError('BAD_SIZE', `Width and height must be multiples of 8 (got ${req.width}x${req.height})`);
  }
  const m = model.description.latentMultiple;
  if (m && ((req.width / 8) % m !== 0 || (req.height / 8) % m !== 0)) {
    throw new StudioError(
      'BAD_SIZE',
      `"${model.folder.name}" needs width and height in multiples of ${8 * m} (got ${req.width}x${req.height})`,
    );
  }
  if (req.mode !== 'txt2img' && !req.initImage)
    throw new StudioError('INVALID_INPUT', `${req.mode} needs an init image`);
  if (req.mode === 'inpaint' && !req.mask) throw new StudioError('INVALID_INPUT', 'inpaint needs a mask');
  if (req.mode !== 'txt2img' && !model.canEncodeImages) {
    throw new StudioError(
      'UNSUPPORTED_MODEL',
      `"${model.folder.name}" has no vae_encoder, so it cannot do ${req.mode}`,
    );
  }
  if (model.description.inpainting && req.mode !== 'inpaint') {
    throw new StudioError(
      'UNSUPPORTED_MODEL',
      `"${model.folder.name}" is an inpainting model: use inpaint mode with a mask`,
    );
  }
}

/**
 * Inpainting of only the masked area: the padded box around the mask,
 * inpainted at the set size, scaled back and pasted through the mask into the
 * picture at its own size (see only-masked.ts).
 */
async function runOnlyMasked(
  model: LoadedModel,
  req: PipelineRequest,
  opts: PipelineOptions,
): Promise<PipelineImage[]> {
  const picture = await decodePngToRgb(req.initImage!);
  const mask = await maskToGray(req.mask!, picture.width, picture.height);
  const box = maskedBox(mask, picture.width, picture.height, req.maskPadding ?? 32, req.width / req.height);
  if (!box) throw new StudioError('INVALID_INPUT', 'The mask is empty: paint the part to repaint');
  const crop = { width: box.width, height: box.height, data: cropPixels(picture.data, picture.width, box, 3) };
  const cropMask = cropPixels(mask, picture.width, box, 1);
  const maskRgb = new Uint8Array(cropMask.length * 3);
  for (let i = 0; i < cropMask.length; i++) maskRgb[i * 3] = maskRgb[i * 3 + 1] = maskRgb[i * 3 + 2] = cropMask[i]!;
  const inner: PipelineRequest = {
    ...req,
    inpaintArea: 'whole',
    initImage: await encodePng(await resizeLanczos(crop, req.width, req.height)),
    mask: await encodePng({ width: box.width, height: box.height, data: maskRgb }),
  };
  const out: PipelineImage[] = [];
  await runPipeline(model, inner, {
    ...opts,
    onImage: async (image) => {
      const back = await resizeLanczos(image.image, box.width, box.height);
      const whole = { ...image, image: pasteThroughMask(picture, back, box, mask) };
      out.push(whole);
      await opts.onImage?.(whole);
    },
  });
  return out;
}

/** Runs every image of the batch (seed, seed + 1, ...), A1111 style. */
export async function runPipeline(
  model: LoadedModel,
  req: PipelineRequest,
  opts: PipelineOptions = {},
): Promise<PipelineImage[]> {
  if (req.mode === 'inpaint' && req.inpaintArea === 'masked') return runOnlyMasked(model, req, opts);
  validate(model, req);
  checkAborted(opts.signal);
  const textAt = conditioningSchedule(model, req);
  await textAt(0); // prompt errors before any image work
  const hires = hiresPlan(model, req, textAt.encoded);
  const h = req.height / 8;
  const w = req.width / 8;
  const sf = model.description.vaeScale;

  // Image-conditioned inputs are the same for every image of the batch.
  let initLatents: Float32Array | null = null;
  let latentMask: Float32Array | null = null;
  let maskedImageLatents: Float32Array | null = null;
  let overlay: ImageInputs['overlay'] = null;
  if (req.mode !== 'txt2img') {
    const pixels = await imageToTensor(req.initImage!, req.width, req.height);
    const imageDims = [1, 3, req.height, req.width];
    if (req.mode === 'inpaint') {
      const maskPixels = await maskToPixels(req.mask!, req.width, req.height);
      if (req.keepUnmasked !== false) overlay = { pixels, mask: maskPixels };
      latentMask = downscaleNearest(maskPixels, req.width, req.height, w, h);
      if (model.description.inpainting) {
        // Inpainting UNets were trained on hard masks: binarise at 0.5 as diffusers does.
        latentMask = latentMask.map((m) => (m >= 0.5 ? 1 : 0));
        const plane = req.width * req.height;
        const masked = pixels.map((v, i) => (maskPixels[i % plane]! < 0.5 ? v : 0));
        maskedImageLatents = (await model.encode(masked, imageDims)).map((v) => v * sf);
      }
    }
    if (!model.description.inpainting) initLatents = (await model.encode(pixels, imageDims)).map((v) => v * sf);
  }

  const out: PipelineImage[] = [];
  for (let b = 0; b < req.batchCount; b++) {
    checkAborted(opts.signal);
    let image = await runOne(
      model,
      req,
      b,
      textAt,
      { initLatents, latentMask, maskedImageLatents, overlay, h, w },
      opts,
    );
    if (hires) image = await hiresPass(model, req, hires, b, image, opts);
    out.push(image);
    await opts.onImage?.(image);
  }
  return out;
}

interface HiresPlan {
  width: number;
  height: number;
  request: PipelineRequest;
  textAt: (call: number) => Promise<TextConditioning>;
}

/**
 * Hires fix, txt2img only: the second pass is img2img at the scaled size
 * (snapped to the model's multiple) with the same prompt, seed and sampler,
 * `hiresDenoise` strength and `hiresSteps` steps; its noise comes from the
 * image's seed at the new size, as A1111 draws it.
 */
function hiresPlan(
  model: LoadedModel,
  req: PipelineRequest,
  encoded: Map<string, Promise<TextConditioning>>,
): HiresPlan | null {
  const scale = req.hiresScale ?? 1;
  if (scale <= 1 || req.mode !== 'txt2img') return null;
  if (!model.canEncodeImages && (req.hiresUpscaler ?? 'latent') !== 'latent')
    throw new StudioError(
      'UNSUPPORTED_MODEL',
      `"${model.folder.name}" has no vae_encoder: use the latent hires upscaler`,
    );
  const multiple = 8 * (model.description.latentMultiple ?? 1);
  const snap = (v: number) => Math.max(multiple, Math.round((v * scale) / multiple) * multiple);
  const width = snap(req.width);
  const height = snap(req.height);
  const request: PipelineRequest = {
    ...req,
    mode: 'img2img',
    width,
    height,
    strength: req.hiresDenoise ?? 0.7,
    steps: req.hiresSteps ?? req.steps,
    hiresScale: 1,
  };
  validate(model, { ...request, mode: 'txt2img' }); // the large size must suit the model
  return { width, height, request, textAt: conditioningSchedule(model, request, encoded) };
}

async function hiresPass(
  model: LoadedModel,
  req: PipelineRequest,
  plan: HiresPlan,
  index: number,
  first: PipelineImage,
  opts: PipelineOptions,
): Promise<PipelineImage> {
  const h = plan.height / 8;
  const w = plan.width / 8;
  let initLatents: Float32Array;
  if ((req.hiresUpscaler ?? 'latent') === 'latent') {
    initLatents = bilinearLatents(first.latents, req.width / 8, req.height / 8, w, h);
  } else {
    // Pixels: an ONNX upscaler (tiled), then Lanczos to the exact size; or Lanczos alone.
    let upscaled = first.image;
    if (req.hiresUpscaler !== 'lanczos' && req.hiresUpscalerFile) {
      const upscaler = await OnnxUpscaler.load(req.hiresUpscalerFile);
      try {
        upscaled = await upscaler.upscale(first.image, { signal: opts.signal });
      } finally {
        await upscaler.release();
      }
    }
    const big =
      upscaled.width === plan.width && upscaled.height === plan.height
        ? upscaled
        : await resizeLanczos(upscaled, plan.width, plan.height);
    const pixels = await imageToTensor(await encodePng(big), plan.width, plan.height);
    initLatents = (await model.encode(pixels, [1, 3, plan.height, plan.width])).map(
      (v) => v * model.description.vaeScale,
    );
  }
  return runOne(
    model,
    plan.request,
    index,
    plan.textAt,
    { initLatents, latentMask: null, maskedImageLatents: null, overlay: null, h, w },
    opts,
  );
}

/** torch's interpolate(mode='bilinear', align_corners=False) on [4, h, w] latents, as A1111's latent upscaler. */
export function bilinearLatents(x: Float32Array, w: number, h: number, w2: number, h2: number): Float32Array {
  const out = new Float32Array(LATENT_CHANNELS * w2 * h2);
  const src = (o: number, n: number, n2: number) => Math.max(0, ((o + 0.5) * n) / n2 - 0.5);
  for (let c = 0; c < LATENT_CHANNELS; c++)
    for (let y = 0; y < h2; y++) {
      const sy = src(y, h, h2);
      const y0 = Math.min(Math.floor(sy), h - 1);
      const y1 = Math.min(y0 + 1, h - 1);
      const fy = sy - y0;
      for (let xo = 0; xo < w2; xo++) {
        const sx = src(xo, w, w2);
        const x0 = Math.min(Math.floor(sx), w - 1);
        const x1 = Math.min(x0 + 1, w - 1);
        const fx = sx - x0;
        const at = (yy: number, xx: number) => x[(c * h + yy) * w + xx]!;
        out[(c * h2 + y) * w2 + xo] =
          (1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x1)) + fy * ((1 - fx) * at(y1, x0) + fx * at(y1, x1));
      }
    }
  return out;
}

/**
 * One model call's text conditioning: the negative prompt's hidden states and
 * each positive sub-prompt's (one, or several joined by A1111's `AND`, each
 * with its weight), and SDXL's pooled embeddings.
 */
interface TextConditioning {
  conds: { hidden: Float32Array; weight: number; pooled: Float32Array | null }[];
  uncond: Float32Array;
  uncondPooled: Float32Array | null;
  tokens: number;
  dim: number;
  /** [uncond, cond_1, ..., cond_K] for the batched CFG pass, made on first use. */
  batch: () => Float32Array;
}

/**
 * The conditioning for each model call under A1111's prompt editing and
 * alternation (`[from:to:when]`, `[a|b]`, in either prompt) and composable
 * diffusion (`AND`, positive prompt only): each distinct set of texts is
 * encoded once, when a call first needs it.
 */
function conditioningSchedule(
  model: LoadedModel,
  req: PipelineRequest,
  /** Encodings by texts, shared with another pass of the same prompts (hires fix). */
  encoded = new Map<string, Promise<TextConditioning>>(),
): ((call: number) => Promise<TextConditioning>) & { encoded: typeof encoded } {
  const positives = splitAnd(req.prompt).map((p) => ({
    weight: p.weight,
    schedule: promptSchedule(p.text, req.steps),
  }));
  const negative = promptSchedule(req.negativePrompt, req.steps);
  const textAt = (call: number): Promise<TextConditioning> => {
    const texts = positives.map((p) => promptAt(p.schedule, call));
    const neg = promptAt(negative, call);
    const key = JSON.stringify([texts, neg]);
    let hit = encoded.get(key);
    if (!hit) {
      hit = encodePromptSet(model, texts, neg, { encodeEmptyNegative: req.encodeEmptyNegative }).then(
        ({ conds, uncond }) => {
          let batch: Float32Array | null = null;
          return {
            conds: conds.map((c, k) => ({ hidden: c.hidden, weight: positives[k]!.weight, pooled: c.pooled })),
            uncond: uncond.hidden,
            uncondPooled: uncond.pooled,
            tokens: uncond.tokens,
            dim: uncond.dim,
            batch: () => (batch ??= concatFloat32([uncond.hidden, ...conds.map((c) => c.hidden)])),
          };
        },
      );
      encoded.set(key, hit);
    }
    return hit;
  };
  return Object.assign(textAt, { encoded });
}

interface ImageInputs {
  initLatents: Float32Array | null;
  latentMask: Float32Array | null;
  maskedImageLatents: Float32Array | null;
  /** The init image (CHW, [-1, 1]) and full-size mask coverage to paste back outside the mask. */
  overlay: { pixels: Float32Array; mask: Float32Array } | null;
  h: number;
  w: number;
}

async function runOne(
  model: LoadedModel,
  req: PipelineRequest,
  index: number,
  textAt: (call: number) => Promise<TextConditioning>,
  inputs: ImageInputs,
  opts: PipelineOptions,
): Promise<PipelineImage> {
  const seed = req.seed + index;
  const { h, w, initLatents, latentMask, maskedImageLatents } = inputs;
  const n = LATENT_CHANNELS * h * w;
  const plane = h * w;
  const fullStrength =
    req.mode === 'txt2img' || (req.mode === 'inpaint' && req.strength >= 1) || model.description.inpainting;
  let scheduler: Scheduler;
  try {
    scheduler = createScheduler(req.sampler, model.folder.schedulerConfig, req.steps, {
      strength: fullStrength ? 1 : req.strength,
    });
  } catch (err) {
    if (err instanceof SchedulerConfigError) throw new StudioError('INVALID_INPUT', err.message);
    throw err;
  }
  const noiseRng = initialNoiseRng(req.sampler, req.rng);
  const generator = createGenerator(noiseRng, seed);
  const variation = req.variationStrength ?? 0;
  const resizeW = req.seedResizeFromWidth ?? 0;
  const resizeH = req.seedResizeFromHeight ?? 0;
  const noise = initialNoise({
    channels: LATENT_CHANNELS,
    h,
    w,
    fresh: (s) => createGenerator(noiseRng, s),
    generator,
    seed,
    // A1111: the variation seed's noise from its own generator (variation seed + image index); the
    // sampler's later draws still come from the seed's generator.
    variation:
      req.variationSeed != null && variation > 0 ? { seed: req.variationSeed + index, strength: variation } : null,
    resizeFrom: resizeW > 0 && resizeH > 0 ? { h: Math.floor(resizeH / 8), w: Math.floor(resizeW / 8) } : null,
  });

  // Where the loop starts and from what latents.
  let begin = 0;
  let x: Float32Array;
  if (fullStrength) {
    x = noise.map((v) => v * scheduler.initNoiseSigma);
  } else {
    begin = firstCall(scheduler, req.steps, req.strength);
    if (begin >= scheduler.timesteps.length) {
      throw new StudioError(
        'INVALID_INPUT',
        `Strength ${req.strength} with ${req.steps} steps leaves no step to run; raise strength or steps`,
      );
    }
    x = scheduler.addNoise(initLatents!, noise, begin);
  }

  // LCM-distilled models take the guidance as an embedding and run one pass per step.
  const condDim = model.sig.unet.timestepCondDim;
  const timestepCond = condDim !== null ? guidanceScaleEmbedding(req.cfgScale, condDim) : undefined;
  const doCfg = req.cfgScale > 1 && !timestepCond;
  // Large pictures run the guidance passes one at a time where the export allows: the attention's scores grow with
  // the square of its tokens (SD 1.5 at 1024x1024: 16384 tokens, over 8 GB per pass in fp16).
  const level = model.description.firstAttentionLevel;
  const attentionTokens = Math.ceil(h / 2 ** level) * Math.ceil(w / 2 ** level);
  const oneAtATime = model.sig.unet.batchFixed === null && attentionTokens > model.separateGuidanceAbove;
  const batched = doCfg && model.sig.unet.batchFixed !== 1 && !oneAtATime;
  const inChannels = model.sig.unet.inChannels;
  const totalCalls = scheduler.timesteps.length - begin;
  // SDXL's added conditioning, in the same batch order as the hidden states.
  const timeIds = sdxlTimeIds(req);
  let text: TextConditioning;
  const hiddenDims = (batch: number) => [batch, text.tokens, text.dim];
  /** SDXL's pooled embeddings and size ids for a batch of these prompts (undefined for other models). */
  const added = (pooled: (Float32Array | null)[]) =>
    pooled.every((p): p is Float32Array => p !== null)
      ? { textEmbeds: concatFloat32(pooled), timeIds: concatFloat32(pooled.map(() => timeIds)) }
      : undefined;

  const modelInput = (scaled: Float32Array): Float32Array => {
    if (inChannels === LATENT_CHANNELS) return scaled;
    // Inpainting UNets take [latents, mask, masked-image latents] on the channel axis.
    return concatFloat32([scaled, latentMask!, maskedImageLatents!]);
  };

  for (let i = begin, call = 0; i < scheduler.timesteps.length; i++, call++) {
    checkAborted(opts.signal);
    text = await textAt(call);
    const t = scheduler.timesteps[i]!;
    const single = modelInput(scheduler.scaleModelInput(x, i));
    const conds = text.conds;
    /** One prompt's pass, batch 1 (a UNet exported for batch 1, or no guidance). */
    const one = (hidden: Float32Array, pooled: Float32Array | null, cond?: Float32Array) =>
      model.unet(single, [1, inChannels, h, w], t, hidden, hiddenDims(1), cond, added([pooled]));
    /** uncond and each sub-prompt through the UNet in batches of `size` (null: all at once). */
    const batchedPasses = async (size: number | null): Promise<Float32Array[]> => {
      if (size === null || conds.length === 1) {
        const k = conds.length + 1;
        const out = await model.unet(
          concatFloat32(Array.from({ length: k }, () => single)),
          [k, inChannels, h, w],
          t,
          text.batch(),
          hiddenDims(k),
          undefined,
          added([text.uncondPooled, ...conds.map((c) => c.pooled)]),
        );
        return Array.from({ length: k }, (_, j) => out.subarray(j * n, (j + 1) * n));
      }
      // A UNet exported for a batch of two: [uncond, cond_k] pairs.
      const outs: Float32Array[] = [];
      for (const c of conds) {
        const out = await model.unet(
          concatFloat32([single, single]),
          [2, inChannels, h, w],
          t,
          concatFloat32([text.uncond, c.hidden]),
          hiddenDims(2),
          undefined,
          added([text.uncondPooled, c.pooled]),
        );
        if (!outs.length) outs.push(out.subarray(0, n));
        outs.push(out.subarray(n, 2 * n));
      }
      return outs;
    };
    let eps: Float32Array;
    try {
      if (batched) {
        const [u, ...cs] = await batchedPasses(model.sig.unet.batchFixed);
        eps = guide(u!, cs, conds, req.cfgScale);
      } else if (doCfg) {
        const u = await one(text.uncond, text.uncondPooled);
        const cs: Float32Array[] = [];
        for (const c of conds) cs.push(await one(c.hidden, c.pooled));
        eps = guide(u, cs, conds, req.cfgScale);
      } else if (conds.length === 1) {
        eps = Float32Array.from(await one(conds[0]!.hidden, conds[0]!.pooled, timestepCond));
      } else {
        // No guidance but several sub-prompts: their weighted pulls from the negative, at a scale of 1.
        const u = await one(text.uncond, text.uncondPooled, timestepCond);
        const cs: Float32Array[] = [];
        for (const c of conds) cs.push(await one(c.hidden, c.pooled, timestepCond));
        eps = guide(u, cs, conds, 1);
      }
    } catch (err) {
      if (err instanceof StudioError) throw err;
      const message = (err as Error).message ?? String(err);
      // onnxruntime names the input whose shape the graph does not take: say which setting that is.
      const badInput = /invalid dimensions for input: (\w+)/i.exec(message)?.[1];
      if (badInput === 'encoder_hidden_states')
        throw new StudioError(
          'INVALID_INPUT',
          `"${model.folder.name}" takes prompts of one 75-token chunk only (its UNet was exported with a fixed text length): shorten the prompt to 75 tokens`,
          { cause: err },
        );
      // A UNet traced for other sizes fails its first call on its sample input or mismatched skip connections.
      if (call === 0 && (badInput === 'sample' || (!badInput && /concat|broadcast/i.test(message)))) {
        throw new StudioError(
          'BAD_SIZE',
          `"${model.folder.name}" cannot generate at ${req.width}x${req.height}; try multiples of 64`,
          { cause: err },
        );
      }
      throw new StudioError('INTERNAL', `The UNet failed: ${redactPaths(message.split('\n')[0]!).slice(0, 200)}`, {
        cause: err,
      });
    }
    const result = scheduler.step(eps, i, x, generator);
    x = result.prevSample;

    if (latentMask && inChannels === LATENT_CHANNELS) {
      // Latent blend: outside the mask, put back the init latents noised to the next level
      // (a feathered edge, 0 < m < 1, mixes the two).
      const last = i === scheduler.timesteps.length - 1;
      const keep = last ? initLatents! : scheduler.addNoise(initLatents!, noise, i + 1);
      for (let j = 0; j < n; j++) {
        const m = latentMask[j % plane]!;
        x[j] = (1 - m) * keep[j]! + m * x[j]!;
      }
    }
    const x0 = result.predOriginal ?? x;
    opts.onStep?.({
      imageIndex: index,
      step: call + 1,
      totalSteps: totalCalls,
      preview: () => latentToRgb(x0, w, h, model.description.family === 'sdxl'),
    });
  }

  checkAborted(opts.signal);
  const decoded = await model.decode(
    x.map((v) => v / model.description.vaeScale),
    [1, LATENT_CHANNELS, h, w],
  );
  if (inputs.overlay) pasteOutsideMask(decoded, inputs.overlay.pixels, inputs.overlay.mask);
  return { index, seed, image: tensorToRgb(decoded, req.width, req.height), latents: x };
}

/**
 * SDXL's size conditioning: original size, crop top-left, target size, each
 * (height, width). Defaults as diffusers: original = target, crop 0,0.
 */
export function sdxlTimeIds(req: Pick<PipelineRequest, 'width' | 'height'> & Partial<SizeConditioning>): Float32Array {
  return Float32Array.from([
    req.originalHeight ?? req.height,
    req.originalWidth ?? req.width,
    req.cropTop ?? 0,
    req.cropLeft ?? 0,
    req.height,
    req.width,
  ]);
}

/** decoded = m * decoded + (1 - m) * original, per pixel of every channel (m = mask coverage). */
function pasteOutsideMask(decoded: Float32Array, original: Float32Array, mask: Float32Array): void {
  const plane = mask.length;
  for (let i = 0; i < decoded.length; i++) {
    const m = mask[i % plane]!;
    decoded[i] = m * decoded[i]! + (1 - m) * original[i]!;
  }
}

/** eps = uncond + g * sum_k w_k * (cond_k - uncond); one sub-prompt of weight 1 is plain CFG. */
function guide(
  uncond: Float32Array,
  conds: readonly Float32Array[],
  subPrompts: readonly { weight: number }[],
  g: number,
): Float32Array {
  const out = new Float32Array(uncond.length);
  if (conds.length === 1 && subPrompts[0]!.weight === 1) {
    const c = conds[0]!;
    for (let i = 0; i < out.length; i++) out[i] = uncond[i]! + g * (c[i]! - uncond[i]!);
    return out;
  }
  for (let i = 0; i < out.length; i++) {
    let pull = 0;
    for (let k = 0; k < conds.length; k++) pull += subPrompts[k]!.weight * (conds[k]![i]! - uncond[i]!);
    out[i] = uncond[i]! + g * pull;
  }
  return out;
}
