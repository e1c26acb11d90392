/**
 * Bring your own models through the command line: every case of the
 * repository's byo fixtures (LoRA, single-file checkpoint fp32/fp16 and
 * img2img, textual inversion) via `studio generate --lora/--embedding` and
 * `studio models convert`, and the files that must be refused.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePngToRgb, imageDifference } from '../engine/index.js';
import { appRoot } from '../paths.js';
import { FIXTURES_DIR, TINY_SD } from '../test-support/fixtures.js';
import { ensureWorkerBuilt } from '../test-support/studio-harness.js';
import { type ByoCase, byoModelDir } from './byo-cases.js';

const BYO = path.join(FIXTURES_DIR, 'byo');
const manifest = JSON.parse(fs.readFileSync(path.join(BYO, 'manifest.json'), 'utf8')) as {
  cases: ByoCase[];
  check: { png_max_abs: number; png_mean_abs: number };
};
const studio = (...args: string[]) =>
  spawnSync(process.execPath, [path.join(appRoot(), 'bin', 'studio.js'), ...args], {
    encoding: 'utf8',
    timeout: 120_000,
  });

describe('bring your own models on the command line', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-byo-cli-'));
  beforeAll(() => ensureWorkerBuilt());
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it.each(manifest.cases.map((c) => [c.name, c] as const))('case %s matches its reference PNG', async (_, c) => {
    let model = byoModelDir(BYO, c.model);
    const extra: string[] = [];
    for (const a of c.apply) {
      const file = path.join(BYO, a.file);
      if (a.kind === 'lora') extra.push('--lora', `${file}:${a.weight ?? 1}`);
      else if (a.kind === 'embedding') extra.push('--embedding', file);
      else {
        const out = path.join(tmp, `${c.name}-model`);
        const conv = studio('models', 'convert', file, '--template', model, '--out', out);
        expect(conv.stderr.split('\n').filter((l) => /error|studio models/.test(l))).toEqual([]);
        expect(conv.status).toBe(0);
        model = out;
      }
    }
    if (c.init) extra.push('--init', path.join(BYO, c.init), '--strength', String(c.strength));
    const out = path.join(tmp, `${c.name}.png`);
    const r = studio(
      'generate',
      '--model',
      model,
      '--prompt',
      c.prompt,
      '--negative',
      c.negative_prompt,
      '--seed',
      String(c.seed),
      '--steps',
      String(c.steps),
      '--sampler',
      c.sampler,
      '--cfg',
      String(c.cfg),
      '--width',
      String(c.width),
      '--height',
      String(c.height),
      '--rng',
      c.rng,
      '--provider',
      'cpu',
      '--quiet',
      ...extra,
      '--out',
      out,
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const got = await decodePngToRgb(fs.readFileSync(out));
    const want = await decodePngToRgb(fs.readFileSync(path.join(BYO, c.png)));
    const d = imageDifference(got.data, want.data);
    expect(d.max).toBeLessThanOrEqual(manifest.check.png_max_abs);
    expect(d.mean).toBeLessThanOrEqual(manifest.check.png_mean_abs);
  });

  it('refuses a truncated file, a LoRA or embedding for another model, with one line and exit code 2', () => {
    const truncated = path.join(tmp, 'truncated.safetensors');
    const whole = fs.readFileSync(path.join(BYO, 'lora.safetensors'));
    fs.writeFileSync(truncated, whole.subarray(0, whole.length - 1000));
    const garbage = path.join(tmp, 'garbage.safetensors');
    fs.writeFileSync(garbage, Buffer.from('definitely not a safetensors file'));
    const gen = (model: string, ...flags: string[]) =>
      studio(
        'generate',
        '--model',
        model,
        '--prompt',
        'a red circle',
        '--steps',
        '1',
        '--width',
        '64',
        '--height',
        '64',
        '--provider',
        'cpu',
        '--quiet',
        ...flags,
        '--out',
        path.join(tmp, 'x.png'),
      );
    const shapes = byoModelDir(BYO, 'studio-shapes');
    const cases: [ReturnType<typeof studio>, RegExp][] = [
      [gen(TINY_SD, '--lora', truncated), /truncated/],
      [gen(TINY_SD, '--lora', garbage), /not a safetensors file/],
      [gen(shapes, '--lora', path.join(BYO, 'lora.safetensors')), /another model family/],
      [gen(TINY_SD, '--embedding', path.join(BYO, 'red-thing.safetensors')), /width 128.*needs 32/],
      [gen(TINY_SD, '--lora', path.join(tmp, 'missing.safetensors')), /no file at/],
    ];
    for (const [r, message] of cases) {
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n')[0]).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
    expect(fs.existsSync(path.join(tmp, 'x.png'))).toBe(false);
  });

  it('a checkpoint that cannot convert leaves nothing half-written', () => {
    const out = path.join(tmp, 'never');
    const whole = fs.readFileSync(path.join(BYO, 'checkpoint.safetensors'));
    const truncated = path.join(tmp, 'truncated-ckpt.safetensors');
    fs.writeFileSync(truncated, whole.subarray(0, whole.length - 4096));
    const r = studio('models', 'convert', truncated, '--template', TINY_SD, '--out', out);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/truncated/);
    // The LoRA is no checkpoint: it names what is missing.
    const lora = studio('models', 'convert', path.join(BYO, 'lora.safetensors'), '--template', TINY_SD, '--out', out);
    expect(lora.status).toBe(2);
    expect(lora.stderr).toMatch(/not a Stable Diffusion checkpoint/);
    expect(fs.readdirSync(tmp).filter((f) => f.startsWith('never'))).toEqual([]);
  });
});
