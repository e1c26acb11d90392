/**
 * One generation job end to end: the model (loaded once and kept), the
 * engine's pipeline, and each image encoded as a PNG carrying its metadata,
 * handed on with the engine's facts about the run. Shared by the engine
 * worker (the app) and the command line.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { GenerationFacts } from '../../src-shared/domain/generation.js';
import { StudioError, isStudioError } from '../../src-shared/domain/errors.js';
import type { ProviderName } from '../../src-shared/domain/settings.js';
import {
  LoadedModel,
  type ModelAdditions,
  ORT_VERSION,
  embeddingName,
  encodePng,
  fileShortHash,
  hasAdditions,
  hashModelFolder,
  hypernetTags,
  loraShortHash,
  prepareModelVariant,
  redactPaths,
  runPipeline,
  shortHash,
  type PipelineRequest,
  type SessionTuning,
  type StepInfo,
} from '../engine/index.js';
import { annotatePng } from '../pngmeta/studio-metadata.js';

const stem = (file: string) => path.basename(file).replace(/\.safetensors$/i, '');
const hashes = new Map<string, string>();
/** A1111's short hash of a file (12 hex digits), computed once per file version. */
function shortHashOf(file: string, kind: 'lora' | 'file'): string {
  const st = fs.statSync(file);
  const key = `${kind}:${path.resolve(file)}:${st.size}:${st.mtimeMs}`;
  let h = hashes.get(key);
  if (!h) {
    h = kind === 'lora' ? loraShortHash(file) : fileShortHash(file);
    hashes.set(key, h);
  }
  return h;
}

function networksUsed(additions: ModelAdditions): NonNullable<GenerationFacts['networks']> {
  return {
    loras: additions.loras.map((l) => ({ name: stem(l.file), weight: l.weight, hash: shortHashOf(l.file, 'lora') })),
    embeddings: additions.embeddings.map((f) => ({ name: embeddingName(f), hash: shortHashOf(f, 'file') })),
    ...(additions.vae
      ? { vae: { name: path.basename(additions.vae), hash: shortHashOf(additions.vae, 'file').slice(0, 10) } }
      : {}),
  };
}

export interface GeneratedPng {
  index: number;
  seed: number;
  width: number;
  height: number;
  png: Buffer;
  facts: GenerationFacts;
}

interface Loaded {
  key: string;
  model: LoadedModel;
  /** The base model's short hash: what A1111 writes for the checkpoint. */
  hash: string | null;
  /** Why some of the additions did not fully apply (LoRA keys that matched nothing). */
  warnings: string[];
}

/**
 * Keeps the last model's sessions alive between jobs; switching models (or
 * the LoRAs and embeddings applied to one) releases the old ones.
 */
export class ModelCache {
  private current: Loaded | null = null;

  /** `variantsDir`: where models with LoRAs merged and embeddings added are written. */
  constructor(
    private readonly tuning: SessionTuning = {},
    private readonly variantsDir = path.join(os.tmpdir(), 'latent-studio-variants'),
  ) {}

  /**
   * `knownHash`: the folder's short hash when the caller has it cached. Otherwise it
   * is computed while the model loads: once inference starts, session.run() blocks
   * this thread and a streamed hash would only finish after the last image.
   */
  async get(
    dir: string,
    providers: readonly ProviderName[],
    additions?: ModelAdditions,
    knownHash?: string | Promise<string | null>,
    tuning: SessionTuning = this.tuning,
  ): Promise<Loaded> {
    const key = JSON.stringify([dir, providers, additions ?? null, tuning]);
    if (this.current?.key === key) return this.current;
    await this.unload();
    let loadDir = dir;
    let variant = null;
    if (hasAdditions(additions)) {
      variant = await prepareModelVariant(dir, additions, this.variantsDir);
      loadDir = variant.dir;
    }
    const hashing = knownHash !== undefined ? knownHash : hashModelFolder(dir).then(shortHash, () => null);
    const model = await LoadedModel.load(loadDir, providers, tuning);
    if (variant?.eosId != null) {
      model.tokenizer.moveEos(variant.eosId);
      model.tokenizer2?.moveEos(variant.eosId);
    }
    for (const inv of variant?.inversions ?? []) {
      model.tokenizer.addInversion(inv.name, inv.ids);
      model.tokenizer2?.addInversion(inv.name, inv.ids);
    }
    this.current = { key, model, hash: await hashing, warnings: variant?.warnings ?? [] };
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
  additions?: ModelAdditions;
  /**
   * The base model's short hash when the caller knows it (or a promise of it, as the models registry's
   * cache gives); otherwise it is computed alongside the run.
   */
  modelHash?: string | Promise<string | null>;
  /** Session settings for this run (the cache's own when absent). */
  tuning?: SessionTuning;
}

export async function generatePngs(
  cache: ModelCache,
  modelDir: string,
  providers: readonly ProviderName[],
  request: PipelineRequest,
  opts: GenerateOptions,
): Promise<{ images: GeneratedPng[]; provider: ProviderName; providerNote: string | null; warnings: string[] }> {
  let loaded: Awaited<ReturnType<ModelCache['get']>>;
  try {
    loaded = await cache.get(modelDir, providers, opts.additions, opts.modelHash, opts.tuning);
  } catch (err) {
    if (isStudioError(err)) throw err;
    throw new StudioError(
      'BROKEN_MODEL',
      `Model "${opts.modelName}" could not be loaded: ${redactPaths((err as Error).message.split('\n')[0]!)}`,
      { cause: err },
    );
  }
  const { model, hash } = loaded;
  const images: GeneratedPng[] = [];
  const facts: GenerationFacts = {
    modelName: opts.modelName,
    modelHash: hash,
    modelFamily: model.description.family,
    provider: model.provider,
    engineVersion: opts.appVersion,
    runtimeVersion: ORT_VERSION,
    ...(hasAdditions(opts.additions) ? { networks: networksUsed(opts.additions) } : {}),
  };
  await runPipeline(model, request, {
    signal: opts.signal,
    onStep: opts.onStep,
    // Each image is encoded and handed on before the next one starts.
    onImage: async (r) => {
      const png = annotatePng(await encodePng(r.image), { ...request, seed: r.seed, batchIndex: r.index }, facts);
      const image = { index: r.index, seed: r.seed, width: r.image.width, height: r.image.height, png, facts };
      images.push(image);
      opts.onImage?.(image);
    },
  });
  const hypernets = [...new Set([...hypernetTags(request.prompt), ...hypernetTags(request.negativePrompt)])];
  const skipped = hypernets.map((n) => `<hypernet:${n}> was left out: hypernetworks are not supported`);
  return {
    images,
    provider: model.provider,
    providerNote: model.providerNote,
    warnings: [...loaded.warnings, ...skipped],
  };
}
