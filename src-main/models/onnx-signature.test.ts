import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TINY_SD } from '../test-support/fixtures.js';
import { readOnnxSignature } from './onnx-signature.js';

describe('readOnnxSignature', () => {
  it('reads the same inputs and outputs onnxruntime reports, without a session', () => {
    const unet = readOnnxSignature(path.join(TINY_SD, 'unet', 'model.onnx'));
    expect(unet.inputs.map((i) => [i.name, i.type, i.shape])).toEqual([
      ['sample', 'float32', ['batch', 4, 'height', 'width']],
      ['timestep', 'int64', ['batch']],
      ['encoder_hidden_states', 'float32', ['batch', 'sequence', 32]],
    ]);
    expect(unet.outputs.map((o) => o.name)).toEqual(['out_sample']);
    const te = readOnnxSignature(path.join(TINY_SD, 'text_encoder', 'model.onnx'));
    expect(te.inputs[0]).toMatchObject({ name: 'input_ids', type: 'int32' });
    expect(readOnnxSignature(path.join(TINY_SD, 'vae_encoder', 'model.onnx')).outputs[0]!.name).toBe(
      'latent_parameters',
    );
  });
  it('refuses a file that is not ONNX', () => {
    expect(() => readOnnxSignature(path.join(TINY_SD, 'model_index.json'))).toThrow();
  });
});
