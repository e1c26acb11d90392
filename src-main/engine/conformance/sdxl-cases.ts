/**
 * sdxl-refs/: whole SDXL generations on tiny-sdxl as diffusers'
 * StableDiffusionXLPipeline runs them (both text encoders, pooled
 * embeddings, size conditioning, force_zeros_for_empty_prompt), each
 * compared with its PNG, and its final latents with the reference's.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ProviderName } from '../../../src-shared/domain/settings.js';
import { LoadedModel } from '../model/loaded-model.js';
import { decodePngToRgb } from '../pipeline/images.js';
import { runPipeline, type PipelineRequest } from '../pipeline/pipeline.js';
import { isSamplerName } from '../schedulers/index.js';
import { type CaseResult, firstMismatch, readPythonJson } from './conformance-result.js';
import { imageDifference } from './pipeline-cases.js';

export interface SdxlCase {
  name: string;
  prompt: string;
  /** null: no negative prompt (zeros where the model says so); a string, even "", is encoded. */
  negative_prompt: string | null;
  seed: number;
  steps: number;
  sampler: string;
  cfg_scale: number;
  width: number;
  height: number;
  original_size?: [number, number];
  crops_coords_top_left?: [number, number];
  png: string;
  json: string;
}

interface SdxlManifest {
  model: string;
  tolerance?: { png_max_abs_u8?: number; png_mean_abs_u8?: number };
  cases: SdxlCase[];
}

/** diffusers' (height, width) pairs -> our request. */
export function sdxlRequest(c: SdxlCase): PipelineRequest {
  if (!isSamplerName(c.sampler)) throw new Error(`unknown sampler ${c.sampler}`);
  return {
    mode: 'txt2img',
    prompt: c.prompt,
    negativePrompt: c.negative_prompt ?? '',
    encodeEmptyNegative: c.negative_prompt !== null,
    sampler: c.sampler,
    steps: c.steps,
    cfgScale: c.cfg_scale,
    seed: c.seed,
    rng: 'cpu',
    width: c.width,
    height: c.height,
    batchCount: 1,
    strength: 1,
    originalHeight: c.original_size?.[0] ?? null,
    originalWidth: c.original_size?.[1] ?? null,
    cropTop: c.crops_coords_top_left?.[0] ?? null,
    cropLeft: c.crops_coords_top_left?.[1] ?? null,
  };
}

export async function runSdxlCases(fixturesDir: string, providers: ProviderName[] = ['cpu']): Promise<CaseResult[]> {
  const dir = path.join(fixturesDir, 'sdxl-refs');
  const manifest = readPythonJson<SdxlManifest>(path.join(dir, 'manifest.json'));
  const maxAbs = manifest.tolerance?.png_max_abs_u8 ?? 2;
  const maxMean = manifest.tolerance?.png_mean_abs_u8 ?? 0.5;
  const model = await LoadedModel.load(path.resolve(dir, manifest.model), providers);
  const results: CaseResult[] = [];
  try {
    for (const c of manifest.cases) {
      const name = `sdxl-refs/${c.name}`;
      try {
        const ref = readPythonJson<{ final_latents?: number[] }>(path.join(dir, c.json));
        const want = await decodePngToRgb(fs.readFileSync(path.join(dir, c.png)));
        const [got] = await runPipeline(model, sdxlRequest(c));
        const latents = ref.final_latents ? firstMismatch(got!.latents, ref.final_latents, 1e-3, 1e-3) : null;
        const diff = imageDifference(got!.image.data, want.data);
        const ok = got!.image.data.length === want.data.length && diff.max <= maxAbs && diff.mean <= maxMean;
        results.push({
          name,
          ok,
          detail: ok
            ? ''
            : `max abs diff ${diff.max} (<= ${maxAbs}), mean ${diff.mean.toFixed(3)} (<= ${maxMean})${latents ? `; final latents ${latents}` : ''}`,
        });
      } catch (err) {
        results.push({ name, ok: false, detail: `threw ${(err as Error).message}` });
      }
    }
  } finally {
    await model.release();
  }
  return results;
}
