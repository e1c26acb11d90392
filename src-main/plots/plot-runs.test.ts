/**
 * X/Y/Z plots in the app: a 2x2 plot queues four jobs, and when they are
 * done the labelled grid is in the gallery with the four cells as its
 * children, each recorded with its own settings; a bad axis is refused
 * before anything is queued.
 */
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GalleryItem } from '../../src-shared/domain/gallery.js';
import { type StudioHarness, startStudioWithTinySd } from '../test-support/studio-harness.js';

describe('X/Y/Z plots in the app', () => {
  let h: StudioHarness;
  beforeAll(async () => {
    h = await startStudioWithTinySd();
  });
  afterAll(() => h.close());
  const request = {
    model: 'tiny-sd',
    prompt: 'a photograph of an astronaut riding a horse',
    steps: 2,
    width: 64,
    height: 64,
    seed: 5,
    sampler: 'euler',
  };

  it('queues every cell and saves the grid with the cells as its children', async () => {
    const { plotId, cells, jobIds } = (await h.call('plot.start', { request, x: 'cfg=4,7', y: 'seed=1-2' })) as {
      plotId: string;
      cells: number;
      jobIds: string[];
    };
    expect([cells, jobIds.length]).toEqual([4, 4]);
    const done = await h.waitForEvent<{ plotId: string; status: string; gridId: number | null }>(
      'plot.done',
      (d) => d.plotId === plotId,
    );
    expect(done.status).toBe('succeeded');
    const grid = (await h.call('gallery.get', { id: done.gridId })) as GalleryItem;
    expect(grid.source).toBe('plot');
    const { descendants } = (await h.call('gallery.lineage', { id: done.gridId })) as { descendants: GalleryItem[] };
    const settings = descendants.map((d) => [d.seed, d.cfgScale]).sort();
    expect(settings).toEqual([
      [1, 4],
      [1, 7],
      [2, 4],
      [2, 7],
    ]);
    const meta = await sharp(path.join(h.studio.paths.dataDir, 'gallery', grid.image)).metadata();
    // Two 64-pixel columns beside the row labels, two rows under the column labels.
    expect(meta.width).toBeGreaterThan(128);
    expect(meta.height).toBeGreaterThan(128);
    const progress = h.events.filter(
      (e) => e.event === 'plot.progress' && (e.payload as { plotId: string }).plotId === plotId,
    );
    expect(progress.length).toBe(4);
  });

  it('refuses a bad axis or too many cells before queuing anything', async () => {
    await expect(h.call('plot.start', { request, x: 'colour=red' })).rejects.toThrow(/unknown axis/);
    await expect(h.call('plot.start', { request, x: 'steps=0,2' })).rejects.toThrow(/cell 0/);
    await expect(h.call('plot.start', { request, x: 'seed=1-9', y: 'cfg=1-9' })).rejects.toThrow(/81 cells/);
  });
});
