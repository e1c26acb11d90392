/**
 * `studio plot`: an X/Y(/Z) grid of generations over up to three axes (see
 * plot-axes.ts), every cell the picture `studio generate` makes with that
 * cell's settings (one model load for all of them), assembled into one
 * labelled grid; --cells keeps each cell's PNG with its metadata.
 */
import fs from 'node:fs';
import path from 'node:path';
import { providerOrder, sessionTuning } from '../engine/index.js';
import { ModelCache, generatePngs } from '../jobs/generation.js';
import { graphCacheDir, resolveStudioPaths } from '../paths.js';
import { appVersion } from '../app-version.js';
import { UsageError, parseFlags } from './args.js';
import { GENERATE_FLAGS, readGenerateArgs, withPromptNetworks } from './generate.js';
import type { Axis } from '../../src-shared/domain/plot-axes.js';
import { parseAxes, planCells } from '../plots/plot-runs.js';
import { composeGrid } from '../plots/plot-grid.js';
import { ModelRegistry } from '../models/model-registry.js';
import { modelRootsFromDisk } from '../models/model-roots.js';

export const plotUsage =
  'studio plot --x NAME=VALUES [--y NAME=VALUES] [--z NAME=VALUES] [--cells DIR] <studio generate flags> --out GRID.png   (NAME: seed, sampler, steps, cfg, size, strength, sr, variation-strength, model, lora-weight)';

/** A model of the models folder by name, for a model axis; a usage error naming it otherwise. */
function findInModelsFolder(name: string): string {
  const paths = resolveStudioPaths();
  try {
    return new ModelRegistry(paths.dataDir, modelRootsFromDisk(paths).roots).find(name);
  } catch {
    throw new UsageError(`model axis: ${name} is neither a model folder nor a model of the models folder`);
  }
}

export async function plotCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    ...GENERATE_FLAGS,
    x: { type: 'string' },
    y: { type: 'string' },
    z: { type: 'string' },
    cells: { type: 'string' },
  });
  if (!values.x) throw new UsageError('--x is required (for example --x "sampler=euler_a,ddim")');
  const axes = parseAxes({ x: values.x, y: values.y, z: values.z });
  const [ax, ay, az] = axes;
  // A model axis names model folders (paths) or models of the models folder; cells record the folder's name.
  const modelDirs = new Map<string, string>();
  for (const axis of axes.filter((a) => a.name === 'model')) {
    axis.values = axis.values.map((v) => {
      const dir = fs.existsSync(v) ? path.resolve(v) : findInModelsFolder(v);
      modelDirs.set(path.basename(dir), dir);
      return path.basename(dir);
    });
  }
  const base = readGenerateArgs(values);
  if (base.params.batchCount !== 1) throw new UsageError('--batch does not apply to a plot (one picture per cell)');
  // Every cell's request checked before the first picture is made (the app's planner).
  const total = ax.values.length * ay.values.length * az.values.length;
  const planned = planCells(axes, { ...base.params, seed: base.seed });
  const plan = az.values.map((_, zi) =>
    ay.values.map((_, yi) =>
      ax.values.map((_, xi) => planned[(zi * ay.values.length + yi) * ax.values.length + xi]!.params),
    ),
  );

  const paths = resolveStudioPaths();
  const cache = new ModelCache(sessionTuning(null, graphCacheDir(paths)));
  const started = Date.now();
  const cells: Buffer[][][] = [];
  let done = 0;
  try {
    for (const [zi, rows] of plan.entries()) {
      cells.push([]);
      for (const [yi, row] of rows.entries()) {
        cells[zi]!.push([]);
        for (const [xi, p] of row.entries()) {
          const { images } = await generatePngs(
            cache,
            modelDirs.get(p.model) ?? base.modelDir,
            providerOrder(p.provider),
            { ...p, seed: p.seed, initImage: base.init, mask: base.mask, hiresUpscalerFile: base.hiresUpscalerFile },
            // Each cell's own prompt names its LoRAs (an S/R or lora-weight axis changes them).
            {
              appVersion: appVersion(),
              modelName: p.model,
              additions: withPromptNetworks(base.flagAdditions, p.prompt, p.negativePrompt),
            },
          );
          const png = images[0]!.png;
          cells[zi]![yi]!.push(png);
          if (values.cells) {
            fs.mkdirSync(values.cells, { recursive: true });
            fs.writeFileSync(path.join(values.cells, `cell-z${zi}-y${yi}-x${xi}.png`), png);
          }
          done++;
          if (!values.quiet) process.stderr.write(`\rcell ${done}/${total}`);
        }
      }
    }
  } finally {
    await cache.unload();
  }
  if (!values.quiet) process.stderr.write('\n');
  const label = (axis: Axis) => (v: string) => (v === '' ? '' : `${axis.name}: ${v}`);
  const grid = await composeGrid(cells, {
    x: ax.values.map(label(ax)),
    y: ay.values.map(label(ay)),
    z: az.values.map(label(az)),
  });
  fs.mkdirSync(path.dirname(path.resolve(values.out!)), { recursive: true });
  fs.writeFileSync(values.out!, grid);
  console.log(`wrote ${values.out} (${total} cells) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return 0;
}
