/**
 * `studio eval`: does a model draw what the shape-scene captions ask? For
 * each held-out seed and sampler, generate from a caption of the training
 * grammar, read the picture (scene-analysis.ts) and score colour, background,
 * position and size. Prints the table per attribute and sampler.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isKnownSampler, type SamplerName } from '../../src-shared/domain/samplers.js';
import { LoadedModel, runPipeline, encodePng, providerOrder } from '../engine/index.js';
import { evalSpecs, formatCaption } from '../eval/shape-captions.js';
import { readScene, scoreScene, type SceneScore } from '../eval/scene-analysis.js';
import { UsageError, intFlag, numberFlag, parseFlags } from './args.js';

export const evalUsage =
  'studio eval --model DIR [--prompts 100] [--samplers euler_a,dpmpp_2m_karras,ddim] [--steps 20] [--cfg 7] [--size 128] [--seed-base 1000000] [--json FILE] [--failures DIR]';

/** Seeds far from the ones a training run would use. */
const HELD_OUT_SEED_BASE = 1_000_000;

type Tally = Record<keyof SceneScore, { right: number; asked: number }>;

export async function evalCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    model: { type: 'string' },
    prompts: { type: 'string' },
    samplers: { type: 'string' },
    steps: { type: 'string' },
    cfg: { type: 'string' },
    size: { type: 'string' },
    'seed-base': { type: 'string' },
    json: { type: 'string' },
    failures: { type: 'string' },
  });
  if (!values.model || !fs.existsSync(values.model)) throw new UsageError('--model must name a model folder');
  const count = intFlag('prompts', values.prompts, 1, 10_000) ?? 100;
  const steps = intFlag('steps', values.steps, 1, 200) ?? 20;
  const cfg = numberFlag('cfg', values.cfg, 0, 50) ?? 7;
  const size = intFlag('size', values.size, 64, 1024) ?? 128;
  if (size % 8 !== 0) throw new UsageError('--size must be a multiple of 8');
  const seedBase = intFlag('seed-base', values['seed-base'], 0, 2 ** 40) ?? HELD_OUT_SEED_BASE;
  const samplers = (values.samplers ?? 'euler_a,dpmpp_2m_karras,ddim').split(',').map((s) => s.trim());
  for (const s of samplers) if (!isKnownSampler(s)) throw new UsageError(`unknown sampler ${s}`);

  const model = await LoadedModel.load(path.resolve(values.model), providerOrder('auto'));
  const specs = evalSpecs(count, seedBase);
  const results: Record<string, Tally> = {};
  const started = Date.now();
  try {
    for (const sampler of samplers as SamplerName[]) {
      const tally: Tally = {
        colour: { right: 0, asked: 0 },
        background: { right: 0, asked: 0 },
        position: { right: 0, asked: 0 },
        size: { right: 0, asked: 0 },
      };
      for (const [i, spec] of specs.entries()) {
        const [img] = await runPipeline(model, {
          mode: 'txt2img',
          prompt: formatCaption(spec),
          negativePrompt: '',
          sampler,
          steps,
          cfgScale: cfg,
          seed: seedBase + i,
          rng: 'cpu',
          width: size,
          height: size,
          batchCount: 1,
          strength: 1,
        });
        const reading = readScene(img!.image, spec.colour);
        const score = scoreScene(spec, reading);
        const wrong = (Object.keys(score) as (keyof SceneScore)[]).filter((k) => score[k] === false);
        if (values.failures && wrong.length) {
          // Each picture that misses, named by what it missed, with what was read: for looking at by eye.
          fs.mkdirSync(values.failures, { recursive: true });
          const read = `read ${reading.background} bg, ${reading.position ?? 'no'} ${reading.size ?? ''} blob`.trim();
          fs.writeFileSync(
            path.join(values.failures, `${sampler}-${seedBase + i}-${wrong.join('+')}.png`),
            await encodePng(img!.image),
          );
          fs.appendFileSync(
            path.join(values.failures, 'failures.txt'),
            `${sampler}\t${seedBase + i}\t${formatCaption(spec)}\t${wrong.join('+')}\t${read}\n`,
          );
        }
        for (const k of Object.keys(tally) as (keyof SceneScore)[]) {
          if (score[k] === null) continue;
          tally[k].asked++;
          if (score[k]) tally[k].right++;
        }
        if (process.stderr.isTTY) process.stderr.write(`\r${sampler} ${i + 1}/${specs.length}`);
      }
      if (process.stderr.isTTY) process.stderr.write('\n');
      results[sampler] = tally;
    }
  } finally {
    await model.release();
  }
  const pct = (t: { right: number; asked: number }) =>
    t.asked ? `${((100 * t.right) / t.asked).toFixed(1)}% (${t.right}/${t.asked})` : '-';
  console.log(
    `${model.folder.name}: ${count} prompts, ${steps} steps, CFG ${cfg}, ${size}x${size}, seeds ${seedBase}..${seedBase + count - 1}, ${((Date.now() - started) / 1000).toFixed(0)} s on ${model.provider}`,
  );
  console.log(
    ['sampler'.padEnd(22), 'shape colour'.padEnd(20), 'background'.padEnd(20), 'position'.padEnd(20), 'size'].join(''),
  );
  for (const [sampler, t] of Object.entries(results)) {
    console.log(
      [
        sampler.padEnd(22),
        pct(t.colour).padEnd(20),
        pct(t.background).padEnd(20),
        pct(t.position).padEnd(20),
        pct(t.size),
      ].join(''),
    );
  }
  if (values.json)
    fs.writeFileSync(
      values.json,
      JSON.stringify({ model: model.folder.name, count, steps, cfg, size, seedBase, results }, null, 2),
    );
  return 0;
}
