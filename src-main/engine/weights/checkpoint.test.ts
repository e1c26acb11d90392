/**
 * Checkpoint conversion from every layout the converter reads: tiny-sd's own
 * weights, changed, written as an ldm single file (SD 1.x names), with SD 2.x's
 * OpenCLIP text tower (fused q/k/v), as a diffusers folder, and in F16; each
 * converted back onto tiny-sd must hold exactly the written values.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { float16ToFloat32, float32ToFloat16 } from '../runtime/float16.js';
import { TINY_SD, TINY_SDXL } from '../../test-support/fixtures.js';
import { checkpointFamily, convertCheckpoint, openCheckpoint, partialDirOf, sgmTextKey } from './checkpoint.js';
import { type CheckpointLayout, writeCheckpoint } from './checkpoint-writer.js';
import { indexPart, MODEL_PARTS, paramValues } from './model-parts.js';
import { SafetensorsFile } from './safetensors.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-ckpt-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const changed = (v: Float32Array) => v.map((x) => x * 1.01 + 0.001);

/** Every parameter of the converted model equals the template's, changed (and rounded through F16 when asked). */
function expectConvertedFrom(dir: string, f16: boolean, template = TINY_SD): number {
  let checked = 0;
  for (const partName of MODEL_PARTS) {
    const base = indexPart(template, partName);
    if (!base) continue;
    const got = indexPart(dir, partName)!;
    for (const name of base.params.keys()) {
      let want: Float32Array = changed(paramValues(base, name));
      if (f16) want = float16ToFloat32(float32ToFloat16(want));
      const values = paramValues(got, name);
      // Compared element by element here: a deep toEqual of 400 arrays takes seconds.
      const wrong = values.length === want.length ? values.findIndex((v, i) => v !== want[i]) : 0;
      expect(wrong, `${partName} ${name}`).toBe(-1);
      checked++;
    }
  }
  if (template === TINY_SD) expect(checked).toBe(424);
  return checked;
}

describe('checkpoint conversion from every layout', () => {
  it.each<[CheckpointLayout, 'F32' | 'F16', string]>([
    // tiny-sd's text is 32 wide: the SD 1.x layout at a width of its own is "custom"; OpenCLIP keys say SD 2.x.
    ['ldm', 'F32', 'custom'],
    ['ldm-openclip', 'F32', 'sd2'],
    ['diffusers', 'F32', 'custom'],
    ['ldm', 'F16', 'custom'],
  ])('%s in %s (family %s) converts to exactly its values', async (layout, dtype, family) => {
    const file = path.join(tmp, `${layout}-${dtype}${layout === 'diffusers' ? '' : '.safetensors'}`);
    writeCheckpoint(TINY_SD, file, { layout, dtype, transform: (_, v) => changed(v) });
    if (layout !== 'diffusers') expect(checkpointFamily(SafetensorsFile.open(file))).toBe(family);
    expect(openCheckpoint(file).family).toBe(family);
    const out = path.join(tmp, `${layout}-${dtype}-model`);
    const progress: number[] = [];
    const r = await convertCheckpoint(file, TINY_SD, out, { onProgress: (p) => progress.push(p.done) });
    expect(r.parameters).toBe(424);
    expect(progress.at(-1)).toBe(424);
    expectConvertedFrom(out, dtype === 'F16');
  });

  it("SDXL's single file (sgm layout): UNet with its added embedding, both text encoders, the VAE", async () => {
    const file = path.join(tmp, 'sgm.safetensors');
    writeCheckpoint(TINY_SDXL, file, { layout: 'sgm', dtype: 'F32', transform: (_, v) => changed(v) });
    const st = SafetensorsFile.open(file);
    expect(checkpointFamily(st)).toBe('sdxl');
    // SDXL's pooled text and size ids, by the original UNet's names.
    expect(st.has('model.diffusion_model.label_emb.0.0.weight')).toBe(true);
    const out = path.join(tmp, 'sgm-model');
    const r = await convertCheckpoint(file, TINY_SDXL, out);
    expect(expectConvertedFrom(out, false, TINY_SDXL)).toBe(r.parameters);
    expect(fs.existsSync(path.join(out, 'tokenizer_2'))).toBe(true);
    // The parts' configs come along (SDXL's VAE scale, the UNet's size); they were left behind before.
    expect(fs.readFileSync(path.join(out, 'vae_decoder', 'config.json'), 'utf8')).toBe(
      fs.readFileSync(path.join(TINY_SDXL, 'vae_decoder', 'config.json'), 'utf8'),
    );
  });

  it("SDXL's second text encoder as OpenCLIP (fused q/k/v under conditioner.embedders.1.model)", async () => {
    // A template whose second encoder is named as transformers names CLIP (tiny-sd's), beside tiny-sdxl's UNet.
    const hybrid = path.join(tmp, 'hybrid');
    fs.cpSync(TINY_SDXL, hybrid, { recursive: true });
    fs.rmSync(path.join(hybrid, 'text_encoder_2'), { recursive: true });
    fs.cpSync(path.join(TINY_SD, 'text_encoder'), path.join(hybrid, 'text_encoder_2'), { recursive: true });
    const file = path.join(tmp, 'sgm-openclip.safetensors');
    writeCheckpoint(hybrid, file, { layout: 'sgm', dtype: 'F32', transform: (_, v) => changed(v) });
    const st = SafetensorsFile.open(file);
    expect(st.entries.get('conditioner.embedders.1.model.transformer.resblocks.0.attn.in_proj_weight')!.shape).toEqual([
      96, 32,
    ]);
    expect(st.has('conditioner.embedders.1.model.ln_final.weight')).toBe(true);
    const out = path.join(tmp, 'sgm-openclip-model');
    const r = await convertCheckpoint(file, hybrid, out);
    expect(expectConvertedFrom(out, false, hybrid)).toBe(r.parameters);
    // The projection is kept as x @ P there, so a Linear's weight is its transpose.
    expect(sgmTextKey('text_encoder_2', 'text_projection.weight')).toEqual({
      key: 'conditioner.embedders.1.model.text_projection',
      third: null,
      transposed: true,
    });
  });

  it('an OpenCLIP text tower with fused q/k/v really splits them (q, k and v differ after conversion)', () => {
    const st = SafetensorsFile.open(path.join(tmp, 'ldm-openclip-F32.safetensors'));
    const fused = st.entries.get('cond_stage_model.model.transformer.resblocks.0.attn.in_proj_weight')!;
    expect(fused.shape).toEqual([96, 32]);
  });

  it('a cancelled conversion leaves nothing behind', async () => {
    const file = path.join(tmp, 'ldm-F32.safetensors');
    const out = path.join(tmp, 'cancelled');
    const signal = { aborted: false };
    await expect(
      convertCheckpoint(file, TINY_SD, out, {
        onProgress: (p) => {
          if (p.done === 100) signal.aborted = true;
        },
        signal,
      }),
    ).rejects.toThrow(/cancelled/);
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.existsSync(partialDirOf(out))).toBe(false);
  });

  it('refuses pickled checkpoints, VAEs and folders that are not diffusers models, by name', () => {
    const ckpt = path.join(tmp, 'model.ckpt');
    fs.writeFileSync(ckpt, 'x');
    expect(() => openCheckpoint(ckpt)).toThrow(/model\.ckpt: pickled checkpoints are not read/);
    const empty = path.join(tmp, 'empty-folder');
    fs.mkdirSync(empty);
    expect(() => openCheckpoint(empty)).toThrow(/not a diffusers model folder/);
  });
});
