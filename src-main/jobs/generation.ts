/**
 * One generation job end to end: the model (loaded once and kept), the
 * engine's pipeline, and each image encoded as a PNG carrying its metadata,
 * handed on with the engine's facts about the run. Shared by the engine
 * worker (the app) and the command line.
 */
import type { GenerationFacts } from '../../src-shared/domain/generation.js';
import { StudioError, isStudioError } from '../../src-shared/domain/errors.js';
import type { ProviderName } from '../../src-shared/domain/settings.js';
import {
  LoadedModel,
  ORT_VERSION,
  encodePng,
  hashModelFolder,
  runPipeline,
  shortHash,
  type PipelineRequest,
  type SessionTuning,
  type StepInfo,
} from '../engine/index.js';
import { annotatePng } from '../pngmeta/studio-metadata.js';

export interface GeneratedPng {
  index: number;
  seed: number;
  width: number;
  height: number;
  png: Buffer;
  facts: GenerationFacts;
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
  const facts: GenerationFacts = {
    modelName: opts.modelName,
    modelHash: await hash,
    modelFamily: model.description.family,
    provider: model.provider,
    engineVersion: opts.appVersion,
    runtimeVersion: ORT_VERSION,
  };
  for (const r of results) {
    const png = annotatePng(await encodePng(r.image), { ...request, seed: r.seed, batchIndex: r.index }, facts);
    const image = { index: r.index, seed: r.seed, width: r.image.width, height: r.image.height, png, facts };
    images.push(image);
    opts.onImage?.(image);
  }
  return { images, provider: model.provider, providerNote: model.providerNote };
}
