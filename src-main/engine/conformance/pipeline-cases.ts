import fs from 'node:fs';
import path from 'node:path';
import type { ProviderName } from '../../../src-shared/domain/settings.js';
import { isSamplerName } from '../schedulers/index.js';
import { LoadedModel } from '../model/loaded-model.js';
import { runPipeline, type PipelineRequest } from '../pipeline/pipeline.js';
import { decodePngToRgb } from '../pipeline/images.js';
import { readPythonJson, type CaseResult } from './conformance-result.js';

interface PipelineRef {
  name?: string;
  prompt: string;
  negative_prompt: string;
  seed: number;
  steps: number;
  sampler: string;
  cfg_scale: number;
  width: number;
  height: number;
  strength?: number;
  mask_image?: string;
  init_image?: string;
}

const MAX_ABS = 2;
const MAX_MEAN = 0.5;

/** Per-channel max and mean absolute difference of two RGB images. */
export function imageDifference(a: Uint8Array, b: Uint8Array): { max: number; mean: number } {
  let max = 0;
  const sums = [0, 0, 0];
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (d > max) max = d;
    sums[i % 3]! += d;
  }
  return { max, mean: Math.max(...sums.map((s) => s / (a.length / 3))) };
}

function fileIn(dir: string, name: string | undefined, fallback: string): string {
  if (name && /\.png$/i.test(name) && fs.existsSync(path.join(dir, name))) return path.join(dir, name);
  return path.join(dir, fallback);
}

export function requestFromRef(dir: string, ref: PipelineRef): PipelineRequest {
  if (!isSamplerName(ref.sampler)) throw new Error(`unknown sampler ${ref.sampler}`);
  const mode = ref.mask_image ? 'inpaint' : ref.strength !== undefined ? 'img2img' : 'txt2img';
  return {
    mode,
    prompt: ref.prompt,
    negativePrompt: ref.negative_prompt ?? '',
    sampler: ref.sampler,
    steps: ref.steps,
    cfgScale: ref.cfg_scale,
    seed: ref.seed,
    rng: 'cpu',
    width: ref.width,
    height: ref.height,
    batchCount: 1,
    strength: ref.strength ?? 1,
    initImage: mode === 'txt2img' ? undefined : fs.readFileSync(fileIn(dir, ref.init_image, 'init-gradient.png')),
    mask: ref.mask_image ? fs.readFileSync(fileIn(dir, ref.mask_image, 'mask.png')) : undefined,
    // diffusers decodes the whole picture and pastes nothing back.
    keepUnmasked: false,
  };
}

/** pipeline-refs/: every NAME.json generated and compared with NAME.png. */
export async function runPipelineCases(
  fixturesDir: string,
  providers: ProviderName[] = ['cpu'],
): Promise<CaseResult[]> {
  const dir = path.join(fixturesDir, 'pipeline-refs');
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { model: string };
  const model = await LoadedModel.load(path.resolve(dir, manifest.model), providers);
  const results: CaseResult[] = [];
  try {
    const names = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.json') && f !== 'manifest.json')
      .sort();
    for (const file of names) {
      const name = `pipeline-refs/${file.replace(/\.json$/, '')}`;
      try {
        const ref = readPythonJson<PipelineRef>(path.join(dir, file));
        const want = await decodePngToRgb(fs.readFileSync(path.join(dir, file.replace(/\.json$/, '.png'))));
        const [got] = await runPipeline(model, requestFromRef(dir, ref));
        if (got!.image.width !== want.width || got!.image.height !== want.height) {
          results.push({
            name,
            ok: false,
            detail: `size ${got!.image.width}x${got!.image.height}, want ${want.width}x${want.height}`,
          });
          continue;
        }
        const diff = imageDifference(got!.image.data, want.data);
        const ok = diff.max <= MAX_ABS && diff.mean <= MAX_MEAN;
        results.push({
          name,
          ok,
          detail: ok ? '' : `max abs diff ${diff.max} (<= ${MAX_ABS}), mean ${diff.mean.toFixed(3)} (<= ${MAX_MEAN})`,
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
