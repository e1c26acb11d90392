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
import { SafetensorsFile, decodePngToRgb, imageDifference, writeSafetensors } from '../engine/index.js';
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
    await expectReference(c, model, extra);
  });

  /** `studio generate` with the case's settings and `extra` flags draws the case's reference PNG. */
  async function expectReference(c: ByoCase, model: string, extra: string[]): Promise<void> {
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
  }

  it("LyCORIS: a LoHa and a LoKr holding the fixture LoRA's change draw the LoRA's reference picture", async () => {
    // LoHa: (up @ down) * (ones @ ones) = up @ down, scaled by alpha / rank as the LoRA is. LoKr: kron([[1]], up @ down),
    // its second factor decomposed, so alpha / rank applies too. Convs' factors are flattened to matrices as kohya's are.
    const c = manifest.cases.find((x) => x.apply[0]?.kind === 'lora')!;
    const lora = SafetensorsFile.open(path.join(BYO, c.apply[0]!.file));
    const loha: Record<string, { shape: number[]; data: Float32Array }> = {};
    const lokr: Record<string, { shape: number[]; data: Float32Array }> = {};
    for (const [name, e] of lora.entries) {
      const m = /^(.*)\.lora_down\.weight$/.exec(name);
      if (!m) continue;
      const stem = m[1]!;
      const up = lora.entries.get(`${stem}.lora_up.weight`)!;
      const [rank, out, inner] = [e.shape[0]!, up.shape[0]!, e.shape.slice(1).reduce((a, b) => a * b, 1)];
      const upData = { shape: [out, rank], data: lora.readFloat32(`${stem}.lora_up.weight`) };
      const downData = { shape: [rank, inner], data: lora.readFloat32(name) };
      const alpha = { shape: [], data: lora.readFloat32(`${stem}.alpha`) };
      Object.assign(loha, {
        [`${stem}.hada_w1_a`]: upData,
        [`${stem}.hada_w1_b`]: downData,
        [`${stem}.hada_w2_a`]: { shape: [out, 1], data: new Float32Array(out).fill(1) },
        [`${stem}.hada_w2_b`]: { shape: [1, inner], data: new Float32Array(inner).fill(1) },
        [`${stem}.alpha`]: alpha,
      });
      Object.assign(lokr, {
        [`${stem}.lokr_w1`]: { shape: [1, 1], data: Float32Array.of(1) },
        [`${stem}.lokr_w2_a`]: upData,
        [`${stem}.lokr_w2_b`]: { shape: e.shape, data: downData.data },
        [`${stem}.alpha`]: alpha,
      });
    }
    for (const [kind, tensors] of [
      ['loha', loha],
      ['lokr', lokr],
    ] as const) {
      const file = path.join(tmp, `${kind}.safetensors`);
      writeSafetensors(file, tensors);
      await expectReference({ ...c, name: kind }, byoModelDir(BYO, c.model), [
        '--lora',
        `${file}:${c.apply[0]!.weight}`,
      ]);
    }
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

  it("--vae replaces the VAE: the checkpoint's own VAE file gives back the checkpoint's picture", async () => {
    // A standalone VAE file as people share them: the ldm VAE keys without `first_stage_model.`.
    const ckpt = SafetensorsFile.open(path.join(BYO, 'checkpoint.safetensors'));
    const tensors: Record<string, { shape: number[]; data: Float32Array }> = {};
    for (const [name, e] of ckpt.entries) {
      if (name.startsWith('first_stage_model.')) {
        tensors[name.slice('first_stage_model.'.length)] = { shape: e.shape, data: ckpt.readFloat32(name) };
      }
    }
    const vae = path.join(tmp, 'vae.safetensors');
    writeSafetensors(vae, tensors);
    const model = path.join(tmp, 'vae-test-model');
    expect(
      studio('models', 'convert', path.join(BYO, 'checkpoint.safetensors'), '--template', TINY_SD, '--out', model)
        .status,
    ).toBe(0);
    const c = manifest.cases.find((x) => x.name === 'checkpoint')!;
    const gen = (m: string, out: string, ...flags: string[]) =>
      studio(
        'generate',
        '--model',
        m,
        '--prompt',
        c.prompt,
        '--seed',
        String(c.seed),
        '--steps',
        String(c.steps),
        '--sampler',
        c.sampler,
        '--cfg',
        String(c.cfg),
        '--width',
        '64',
        '--height',
        '64',
        '--rng',
        'cpu',
        '--provider',
        'cpu',
        '--quiet',
        ...flags,
        '--out',
        out,
      );
    const same = gen(model, path.join(tmp, 'vae-same.png'), '--vae', vae);
    expect(same.stderr).toBe('');
    const png = (f: string) => decodePngToRgb(fs.readFileSync(f));
    const want = await png(path.join(BYO, 'checkpoint.png'));
    expect(imageDifference((await png(path.join(tmp, 'vae-same.png'))).data, want.data).max).toBeLessThanOrEqual(1);
    // On the base model only the decoding changes: a different picture.
    expect(gen(TINY_SD, path.join(tmp, 'vae-base.png'), '--vae', vae).status).toBe(0);
    const base = await png(path.join(BYO, 'base.png'));
    expect(imageDifference((await png(path.join(tmp, 'vae-base.png'))).data, base.data).mean).toBeGreaterThan(1);
    const wrong = gen(TINY_SD, path.join(tmp, 'vae-wrong.png'), '--vae', path.join(BYO, 'lora.safetensors'));
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toMatch(/not a VAE for this model/);
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
