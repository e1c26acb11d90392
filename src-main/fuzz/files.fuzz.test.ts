/**
 * Fuzzing what users drop in: damaged images (PNG with A1111, ComfyUI and our
 * own metadata, JPEG with an EXIF comment, WebP) through the metadata reader
 * and the gallery import, and damaged model files (ONNX graphs, LoRAs,
 * embeddings, checkpoints) through our own readers. Each must give a result
 * or a typed error, quickly, in bounded memory; never a crash or a hang.
 * (onnxruntime's own protobuf loader is not fuzzed here: a native abort
 * would take the test runner with it.)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { isStudioError } from '../../src-shared/domain/errors.js';
import {
  indexOnnxGraph,
  loraFamily,
  readInversion,
  readTensor,
  SafetensorsFile,
  writeSafetensors,
} from '../engine/index.js';
import { GalleryService } from '../gallery/gallery-service.js';
import { readOnnxSignature } from '../models/onnx-signature.js';
import { withTextChunks } from '../pngmeta/png-chunks.js';
import { readImageMetadata, UnreadableImageError } from '../pngmeta/read-image-metadata.js';
import { FIXTURES_DIR, TINY_SD } from '../test-support/fixtures.js';
import { FUZZ_SEED, forBudget, mutateBytes, seeded, within } from './fuzz-support.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-fuzz-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Runs one reader on one damaged input; anything but a result or an accepted error is recorded. */
async function probe(
  failures: string[],
  what: string,
  accept: (err: unknown) => boolean,
  fn: () => unknown,
): Promise<void> {
  try {
    await within(5_000, what, Promise.resolve().then(fn));
  } catch (err) {
    if (!accept(err)) failures.push(`${what}: ${(err as Error)?.stack?.split('\n').slice(0, 3).join(' | ') ?? err}`);
  }
}

describe(`fuzzing image files (seed ${FUZZ_SEED})`, () => {
  it('every damaged image reads or is refused as unreadable, and imports or is refused with a typed error', async () => {
    const rand = seeded(FUZZ_SEED + 2);
    const pixels = sharp({ create: { width: 48, height: 32, channels: 3, background: '#3a7' } });
    const a1111 =
      'a red circle, (glowing:1.2)\nNegative prompt: blurry\nSteps: 20, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 7, Seed: 42, Size: 48x32, Model hash: 6ce0161689, Model: x';
    const comfy = JSON.stringify({
      '3': {
        class_type: 'KSampler',
        inputs: { seed: 5, steps: 20, cfg: 8, sampler_name: 'euler', scheduler: 'normal' },
      },
    });
    const png = await pixels.clone().png().toBuffer();
    const bases: [string, Buffer][] = [
      ['a1111.png', withTextChunks(png, { parameters: a1111 })],
      ['comfy.png', withTextChunks(png, { prompt: comfy, workflow: '{}' })],
      ['studio.png', fs.readFileSync(path.join(FIXTURES_DIR, 'byo', 'base.png'))],
      [
        'exif.jpg',
        await pixels
          .clone()
          .jpeg()
          .withExif({ IFD0: { ImageDescription: a1111 } })
          .toBuffer(),
      ],
      ['plain.webp', await pixels.clone().webp().toBuffer()],
    ];
    const gallery = new GalleryService(path.join(tmp, 'gallery'));
    const failures: string[] = [];
    const rssBefore = process.memoryUsage().rss;
    let imported = 0;
    const runs = await forBudget(10_000, 150, async () => {
      const [name, bytes] = rand.pick(bases);
      let damaged = mutateBytes(bytes, rand);
      if (rand.chance(0.3)) damaged = mutateBytes(damaged, rand);
      await probe(
        failures,
        `read ${name}`,
        (e) => e instanceof UnreadableImageError,
        () => readImageMetadata(damaged),
      );
      await probe(failures, `import ${name}`, isStudioError, async () => {
        await gallery.importBytes(name, damaged);
        imported++;
      });
    });
    gallery.close();
    expect(failures, `seed ${FUZZ_SEED}`).toEqual([]);
    expect(runs).toBeGreaterThanOrEqual(150);
    expect(imported).toBeGreaterThan(0); // some damage leaves a readable picture: those import
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(512 * 2 ** 20);
  }, 120_000);
});

describe(`fuzzing model files (seed ${FUZZ_SEED})`, () => {
  it('damaged ONNX graphs, LoRAs, embeddings and checkpoints are refused with typed errors, never a crash', async () => {
    const rand = seeded(FUZZ_SEED + 3);
    const byo = path.join(FIXTURES_DIR, 'byo');
    // LyCORIS files: a LoHa and a LoKr (decomposed second factor) on a cross-attention key projection.
    const stem = 'lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn2_to_k';
    const m = (rows: number, cols: number) => ({ shape: [rows, cols], data: new Float32Array(rows * cols).fill(0.01) });
    const lyco = (name: string, tensors: Record<string, { shape: number[]; data: Float32Array }>) => {
      writeSafetensors(path.join(tmp, name), tensors);
      return fs.readFileSync(path.join(tmp, name));
    };
    const sources = {
      onnx: fs.readFileSync(path.join(TINY_SD, 'vae_encoder', 'model.onnx')),
      lora: fs.readFileSync(path.join(byo, 'lora.safetensors')),
      embedding: fs.readFileSync(path.join(byo, 'red-thing.safetensors')),
      loha: lyco('loha.safetensors', {
        [`${stem}.hada_w1_a`]: m(32, 2),
        [`${stem}.hada_w1_b`]: m(2, 32),
        [`${stem}.hada_w2_a`]: m(32, 2),
        [`${stem}.hada_w2_b`]: m(2, 32),
      }),
      lokr: lyco('lokr.safetensors', {
        [`${stem}.lokr_w1`]: m(4, 4),
        [`${stem}.lokr_w2_a`]: m(8, 2),
        [`${stem}.lokr_w2_b`]: m(2, 8),
      }),
    };
    const failures: string[] = [];
    const rssBefore = process.memoryUsage().rss;
    const runs = await forBudget(10_000, 120, async (i) => {
      const kind = rand.pick(Object.keys(sources) as (keyof typeof sources)[]);
      const file = path.join(tmp, `damaged-${i}.${kind === 'onnx' ? 'onnx' : 'safetensors'}`);
      fs.writeFileSync(file, mutateBytes(sources[kind], rand));
      if (kind === 'onnx') {
        await probe(failures, 'onnx signature', isStudioError, () => readOnnxSignature(file));
        await probe(failures, 'onnx graph', isStudioError, () => {
          const graph = indexOnnxGraph(file);
          for (const t of [...graph.initializers.values()].slice(0, 20)) {
            try {
              readTensor(t, file);
            } catch (err) {
              if (!isStudioError(err)) throw err;
            }
          }
        });
      } else {
        await probe(failures, `${kind} tensors`, isStudioError, () => {
          const st = SafetensorsFile.open(file);
          for (const name of st.entries.keys()) st.readFloat32(name);
        });
        if (kind === 'embedding') await probe(failures, 'embedding', isStudioError, () => readInversion(file));
        else await probe(failures, `${kind} modules`, isStudioError, () => loraFamily(file));
      }
      fs.rmSync(file);
    });
    expect(failures, `seed ${FUZZ_SEED}`).toEqual([]);
    expect(runs).toBeGreaterThanOrEqual(120);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(512 * 2 ** 20);
  }, 120_000);
});
