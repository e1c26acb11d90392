import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TINY_SDXL, TINY_SD } from '../test-support/fixtures.js';
import { onnxWithIo, type Io } from '../test-support/onnx-writer.js';
import { tempStudioPaths } from '../test-support/temp-home.js';
import { ModelRegistry } from './model-registry.js';
import { ModelService } from './model-service.js';

const SCHEDULER = {
  _class_name: 'PNDMScheduler',
  beta_start: 0.00085,
  beta_end: 0.012,
  beta_schedule: 'scaled_linear',
  num_train_timesteps: 1000,
  steps_offset: 1,
};

/** A hand-made export folder: graphs that only declare their inputs and outputs. */
function makeModel(
  dir: string,
  o: {
    channels?: number;
    hidden?: number;
    dtype?: 'float32' | 'float16';
    extraUnetInputs?: Io[];
    scheduler?: object;
    omit?: string[];
    extraDirs?: string[];
  } = {},
) {
  const dtype = o.dtype ?? 'float32';
  const hidden = o.hidden ?? 768;
  const put = (rel: string, data: Buffer | string) => {
    if (o.omit?.includes(rel)) return;
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), data);
  };
  put(
    'unet/model.onnx',
    onnxWithIo(
      [
        { name: 'sample', type: dtype, shape: ['batch', o.channels ?? 4, 'h', 'w'] },
        { name: 'timestep', type: 'float32', shape: [] },
        { name: 'encoder_hidden_states', type: dtype, shape: ['batch', 'seq', hidden] },
        ...(o.extraUnetInputs ?? []),
      ],
      [{ name: 'out_sample', type: dtype, shape: ['batch', 4, 'h', 'w'] }],
    ),
  );
  put(
    'text_encoder/model.onnx',
    onnxWithIo(
      [{ name: 'input_ids', type: 'int64', shape: ['batch', 'seq'] }],
      [{ name: 'last_hidden_state', type: dtype, shape: ['batch', 'seq', hidden] }],
    ),
  );
  put(
    'vae_decoder/model.onnx',
    onnxWithIo(
      [{ name: 'latent_sample', type: dtype, shape: ['batch', 4, 'h', 'w'] }],
      [{ name: 'sample', type: dtype, shape: ['batch', 3, 'H', 'W'] }],
    ),
  );
  put('tokenizer/vocab.json', '{"<|startoftext|>": 0, "<|endoftext|>": 1}');
  put('tokenizer/merges.txt', '#version: 0.2\n');
  put('scheduler/scheduler_config.json', JSON.stringify(o.scheduler ?? SCHEDULER));
  for (const d of o.extraDirs ?? []) fs.mkdirSync(path.join(dir, d), { recursive: true });
}

describe('the model registry', () => {
  let paths: ReturnType<typeof tempStudioPaths>;
  let registry: ModelRegistry;
  beforeEach(() => {
    paths = tempStudioPaths();
    fs.mkdirSync(paths.modelsDir, { recursive: true });
    registry = new ModelRegistry(paths.dataDir, () => [{ dir: paths.modelsDir, source: 'user' }]);
  });
  afterEach(() => paths.remove());
  const m = (name: string) => path.join(paths.modelsDir, name);
  const entry = (name: string) => registry.list().find((e) => e.name === name)!;

  it('detects each family from configs and ONNX signatures, and lists broken folders with the reason', () => {
    makeModel(m('sd15'));
    makeModel(m('sd15-fp16'), { dtype: 'float16' });
    makeModel(m('sd2-v'), { hidden: 1024, scheduler: { ...SCHEDULER, prediction_type: 'v_prediction' } });
    makeModel(m('sd15-inpainting'), { channels: 9 });
    makeModel(m('sdxl'), {
      hidden: 2048,
      extraUnetInputs: [
        { name: 'text_embeds', type: 'float32', shape: ['batch', 1280] },
        { name: 'time_ids', type: 'float32', shape: ['batch', 6] },
      ],
      extraDirs: ['text_encoder_2', 'tokenizer_2'],
    });
    makeModel(m('lcm'), { extraUnetInputs: [{ name: 'timestep_cond', type: 'float32', shape: ['batch', 256] }] });
    makeModel(m('partial'), { omit: ['vae_decoder/model.onnx', 'tokenizer/merges.txt'] });
    fs.mkdirSync(m('not-a-model'));
    expect(entry('sd15')).toMatchObject({
      family: 'sd1',
      inpainting: false,
      precision: 'float32',
      predictionType: 'epsilon',
      problem: null,
    });
    expect(entry('sd15-fp16')).toMatchObject({ family: 'sd1', precision: 'float16', problem: null });
    expect(entry('sd2-v')).toMatchObject({ family: 'sd2-v', predictionType: 'v_prediction', problem: null });
    expect(entry('sd15-inpainting')).toMatchObject({ family: 'sd1', inpainting: true, problem: null });
    // Text encoder folders without graphs: named as missing parts, not guessed at.
    expect(entry('sdxl').problem).toMatch(/missing text_encoder_2\/model.onnx, tokenizer_2\/vocab.json/);
    expect(entry('lcm')).toMatchObject({ family: 'sd1', problem: null });
    expect(entry('partial').problem).toMatch(/missing vae_decoder\/model.onnx, tokenizer\/merges.txt/);
    expect(registry.list().map((e) => e.name)).not.toContain('not-a-model');
  });

  it('describes the tiny SDXL model, and refuses an SDXL refiner with the reason', () => {
    fs.symlinkSync(TINY_SDXL, m('tiny-sdxl'));
    expect(entry('tiny-sdxl')).toMatchObject({ family: 'sdxl', nativeSize: 64, problem: null });
    // A refiner: the second encoder alone.
    const refiner = m('refiner');
    fs.mkdirSync(refiner);
    for (const part of ['text_encoder_2', 'tokenizer_2', 'unet', 'vae_decoder', 'scheduler', 'tokenizer'])
      fs.symlinkSync(path.join(TINY_SDXL, part), path.join(refiner, part), 'dir');
    expect(entry('refiner').problem).toMatch(/SDXL refiner/);
  });

  it('describes the tiny reference model and caches its hash', async () => {
    fs.symlinkSync(TINY_SD, m('tiny-sd'));
    expect(entry('tiny-sd')).toMatchObject({ family: 'custom', problem: null, linked: true });
    const hash = await registry.hash(m('tiny-sd'));
    expect(hash).toMatch(/^[0-9a-f]{10}$/);
    const again = new ModelRegistry(paths.dataDir, () => [{ dir: paths.modelsDir, source: 'user' }]);
    expect(again.cachedHash(m('tiny-sd'))).toBe(hash);
  });

  it('imports a folder by copy or in place, and removes it again', () => {
    const service = new ModelService(
      () => {},
      registry,
      () => paths.modelsDir,
    );
    expect(service.importFolder(TINY_SD, 'link', 'linked')).toBe('linked');
    expect(service.importFolder(TINY_SD, 'copy', 'copied')).toBe('copied');
    expect(fs.lstatSync(m('linked')).isSymbolicLink()).toBe(true);
    expect(fs.lstatSync(m('copied')).isDirectory()).toBe(true);
    expect(() => service.importFolder(TINY_SD, 'copy', 'copied')).toThrow(/already installed/);
    expect(() => service.importFolder(path.join(TINY_SD, 'unet'), 'copy', 'x')).toThrow(/incomplete/);
    service.delete('linked');
    service.delete('copied');
    expect(fs.existsSync(TINY_SD)).toBe(true);
    expect(registry.list()).toEqual([]);
  });

  it('deletes only folders that are models and nothing else', () => {
    const service = new ModelService(
      () => {},
      registry,
      () => paths.modelsDir,
    );
    // A user's folder that happens to sit in the models folder: not a model at all.
    fs.mkdirSync(m('Documents/photos'), { recursive: true });
    fs.writeFileSync(m('Documents/notes.txt'), 'mine');
    // A model-looking folder that also holds the user's own sub-folder.
    fs.cpSync(TINY_SD, m('mixed'), { recursive: true });
    fs.mkdirSync(m('mixed/holiday-photos'));
    for (const name of ['Documents', 'mixed'])
      expect(() => service.delete(name)).toThrow(/not a model folder the studio recognises/);
    expect(fs.existsSync(m('Documents/notes.txt'))).toBe(true);
    expect(fs.existsSync(m('mixed/holiday-photos'))).toBe(true);
    expect(() => service.delete('../outside')).toThrow(/Invalid model name/);
    fs.rmSync(m('mixed/holiday-photos'), { recursive: true });
    expect(service.delete('mixed')).toBe(true);
    expect(fs.existsSync(m('mixed'))).toBe(false);
  });
});
