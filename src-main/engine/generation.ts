/**
 * One generation job end to end: the model (loaded once and kept), the
 * pipeline, and each image encoded as a PNG carrying its metadata. Shared by
 * the engine worker (the app) and the command line.
 */
import { createRequire } from 'node:module';
import type { ProviderName } from '../../src-shared/domain/settings.js';
import { StudioError, isStudioError } from '../../src-shared/domain/errors.js';
import { LoadedModel } from './model/loaded-model.js';
import { hashModelFolder, shortHash } from './model/model-hash.js';
import { runPipeline, type PipelineRequest, type StepInfo } from './pipeline/pipeline.js';
import { encodePng, type RgbImage } from './pipeline/images.js';
import { annotatePng } from '../pngmeta/studio-metadata.js';
import type { SessionTuning } from './runtime/sessions.js';

const require = createRequire(import.meta.url);
const ORT_VERSION = (() => {
  try {
    return (require('onnxruntime-node/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
})();

export interface GeneratedPng {
  index: number;
  seed: number;
  width: number;
  height: number;
  png: Buffer;
}

/** Keeps the last model's sessions alive between jobs; switching models releases the old ones. */
export class ModelCache {
  private current: { key: string; model: LoadedModel; hash: Promise<string | null> } | null = null;

  constructor(private readonly tuning: SessionTuning = {}) {}

  async get(
    dir: string,
    providers: readonly ProviderName[],
  ): Promise<{ model: LoadedModel; hash: Promise<string | null> }> {
    const key = `${dir}\n${providers.join(',')}`;
    if (this.current?.key === key) return this.current;
    await this.unload();
    const model = await LoadedModel.load(dir, providers, this.tuning);
    this.current = { key, model, hash: hashModelFolder(dir).then(shortHash, () => null) };
    return this.current;
  }

  async unload(): Promise<void> {
    const old = this.current;
    this.current = null;
    await old?.model.release();
  }
}

export interface GenerateOptions {
  signal?: AbortSignal;
  onStep?: (info: StepInfo) => void;
  onImage?: (image: GeneratedPng) => void;
  appVersion: string;
  modelName: string;
}

export async function generatePngs(
  cache: ModelCache,
  modelDir: string,
  providers: readonly ProviderName[],
  request: PipelineRequest,
  opts: GenerateOptions,
): Promise<{ images: GeneratedPng[]; provider: ProviderName; providerNote: string | null }> {
  let loaded: Awaited<ReturnType<ModelCache['get']>>;
  try {
    loaded = await cache.get(modelDir, providers);
  } catch (err) {
    if (isStudioError(err)) throw err;
    throw new StudioError(
      'BROKEN_MODEL',
      `Model "${opts.modelName}" could not be loaded: ${(err as Error).message.split('\n')[0]}`,
    );
  }
  const { model, hash } = loaded;
  const images: GeneratedPng[] = [];
  const results = await runPipeline(model, request, { signal: opts.signal, onStep: opts.onStep });
  const modelHash = await hash;
  for (const r of results) {
    const png = annotatePng(await encodePng(r.image), {
      format: 'latent-studio',
      version: 1,
      mode: request.mode,
      prompt: request.prompt,
      negativePrompt: request.negativePrompt,
      sampler: request.sampler,
      steps: request.steps,
      cfgScale: request.cfgScale,
      seed: r.seed,
      rng: request.rng,
      width: request.width,
      height: request.height,
      strength: request.mode === 'txt2img' ? null : request.strength,
      batchIndex: r.index,
      model: { name: opts.modelName, hash: modelHash, family: model.description.family },
      engine: { app: opts.appVersion, onnxruntime: ORT_VERSION, provider: model.provider },
    });
    const image = { index: r.index, seed: r.seed, width: r.image.width, height: r.image.height, png };
    images.push(image);
    opts.onImage?.(image);
  }
  return { images, provider: model.provider, providerNote: model.providerNote };
}

export type { RgbImage };
