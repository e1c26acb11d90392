/**
 * The gallery's Upscale action: an item's picture through an ONNX upscaler
 * of the models folder (the hand-made nearest-neighbour x2, whose output is
 * known exactly) or Lanczos, in a worker, saved as the item's child with
 * A1111's extras line; a missing upscaler is refused by name.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GalleryItem } from '../../src-shared/domain/gallery.js';
import { readTextChunks } from '../pngmeta/png-chunks.js';
import { FIXTURES_DIR } from '../test-support/fixtures.js';
import { type StudioHarness, startStudioWithTinySd } from '../test-support/studio-harness.js';

interface Done {
  taskId: string;
  status: string;
  newId: number | null;
  error: { message: string } | null;
}

describe('the Upscale action of the gallery', () => {
  let h: StudioHarness;
  let parent: number;
  beforeAll(async () => {
    h = await startStudioWithTinySd();
    const dir = path.join(h.studio.paths.modelsDir, 'upscalers');
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(path.join(FIXTURES_DIR, 'upscalers', 'nearest-x2.onnx'), path.join(dir, 'nearest-x2.onnx'));
    const png = fs.readFileSync(path.join(FIXTURES_DIR, 'byo', 'base.png'));
    const r = (await h.call('gallery.import', { files: [{ name: 'base.png', data: png.toString('base64') }] })) as {
      imported: { id: number }[];
    };
    parent = r.imported[0]!.id;
  });
  afterAll(() => h.close());
  const done = (taskId: string) => h.waitForEvent<Done>('gallery.upscaleDone', (d) => d.taskId === taskId);

  it('upscales with an ONNX upscaler into a child item whose pixels are exactly the model output', async () => {
    const { taskId } = (await h.call('gallery.upscale', { id: parent, upscaler: 'nearest-x2', scale: 2 })) as {
      taskId: string;
    };
    const result = await done(taskId);
    expect(result).toMatchObject({ status: 'succeeded', error: null });
    const child = (await h.call('gallery.get', { id: result.newId })) as GalleryItem;
    expect(child).toMatchObject({ parentId: parent, source: 'upscale' });
    const file = path.join(h.studio.paths.dataDir, 'gallery', child.image);
    const got = await sharp(file).raw().toBuffer({ resolveWithObject: true });
    const src = await sharp(path.join(FIXTURES_DIR, 'byo', 'base.png'))
      .removeAlpha()
      .raw()
      .toBuffer();
    expect([got.info.width, got.info.height]).toEqual([128, 128]);
    let off = 0;
    for (let y = 0; y < 128; y++)
      for (let x = 0; x < 128; x++)
        for (let c = 0; c < 3; c++)
          off = Math.max(off, Math.abs(got.data[(y * 128 + x) * 3 + c]! - src[((y >> 1) * 64 + (x >> 1)) * 3 + c]!));
    expect(off).toBe(0);
    const texts = readTextChunks(fs.readFileSync(file));
    expect(texts.postprocessing).toBe('Postprocess upscale by: 2, Postprocess upscaler: nearest-x2');
    expect(texts.parameters).toContain('a photograph of an astronaut');
    const lineage = (await h.call('gallery.lineage', { id: parent })) as { descendants: GalleryItem[] };
    expect(lineage.descendants.map((d) => d.id)).toContain(result.newId);
    expect(h.events.some((e) => e.event === 'gallery.upscaleProgress')).toBe(true);
  });

  it('upscales with Lanczos to any scale, and refuses an upscaler the folder lacks', async () => {
    const { taskId } = (await h.call('gallery.upscale', { id: parent, upscaler: 'lanczos', scale: 1.5 })) as {
      taskId: string;
    };
    const result = await done(taskId);
    const child = (await h.call('gallery.get', { id: result.newId })) as GalleryItem;
    const meta = await sharp(path.join(h.studio.paths.dataDir, 'gallery', child.image)).metadata();
    expect([meta.width, meta.height]).toEqual([96, 96]);
    await expect(h.call('gallery.upscale', { id: parent, upscaler: 'absent-x4', scale: 4 })).rejects.toThrow(
      /No upscaler "absent-x4"/,
    );
  });
});
