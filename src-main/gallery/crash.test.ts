import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRoot } from '../paths.js';
import { tempStudioPaths } from '../test-support/temp-home.js';
import { makePng } from '../test-support/images.js';
import { ensureWorkerBuilt } from '../test-support/studio-harness.js';
import { GalleryService } from './gallery-service.js';

/** Files under images/, as relative paths. */
function imageFiles(galleryDir: string): string[] {
  const root = path.join(galleryDir, 'images');
  if (!fs.existsSync(root)) return [];
  return fs.readdirSync(root).flatMap((d) => fs.readdirSync(path.join(root, d)).map((f) => `images/${d}/${f}`));
}

describe('a crash in the middle of a batch', () => {
  const paths = tempStudioPaths();
  const source = path.join(paths.root, 'to-import');
  const galleryDir = path.join(paths.dataDir, 'gallery');
  beforeAll(async () => {
    ensureWorkerBuilt();
    fs.mkdirSync(source, { recursive: true });
    for (let i = 0; i < 400; i++) {
      fs.writeFileSync(
        path.join(source, `img-${i}.png`),
        await makePng(
          50_000 + i,
          { parameters: `image ${i}\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: ${i}, Size: 64x64` },
          64,
        ),
      );
    }
  }, 60_000);
  afterAll(() => paths.remove());

  it('loses at most the image being written: SQLite intact, no row without file, no file without row', async () => {
    const child = spawn(process.execPath, [path.join(appRoot(), 'bin', 'studio.js'), 'import', source], {
      env: { ...process.env, STUDIO_HOME: paths.root },
      stdio: 'ignore',
    });
    const exited = new Promise((r) => child.once('exit', r));
    // Kill it once it is well into the batch.
    const deadline = Date.now() + 60_000;
    while (imageFiles(galleryDir).length < 40 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    child.kill('SIGKILL');
    await exited;
    const written = imageFiles(galleryDir).length;
    expect(written).toBeGreaterThanOrEqual(40);
    expect(written).toBeLessThan(400);

    // Before any repair: the database is consistent and every row has its file.
    const db = new Database(path.join(galleryDir, 'gallery.db'));
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const rows = db.prepare('SELECT image_file FROM generations').all() as { image_file: string }[];
    db.close();
    for (const r of rows) expect(fs.existsSync(path.join(galleryDir, r.image_file)), r.image_file).toBe(true);
    expect(written - rows.length).toBeLessThanOrEqual(1);

    // On reopen, reconciliation removes the file whose row never committed.
    const gallery = new GalleryService(galleryDir);
    try {
      const files = new Set(imageFiles(galleryDir));
      const kept = (
        gallery.store.db.prepare('SELECT image_file FROM generations').all() as { image_file: string }[]
      ).map((r) => r.image_file);
      expect(new Set(kept)).toEqual(files);
      expect(gallery.store.db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      gallery.close();
    }
  }, 120_000);
});
