import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TINY_SD, TINY_SDXL } from '../../test-support/fixtures.js';
import { readModelFolder } from './model-folder.js';
import { LoadedModel } from './loaded-model.js';

const base = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-models-'));
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

/** A model folder built from tiny-sd's parts (linked), with changes. */
function variant(
  name: string,
  opts: { omit?: string[]; scheduler?: object | string; extraDirs?: string[] } = {},
): string {
  const dir = path.join(base, name);
  fs.mkdirSync(dir);
  for (const part of ['text_encoder', 'unet', 'vae_decoder', 'vae_encoder', 'tokenizer']) {
    if (!opts.omit?.includes(part)) fs.symlinkSync(path.join(TINY_SD, part), path.join(dir, part), 'dir');
  }
  fs.mkdirSync(path.join(dir, 'scheduler'));
  const sched =
    opts.scheduler ?? JSON.parse(fs.readFileSync(path.join(TINY_SD, 'scheduler', 'scheduler_config.json'), 'utf8'));
  if (!opts.omit?.includes('scheduler')) {
    fs.writeFileSync(
      path.join(dir, 'scheduler', 'scheduler_config.json'),
      typeof sched === 'string' ? sched : JSON.stringify(sched),
    );
  }
  for (const d of opts.extraDirs ?? []) fs.mkdirSync(path.join(dir, d));
  return dir;
}

describe('model folders', () => {
  it('reads the reference export', () => {
    const folder = readModelFolder(TINY_SD);
    expect(Object.keys(folder.files).sort()).toEqual(['text_encoder', 'unet', 'vae_decoder', 'vae_encoder']);
  });
  it('names every missing part', () => {
    expect(() => readModelFolder(variant('no-unet', { omit: ['unet', 'tokenizer'] }))).toThrow(
      /missing unet\/model.onnx, tokenizer\/vocab.json, tokenizer\/merges.txt/,
    );
    expect(() => readModelFolder(variant('no-sched', { omit: ['scheduler'] }))).toThrow(
      /scheduler\/scheduler_config.json/,
    );
  });
  it('refuses a damaged scheduler config and a folder that is not there', () => {
    expect(() => readModelFolder(variant('bad-json', { scheduler: '{ nope' }))).toThrow(
      /scheduler_config.json is not valid JSON/,
    );
    expect(() => readModelFolder(path.join(base, 'absent'))).toThrow(/does not exist/);
  });
  it('a folder without vae_encoder loads for txt2img and says why img2img cannot work', async () => {
    const model = await LoadedModel.load(variant('no-encoder', { omit: ['vae_encoder'] }), ['cpu']);
    try {
      expect(model.canEncodeImages).toBe(false);
      await expect(model.encode(new Float32Array(3 * 64 * 64), [1, 3, 64, 64])).rejects.toThrow(/no vae_encoder/);
    } finally {
      await model.release();
    }
  });
  it('reads the signatures of the export from the sessions', async () => {
    const model = await LoadedModel.load(TINY_SD, ['cpu']);
    try {
      expect(model.sig.te.idsType).toBe('int32');
      expect(model.sig.unet).toMatchObject({
        timestepType: 'int64',
        timestepRank: 1,
        inChannels: 4,
        sampleType: 'float32',
      });
      // The VAE encoder opens on first use; its latent_parameters (mean || logvar) give the mean: 4 channels.
      expect(model.canEncodeImages).toBe(true);
      expect(await model.encode(new Float32Array(3 * 64 * 64), [1, 3, 64, 64])).toHaveLength(4 * 8 * 8);
      expect(model.description).toMatchObject({ inpainting: false, predictionType: 'epsilon', vaeScale: 0.18215 });
    } finally {
      await model.release();
    }
  });
  it('detects v-prediction from the scheduler config', async () => {
    const sched = {
      ...JSON.parse(fs.readFileSync(path.join(TINY_SD, 'scheduler', 'scheduler_config.json'), 'utf8')),
      prediction_type: 'v_prediction',
    };
    const model = await LoadedModel.load(variant('vpred', { scheduler: sched }), ['cpu']);
    expect(model.description.predictionType).toBe('v_prediction');
    await model.release();
  });
  it('names the missing parts of an SDXL layout, and loads the real one as SDXL', async () => {
    await expect(
      LoadedModel.load(variant('sdxl', { extraDirs: ['text_encoder_2', 'tokenizer_2'] }), ['cpu']),
    ).rejects.toThrow(/missing text_encoder_2\/model.onnx/);
    const sdxl = await LoadedModel.load(TINY_SDXL, ['cpu']);
    try {
      expect(sdxl.description).toMatchObject({
        family: 'sdxl',
        vaeScale: 0.13025,
        nativeSize: 64,
        forceZerosForEmptyPrompt: true,
      });
      expect(sdxl.sig.te.penultimate).toBe('hidden_states.1');
      expect(sdxl.sig.te2).toMatchObject({ pooled: 'text_embeds', pooledSize: 64 });
    } finally {
      await sdxl.release();
    }
  });
});
