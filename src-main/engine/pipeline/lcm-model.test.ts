import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TINY_SD } from '../../test-support/fixtures.js';
import { onnxWithIo } from '../../test-support/onnx-writer.js';
import { LoadedModel } from '../model/loaded-model.js';
import { runPipeline } from './pipeline.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-lcm-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('LCM-distilled UNets (timestep_cond)', () => {
  it('get the guidance embedding and one UNet pass per step, with no CFG batch', async () => {
    // tiny-sd's text encoder and VAE around a UNet that declares timestep_cond and echoes its input.
    for (const part of ['text_encoder', 'vae_decoder', 'vae_encoder', 'tokenizer'])
      fs.symlinkSync(path.join(TINY_SD, part), path.join(dir, part), 'dir');
    fs.mkdirSync(path.join(dir, 'scheduler'));
    fs.writeFileSync(
      path.join(dir, 'scheduler', 'scheduler_config.json'),
      JSON.stringify({
        _class_name: 'LCMScheduler',
        beta_start: 0.00085,
        beta_end: 0.012,
        beta_schedule: 'scaled_linear',
        original_inference_steps: 50,
      }),
    );
    fs.mkdirSync(path.join(dir, 'unet'));
    fs.writeFileSync(
      path.join(dir, 'unet', 'model.onnx'),
      onnxWithIo(
        [
          { name: 'sample', type: 'float32', shape: [1, 4, 'h', 'w'] },
          { name: 'timestep', type: 'int64', shape: [1] },
          { name: 'encoder_hidden_states', type: 'float32', shape: [1, 77, 32] },
          { name: 'timestep_cond', type: 'float32', shape: [1, 256] },
        ],
        [{ name: 'out_sample', type: 'float32', shape: [1, 4, 'h', 'w'] }],
        [{ op: 'Identity', inputs: ['sample'], outputs: ['out_sample'] }],
      ),
    );
    const model = await LoadedModel.load(dir, ['cpu']);
    try {
      expect(model.description.guidanceEmbedding).toBe(true);
      const steps: number[] = [];
      const [img] = await runPipeline(
        model,
        {
          mode: 'txt2img',
          prompt: 'x',
          negativePrompt: '',
          sampler: 'lcm',
          steps: 4,
          cfgScale: 8,
          seed: 1,
          rng: 'cpu',
          width: 64,
          height: 64,
          batchCount: 1,
          strength: 1,
        },
        { onStep: (s) => steps.push(s.step) },
      );
      expect(steps).toEqual([1, 2, 3, 4]);
      expect(img!.image.width).toBe(64);
    } finally {
      await model.release();
    }
  });
});
