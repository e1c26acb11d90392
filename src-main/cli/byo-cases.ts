/**
 * Bring-your-own-model reference cases (a `byo/manifest.json` folder): for
 * each case, apply its LoRAs, embeddings or checkpoint to the named model,
 * generate with the case's settings and compare with its PNG. The same
 * functions `studio generate --lora/--embedding` and `studio models convert`
 * run, so a pass here is a pass on the command line.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { convertCheckpoint, type CaseResult, decodePngToRgb, imageDifference } from '../engine/index.js';
import { ModelCache, generatePngs } from '../jobs/generation.js';
import { builtinModelsDirIn, appRoot } from '../paths.js';
import type { SamplerName } from '../../src-shared/domain/samplers.js';

export interface ByoCase {
  name: string;
  png: string;
  model: string;
  apply: { kind: 'lora' | 'checkpoint' | 'embedding'; file: string; weight?: number }[];
  prompt: string;
  negative_prompt: string;
  seed: number;
  steps: number;
  sampler: string;
  cfg: number;
  width: number;
  height: number;
  rng: 'cpu' | 'gpu';
  init?: string;
  strength?: number;
}

interface Manifest {
  cases: ByoCase[];
  check: { png_max_abs: number; png_mean_abs: number };
}

/** A case's model: a folder beside the fixtures (`../tiny-sd`), else a built-in model. */
export function byoModelDir(byoDir: string, model: string): string {
  const candidates = [path.resolve(byoDir, '..', model), path.join(builtinModelsDirIn(appRoot()), model)];
  const found = candidates.find((c) => fs.existsSync(path.join(c, 'unet', 'model.onnx')));
  if (!found) throw new Error(`model ${model} not found beside the fixtures or among the built-in models`);
  return found;
}

export async function runByoCases(
  byoDir: string,
  providers: ('cpu' | 'cuda' | 'dml' | 'webgpu')[],
): Promise<CaseResult[]> {
  const manifest = JSON.parse(fs.readFileSync(path.join(byoDir, 'manifest.json'), 'utf8')) as Manifest;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-byo-'));
  const cache = new ModelCache({}, path.join(work, 'variants'));
  const results: CaseResult[] = [];
  try {
    for (const c of manifest.cases) {
      const name = `byo ${c.name}`;
      try {
        let modelDir = byoModelDir(byoDir, c.model);
        const loras = [];
        const embeddings = [];
        for (const a of c.apply) {
          const file = path.join(byoDir, a.file);
          if (a.kind === 'lora') loras.push({ file, weight: a.weight ?? 1 });
          else if (a.kind === 'embedding') embeddings.push(file);
          else {
            const out = path.join(work, `${c.name}-checkpoint`);
            await convertCheckpoint(file, modelDir, out);
            modelDir = out;
          }
        }
        const init = c.init ? fs.readFileSync(path.join(byoDir, c.init)) : undefined;
        const { images } = await generatePngs(
          cache,
          modelDir,
          providers,
          {
            mode: init ? 'img2img' : 'txt2img',
            prompt: c.prompt,
            negativePrompt: c.negative_prompt,
            sampler: c.sampler as SamplerName,
            steps: c.steps,
            cfgScale: c.cfg,
            seed: c.seed,
            rng: c.rng,
            width: c.width,
            height: c.height,
            strength: c.strength ?? 0.75,
            batchCount: 1,
            initImage: init,
          },
          { appVersion: 'conformance', modelName: c.model, additions: { loras, embeddings } },
        );
        const got = await decodePngToRgb(images[0]!.png);
        const want = await decodePngToRgb(fs.readFileSync(path.join(byoDir, c.png)));
        const d = imageDifference(got.data, want.data);
        const ok = d.max <= manifest.check.png_max_abs && d.mean <= manifest.check.png_mean_abs;
        results.push({ name, ok, detail: `max ${d.max}, mean ${d.mean.toFixed(3)}` });
      } catch (err) {
        results.push({ name, ok: false, detail: `threw ${(err as Error).message}` });
      }
    }
  } finally {
    await cache.unload();
    fs.rmSync(work, { recursive: true, force: true });
  }
  return results;
}
