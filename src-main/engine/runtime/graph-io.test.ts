import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { TINY_SD } from '../../test-support/fixtures.js';
import { readGraphIo, withInputShapes } from './graph-io.js';

const UNET = path.join(TINY_SD, 'unet', 'model.onnx');

describe('a graph with fixed input sizes', () => {
  it('declares the given sizes where the file has symbolic ones, and nothing else changes', async () => {
    const model = withInputShapes(fs.readFileSync(UNET), {
      sample: [2, 4, 8, 8],
      encoder_hidden_states: [2, 77, 32],
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-graph-io-'));
    try {
      const file = path.join(dir, 'model.onnx');
      fs.writeFileSync(file, model);
      const io = readGraphIo(file);
      expect(io.inputs.map((i) => [i.name, i.type, i.shape])).toEqual([
        ['sample', 'float32', [2, 4, 8, 8]],
        ['timestep', 'int64', ['batch']], // not named: left symbolic
        ['encoder_hidden_states', 'float32', [2, 77, 32]],
      ]);
      expect(io.outputs).toEqual(readGraphIo(UNET).outputs);
      // ONNX Runtime reads it and holds it to those sizes.
      const session = await ort.InferenceSession.create(model);
      const feeds = (side: number) => ({
        sample: new ort.Tensor('float32', new Float32Array(2 * 4 * side * side), [2, 4, side, side]),
        timestep: new ort.Tensor('int64', BigInt64Array.from([1n, 1n]), [2]),
        encoder_hidden_states: new ort.Tensor('float32', new Float32Array(2 * 77 * 32), [2, 77, 32]),
      });
      expect((await session.run(feeds(8))).out_sample!.dims).toEqual([2, 4, 8, 8]);
      await expect(session.run(feeds(16))).rejects.toThrow(/dimension/i);
      await session.release();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves an input whose rank or fixed size disagrees as it is, for ONNX Runtime to refuse by name', () => {
    const original = fs.readFileSync(UNET);
    expect(withInputShapes(original, { sample: [2, 4, 8] }).equals(original)).toBe(true);
    expect(withInputShapes(original, { encoder_hidden_states: [2, 77, 64] }).equals(original)).toBe(true);
  });
});
