import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES_DIR, TINY_SD } from '../../test-support/fixtures.js';
import { prepareModelVariant } from './model-variant.js';
import { indexPart, MODEL_PARTS, paramValues } from './model-parts.js';
import { writePatchedOnnx } from './patch-writer.js';
import { SafetensorsFile, writeSafetensors } from './safetensors.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-weights-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('ONNX weights located by module', () => {
  it('maps every initializer of an export to diffusers parameters (tiny-sd: 291 initializers, 424 parameters)', () => {
    let initializers = 0;
    let params = 0;
    for (const part of MODEL_PARTS) {
      const p = indexPart(TINY_SD, part);
      if (!p) continue; // text_encoder_2: SDXL only
      const used = new Set([...p.params.values()].flatMap((x) => x.sites.map((s) => s.initializer)));
      expect([...p.index.initializers.keys()].filter((k) => !used.has(k))).toEqual([]);
      initializers += p.index.initializers.size;
      params += p.params.size;
    }
    expect([initializers, params]).toEqual([291, 424]);
    const te = indexPart(TINY_SD, 'text_encoder')!;
    // A Linear weight held transposed by a MatMul, read back in torch layout [out, in].
    expect(te.params.get('text_model.encoder.layers.0.mlp.fc1.weight')!.sites[0]!.layout).toBe('transposed');
    expect(te.params.get('text_model.encoder.layers.0.mlp.fc1.weight')!.dims).toEqual([32, 64]);
  });

  it('gives a changed parameter its own initializer when torch.onnx had shared it', async () => {
    const te = indexPart(TINY_SD, 'text_encoder')!;
    const changed = 'text_model.encoder.layers.1.layer_norm2.weight';
    const sibling = 'text_model.final_layer_norm.weight';
    expect(te.params.get(changed)!.sites[0]!.initializer).toBe(te.params.get(sibling)!.sites[0]!.initializer);
    const before = paramValues(te, sibling);
    const values = Float32Array.from(before, (_, i) => i + 0.5);
    const out = path.join(tmp, 'text_encoder', 'model.onnx');
    await writePatchedOnnx(te.index, te.params, new Map([[changed, { values: () => values, dims: [32] }]]), out);
    const patched = indexPart(tmp, 'text_encoder')!;
    expect(Array.from(paramValues(patched, changed))).toEqual(Array.from(values));
    expect(Array.from(paramValues(patched, sibling))).toEqual(Array.from(before));
    // ONNX Runtime loads the copy.
    const session = await ort.InferenceSession.create(out);
    expect(session.inputNames).toContain('input_ids');
    await session.release();
  });
});

describe('safetensors', () => {
  it('reads F32, and refuses truncated files and bad headers with a clear message', () => {
    const file = path.join(tmp, 'a.safetensors');
    writeSafetensors(file, { w: { shape: [2, 2], data: Float32Array.from([1, -2, 3.5, 0]) } });
    expect(Array.from(SafetensorsFile.open(file).readFloat32('w'))).toEqual([1, -2, 3.5, 0]);
    const bytes = fs.readFileSync(file);
    fs.writeFileSync(file, bytes.subarray(0, bytes.length - 4));
    expect(() => SafetensorsFile.open(file)).toThrow(/truncated/);
    fs.writeFileSync(file, Buffer.from('\u0010\u0000\u0000\u0000\u0000\u0000\u0000\u0000{not json at all'));
    expect(() => SafetensorsFile.open(file)).toThrow(/header is not JSON/);
    expect(() => SafetensorsFile.open(tmp)).toThrow(/not a regular file/);
  });
});

describe('model variants (LoRAs merged into a copy)', () => {
  it('keeps only the newest variants: trying LoRA weights one after another does not fill the disk', async () => {
    const root = path.join(tmp, 'variants');
    fs.mkdirSync(root);
    const lora = path.join(FIXTURES_DIR, 'byo', 'lora.safetensors');
    const dirs: string[] = [];
    for (const weight of [0.2, 0.4, 0.6])
      dirs.push((await prepareModelVariant(TINY_SD, { loras: [{ file: lora, weight }], embeddings: [] }, root)).dir);
    expect(fs.readdirSync(root).sort()).toEqual(
      dirs
        .slice(1)
        .map((d) => path.basename(d))
        .sort(),
    );
    // Using an older one again makes it the newest: the next new variant prunes the other.
    await prepareModelVariant(TINY_SD, { loras: [{ file: lora, weight: 0.4 }], embeddings: [] }, root);
    const next = (await prepareModelVariant(TINY_SD, { loras: [{ file: lora, weight: 0.8 }], embeddings: [] }, root))
      .dir;
    expect(fs.readdirSync(root).sort()).toEqual([path.basename(dirs[1]!), path.basename(next)].sort());
  });
});
