/**
 * SDXL embeddings and LoRAs through `studio generate` on the tiny SDXL model:
 * an embedding whose vectors are the token rows of a word (in each encoder)
 * gives exactly that word's picture; a LoRA changes the picture and reports
 * no unmatched keys.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ClipTokenizer,
  decodePngToRgb,
  imageDifference,
  indexPart,
  paramValues,
  torchDims,
  writeCheckpoint,
  writeSafetensors,
} from '../engine/index.js';
import { appRoot } from '../paths.js';
import { TINY_SDXL } from '../test-support/fixtures.js';
import { ensureWorkerBuilt } from '../test-support/studio-harness.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-byo-sdxl-'));
const generate = (out: string, prompt: string, ...flags: string[]) =>
  spawnSync(
    process.execPath,
    [
      path.join(appRoot(), 'bin', 'studio.js'),
      'generate',
      '--model',
      // A --model among the flags names another model folder.
      flags.includes('--model') ? flags[flags.indexOf('--model') + 1]! : TINY_SDXL,
      ...flags.filter((_, i) => flags[i] !== '--model' && flags[i - 1] !== '--model'),
      '--prompt',
      prompt,
      '--seed',
      '7',
      '--steps',
      '8',
      // Strong guidance: the tiny model's pictures follow the text enough to tell prompts apart.
      '--cfg',
      '30',
      '--provider',
      'cpu',
      '--quiet',
      '--out',
      path.join(tmp, out),
    ],
    { encoding: 'utf8', timeout: 120_000 },
  );
const pixels = async (name: string) => (await decodePngToRgb(fs.readFileSync(path.join(tmp, name)))).data;

describe('SDXL embeddings and LoRAs on the command line', () => {
  beforeAll(() => ensureWorkerBuilt());
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("an embedding made of a word's own token rows gives that word's picture exactly", async () => {
    const ids = ClipTokenizer.fromFolder(path.join(TINY_SDXL, 'tokenizer')).encode('red').slice(1, -1);
    const rows = (part: 'text_encoder' | 'text_encoder_2') => {
      const p = indexPart(TINY_SDXL, part)!;
      const name = [...p.params.keys()].find((n) => n.endsWith('token_embedding.weight'))!;
      const [, width] = torchDims(p.params.get(name)!) as [number, number];
      const table = paramValues(p, name);
      const out = new Float32Array(ids.length * width);
      for (const [k, id] of ids.entries()) out.set(table.subarray(id * width, (id + 1) * width), k * width);
      return { shape: [ids.length, width], data: out };
    };
    const file = path.join(tmp, 'crimsonish.safetensors');
    writeSafetensors(file, { clip_l: rows('text_encoder'), clip_g: rows('text_encoder_2') });

    const word = generate('word.png', 'a red circle on a blue background');
    expect(word.status, word.stderr).toBe(0);
    const embedded = generate('embedded.png', 'a crimsonish circle on a blue background', '--embedding', file);
    expect(embedded.status, embedded.stderr).toBe(0);
    const plain = generate('plain.png', 'a crimsonish circle on a blue background');
    expect(plain.status, plain.stderr).toBe(0);
    expect(imageDifference(await pixels('embedded.png'), await pixels('word.png')).max).toBe(0);
    expect(imageDifference(await pixels('plain.png'), await pixels('word.png')).max).toBeGreaterThan(0);
  });

  it('a kohya SDXL LoRA (original UNet names) changes the picture and leaves no key unmatched', async () => {
    const unet = indexPart(TINY_SDXL, 'unet')!;
    // The first resnet's first conv: input_blocks.1.0.in_layers.2 in the original UNet.
    const param = 'down_blocks.0.resnets.0.conv1.weight';
    const [out, ...rest] = torchDims(unet.params.get(param)!) as [number, ...number[]];
    const file = path.join(tmp, 'sdxl-style.safetensors');
    const key = 'lora_unet_input_blocks_1_0_in_layers_2';
    writeSafetensors(file, {
      [`${key}.lora_up.weight`]: { shape: [out, 1, 1, 1], data: new Float32Array(out).fill(0.2) },
      [`${key}.lora_down.weight`]: {
        shape: [1, ...rest],
        data: new Float32Array(rest.reduce((a, b) => a * b, 1)).fill(0.2),
      },
    });
    const base = generate('base.png', 'a red circle on a blue background');
    expect(base.status, base.stderr).toBe(0);
    const styled = generate('lora.png', 'a red circle on a blue background', '--lora', `${file}:1`);
    expect(styled.status, styled.stderr).toBe(0);
    expect(styled.stderr).not.toMatch(/matched nothing/);
    expect(imageDifference(await pixels('lora.png'), await pixels('base.png')).max).toBeGreaterThan(0);
  });

  it('an SDXL single-file checkpoint converts (studio models convert) to a model that draws the same picture', async () => {
    const file = path.join(tmp, 'sdxl-finetune.safetensors');
    writeCheckpoint(TINY_SDXL, file, { layout: 'sgm', dtype: 'F32' });
    const out = path.join(tmp, 'converted-sdxl');
    const conv = spawnSync(
      process.execPath,
      [path.join(appRoot(), 'bin', 'studio.js'), 'models', 'convert', file, '--template', TINY_SDXL, '--out', out],
      { encoding: 'utf8', timeout: 120_000 },
    );
    expect(conv.status, conv.stderr).toBe(0);
    const template = generate('from-template.png', 'a red circle on a blue background');
    expect(template.status, template.stderr).toBe(0);
    // The same settings on the converted model.
    const converted = generate('from-converted.png', 'a red circle on a blue background', '--model', out);
    expect(converted.status, converted.stderr).toBe(0);
    expect(imageDifference(await pixels('from-converted.png'), await pixels('from-template.png')).max).toBe(0);
  });
});
