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
import { MIGRATIONS } from './migrations.js';

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

    // On the next start (past the grace period), the owner's reconciliation removes the file whose row never committed.
    const anHourAgo = new Date(Date.now() - 3600_000);
    for (const f of imageFiles(galleryDir)) fs.utimesSync(path.join(galleryDir, f), anHourAgo, anHourAgo);
    const gallery = new GalleryService(galleryDir, { role: 'owner' });
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

describe('two processes on one data folder', () => {
  const paths = tempStudioPaths();
  const source = path.join(paths.root, 'to-import');
  const galleryDir = path.join(paths.dataDir, 'gallery');
  const count = 150;
  beforeAll(async () => {
    fs.mkdirSync(source, { recursive: true });
    for (let i = 0; i < count; i++)
      fs.writeFileSync(path.join(source, `img-${i}.png`), await makePng(70_000 + i, { parameters: `photo ${i}` }, 64));
  }, 60_000);
  afterAll(() => paths.remove());

  it('loses no image of an import while searches run and the app starts beside it', async () => {
    const studio = path.join(appRoot(), 'bin', 'studio.js');
    const env = { ...process.env, STUDIO_HOME: paths.root };
    const child = spawn(process.execPath, [studio, 'import', source], { env, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const exited = new Promise((r) => child.once('exit', r));
    let running = true;
    void exited.then(() => {
      running = false;
    });
    let searches = 0;
    let appStarts = 0;
    while (running) {
      // A search in its own process, then an app start (the owner's reconciliation) in this one.
      await new Promise((r) =>
        spawn(process.execPath, [studio, 'search', 'photo', '--limit', '1'], { env, stdio: 'ignore' }).once('exit', r),
      );
      searches++;
      if (!fs.existsSync(path.join(galleryDir, 'gallery.db'))) continue;
      new GalleryService(galleryDir, { role: 'owner' }).close();
      appStarts++;
    }
    expect(out).toMatch(new RegExp(`imported ${count}, skipped 0`));
    expect(searches).toBeGreaterThan(1);
    expect(appStarts).toBeGreaterThan(0);
    const db = new Database(path.join(galleryDir, 'gallery.db'), { readonly: true });
    const rows = db.prepare('SELECT image_file FROM generations').all() as { image_file: string }[];
    db.close();
    expect(rows).toHaveLength(count);
    for (const r of rows) expect(fs.existsSync(path.join(galleryDir, r.image_file)), r.image_file).toBe(true);
    expect(imageFiles(galleryDir)).toHaveLength(count);
  }, 120_000);
});

describe('several processes opening a new gallery at once', () => {
  const paths = tempStudioPaths();
  afterAll(() => paths.remove());

  it('create and migrate it once, all of them succeeding', async () => {
    const studio = path.join(appRoot(), 'bin', 'studio.js');
    const env = { ...process.env, STUDIO_HOME: paths.root };
    const codes = await Promise.all(
      Array.from(
        { length: 6 },
        () =>
          new Promise<number | null>((resolve) =>
            spawn(process.execPath, [studio, 'search', 'anything'], { env, stdio: 'ignore' }).once('exit', resolve),
          ),
      ),
    );
    expect(codes).toEqual([0, 0, 0, 0, 0, 0]);
    const db = new Database(path.join(paths.dataDir, 'gallery', 'gallery.db'), { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    db.close();
  }, 60_000);

  it('an import and a search starting together on a new gallery both succeed (SQLite says "locked" without waiting there)', async () => {
    const studio = path.join(appRoot(), 'bin', 'studio.js');
    const png = path.join(paths.root, 'one.png');
    fs.writeFileSync(png, await makePng(99, { parameters: 'photo' }, 32));
    for (let round = 0; round < 8; round++) {
      const env = { ...process.env, STUDIO_HOME: path.join(paths.root, `home-${round}`) };
      const run = (args: string[]) =>
        new Promise<number | null>((resolve) =>
          spawn(process.execPath, [studio, ...args], { env, stdio: 'ignore' }).once('exit', resolve),
        );
      expect(await Promise.all([run(['import', png]), run(['search', 'photo'])]), `round ${round}`).toEqual([0, 0]);
    }
  }, 60_000);
});
