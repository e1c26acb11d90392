import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempStudioPaths } from '../test-support/temp-home.js';
import { makePng } from '../test-support/images.js';
import { GalleryService } from './gallery-service.js';
import { searchGallery } from './search.js';
import { openDatabase, schemaVersion } from './database.js';
import { MIGRATIONS } from './migrations.js';
import { readTextChunks } from '../pngmeta/png-chunks.js';
import { resolveMedia } from './media.js';
import { acquireLease } from './owner-lease.js';
import { ORPHAN_GRACE_MS } from './reconcile.js';
import type { NewGeneration } from './gallery-store.js';

let paths: ReturnType<typeof tempStudioPaths>;
let gallery: GalleryService;
const dir = () => path.join(paths.dataDir, 'gallery');

beforeEach(() => {
  paths = tempStudioPaths();
  gallery = new GalleryService(dir());
});
afterEach(() => {
  gallery.close();
  paths.remove();
});

let salt = 1;
async function gen(over: Partial<NewGeneration> = {}): Promise<number> {
  const n = salt++;
  return gallery.store.add({
    mode: 'txt2img',
    prompt: `prompt ${n}`,
    negativePrompt: '',
    modelName: 'shapes',
    modelHash: 'abc',
    sampler: 'euler_a',
    steps: 20,
    cfgScale: 7,
    seed: n,
    rng: 'cpu',
    width: 128,
    height: 128,
    strength: null,
    batchIndex: 0,
    provider: 'cpu',
    engineVersion: '0.1.0',
    runtimeVersion: 'ort',
    durationMs: 10,
    parentId: null,
    source: 'latent-studio',
    metadataJson: null,
    image: { bytes: await makePng(n), ext: 'png' },
    ...over,
  });
}

describe('gallery store', () => {
  it('keeps every parameter and the files on disk, content-addressed', async () => {
    const init = await makePng(999);
    const id = await gen({
      prompt: 'a red circle',
      mode: 'img2img',
      strength: 0.6,
      initImage: init,
      mask: await makePng(998),
    });
    const item = gallery.store.get(id);
    expect(item).toMatchObject({
      prompt: 'a red circle',
      mode: 'img2img',
      strength: 0.6,
      seed: expect.any(Number),
      modelName: 'shapes',
      sampler: 'euler_a',
      favourite: false,
      tags: [],
    });
    expect(item.image).toMatch(/^images\/[0-9a-f]{2}\/[0-9a-f]{64}\.png$/);
    for (const rel of [item.image, item.initImage!, item.mask!])
      expect(fs.existsSync(path.join(dir(), rel))).toBe(true);
  });

  it('updates favourite and tags', async () => {
    const id = await gen();
    expect(gallery.store.update(id, { favourite: true, tags: ['Landscape', 'best'] })).toMatchObject({
      favourite: true,
      tags: ['best', 'landscape'],
    });
  });

  it('deletes to the trash at once, restores from it, purges later and keeps files that others still use', async () => {
    const shared = await makePng(500);
    const a = await gen({ initImage: shared });
    const b = await gen({ initImage: shared });
    const aImage = gallery.store.get(a).image;
    const sharedRel = gallery.store.get(a).initImage!;
    expect(gallery.store.delete([a, 999_999])).toBe(1);
    // Gone from every view at once, committed (a reload or another process sees the same), files kept for Undo.
    expect(() => gallery.store.get(a)).toThrow(/No gallery item/);
    expect(searchGallery(gallery.store, {}).items.map((i) => i.id)).toEqual([b]);
    expect(gallery.store.count()).toBe(1);
    expect(fs.existsSync(path.join(dir(), aImage))).toBe(true);
    expect(gallery.store.restore([a])).toBe(1);
    expect(gallery.store.get(a).image).toBe(aImage);
    gallery.store.delete([a]);
    expect(gallery.store.purge(60_000)).toBe(0); // still inside the undo window
    expect(gallery.store.purge(-1)).toBe(1);
    expect(gallery.store.restore([a])).toBe(0);
    expect(fs.existsSync(path.join(dir(), aImage))).toBe(false);
    expect(fs.existsSync(path.join(dir(), sharedRel))).toBe(true);
    gallery.store.delete([b]);
    gallery.store.purge(-1);
    expect(fs.existsSync(path.join(dir(), sharedRel))).toBe(false);
  });

  it('the same picture saved again is the one item, back from the trash if it was there', async () => {
    const png = await makePng(777);
    const base = { image: { bytes: png, ext: 'png' as const } };
    const first = await gen(base);
    expect(await gen(base)).toBe(first);
    gallery.store.delete([first]);
    expect(await gen(base)).toBe(first);
    expect(gallery.store.get(first).id).toBe(first);
  });

  it('answers lineage both ways', async () => {
    const root = await gen();
    const child = await gen({ parentId: root });
    const grandchild = await gen({ parentId: child });
    const sibling = await gen({ parentId: root });
    expect(gallery.store.lineage(grandchild).ancestors.map((i) => i.id)).toEqual([child, root]);
    expect(gallery.store.lineage(root).descendants.map((i) => i.id)).toEqual([child, sibling, grandchild]);
    // Deleting a parent keeps the children; the lineage skips it at once, and the link goes when it is purged.
    gallery.store.delete([child]);
    expect(gallery.store.lineage(grandchild).ancestors.map((i) => i.id)).toEqual([root]);
    gallery.store.purge(-1);
    expect(gallery.store.get(grandchild).parentId).toBeNull();
  });

  it('a plot grid is never seen without its cells as children', async () => {
    const cells = [await gen(), await gen()];
    const saving = gallery.saveGrid(cells, await makePng(999), { x: 'seed=1,2', y: null, z: null });
    // Before the save finishes (its thumbnail), the newest item is the grid, already with its cells.
    const grid = searchGallery(gallery.store, { limit: 1 }).items[0]!;
    expect(grid.source).toBe('plot');
    expect(gallery.store.lineage(grid.id).descendants.map((i) => i.id)).toEqual(cells);
    expect(await saving).toBe(grid.id);
  });
});

describe('gallery search', () => {
  beforeEach(async () => {
    for (const [p, neg] of [
      ['a red circle on a blue background', ''],
      ['a large blue star on the left', 'blurry'],
      ['a small yellow triangle at the top', 'red'],
      ['portrait of a castle', ''],
      ['red castle at night', 'circle'],
    ]) {
      await gen({ prompt: p!, negativePrompt: neg! });
    }
  });
  const prompts = (q: Parameters<typeof searchGallery>[1]) =>
    searchGallery(gallery.store, q).items.map((i) => i.prompt);

  it('matches words, phrases, prefixes and AND / OR / NOT over prompt and negative prompt', () => {
    expect(prompts({ query: 'castle' })).toEqual(['red castle at night', 'portrait of a castle']);
    expect(prompts({ query: '"red circle"' })).toEqual(['a red circle on a blue background']);
    expect(prompts({ query: 'tri*' })).toEqual(['a small yellow triangle at the top']);
    expect(prompts({ query: 'red AND castle' })).toEqual(['red castle at night']);
    expect(prompts({ query: 'star OR triangle' })).toHaveLength(2);
    expect(prompts({ query: 'castle NOT night' })).toEqual(['portrait of a castle']);
    expect(prompts({ query: 'negative_prompt:blurry' })).toEqual(['a large blue star on the left']);
  });
  it('combines search with filters', async () => {
    const fav = searchGallery(gallery.store, { query: 'castle' }).items[0]!.id;
    gallery.store.update(fav, { favourite: true, tags: ['keep'] });
    expect(prompts({ query: 'castle', favourite: true })).toEqual(['red castle at night']);
    expect(prompts({ tag: 'KEEP' })).toEqual(['red castle at night']);
    await gen({ prompt: 'wide castle', width: 768, height: 512, sampler: 'ddim', modelName: 'other' });
    expect(prompts({ width: 768 })).toEqual(['wide castle']);
    expect(prompts({ sampler: 'ddim' })).toEqual(['wide castle']);
    expect(prompts({ model: 'other', query: 'castle' })).toEqual(['wide castle']);
    expect(prompts({ hasParent: true })).toEqual([]);
    expect(prompts({ from: Date.now() + 60_000 })).toEqual([]);
  });
  it('pages with a cursor through newest, oldest and a seeded random order, without repeats', () => {
    for (const sort of ['newest', 'oldest', 'random'] as const) {
      const seen: number[] = [];
      let cursor: string | undefined;
      do {
        const page = searchGallery(gallery.store, { sort, limit: 2, cursor, randomSeed: 7 });
        seen.push(...page.items.map((i) => i.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(new Set(seen).size, sort).toBe(5);
      if (sort === 'newest') expect(seen).toEqual([...seen].sort((a, b) => b - a));
      if (sort === 'oldest') expect(seen).toEqual([...seen].sort((a, b) => a - b));
    }
    const a = searchGallery(gallery.store, { sort: 'random', randomSeed: 1 }).items.map((i) => i.id);
    expect(searchGallery(gallery.store, { sort: 'random', randomSeed: 1 }).items.map((i) => i.id)).toEqual(a);
  });
  it('treats whatever the user types as text: no syntax errors, a leading NOT excludes', async () => {
    expect(prompts({ query: 'NOT star' })).toHaveLength(4);
    expect(prompts({ query: 'NOT star NOT castle' })).toEqual([
      'a small yellow triangle at the top',
      'a red circle on a blue background',
    ]);
    expect(prompts({ query: 'NOT castle night' })).toEqual([]);
    expect(prompts({ query: '"unterminated' })).toEqual([]);
    expect(prompts({ query: '"red circle' })).toEqual(['a red circle on a blue background']);
    expect(prompts({ query: 'c++ (weird' })).toEqual([]);
    expect(prompts({ query: '(castle' })).toEqual(['red castle at night', 'portrait of a castle']);
    expect(prompts({ query: 'AND' })).toHaveLength(5); // nothing to search for: everything
    expect(prompts({ query: 'castle OR' })).toHaveLength(2);
    expect(prompts({ query: 'prompt:"red castle"' })).toEqual(['red castle at night']);
    await gen({ prompt: 'a bär in a café' });
    expect(prompts({ query: 'ä' })).toEqual(['a bär in a café']); // not every prompt with the word "a"
    expect(prompts({ query: 'cafe' })).toEqual(['a bär in a café']); // accents still fold the other way
    expect(prompts({ query: 'bär' })).toEqual(['a bär in a café']);
    expect(prompts({ query: 'negative_prompt:"red"' })).toEqual(['a small yellow triangle at the top']);
  });
  it('turns a malformed cursor into a readable input error', () => {
    expect(() => searchGallery(gallery.store, { cursor: 'bogus' })).toThrow(/Invalid page cursor/);
  });
});

describe('prompt history', () => {
  it('lists each prompt once, newest use first, with its last negative; filters by text; skips the trash', async () => {
    await gen({ prompt: 'a red cat', negativePrompt: 'old', createdAt: 1000 });
    await gen({ prompt: 'a blue dog', negativePrompt: '', createdAt: 2000 });
    await gen({ prompt: 'a red cat', negativePrompt: 'new', createdAt: 3000 });
    const gone = await gen({ prompt: 'a deleted 100% idea', createdAt: 4000 });
    gallery.store.delete([gone]);
    const all = gallery.store.recentPrompts(undefined, 10).filter((p) => /cat|dog|idea/.test(p.prompt));
    expect(all).toEqual([
      { prompt: 'a red cat', negativePrompt: 'new', lastUsed: 3000 },
      { prompt: 'a blue dog', negativePrompt: '', lastUsed: 2000 },
    ]);
    expect(gallery.store.recentPrompts('RED', 10).map((p) => p.prompt)).toEqual(['a red cat']);
    expect(gallery.store.recentPrompts('100%', 10)).toEqual([]);
  });
});

describe('import, export and remix', () => {
  it('imports A1111, ComfyUI and plain images; rejects what is no image', async () => {
    const out = await gallery.importFiles([
      {
        name: 'a1111.png',
        bytes: await makePng(1001, {
          parameters:
            'a cat\nNegative prompt: ugly\nSteps: 30, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 6, Seed: 77, Size: 8x8, Model: sd15',
        }),
      },
      { name: 'plain.png', bytes: await makePng(1002) },
      { name: 'notes.png', bytes: Buffer.from('not an image') },
    ]);
    expect(out.imported.map((i) => [i.name, i.source])).toEqual([
      ['a1111.png', 'a1111'],
      ['plain.png', 'none'],
    ]);
    expect(out.failed).toEqual([{ name: 'notes.png', reason: expect.stringContaining('notes.png') }]);
    expect(out.imported.map((i) => i.existed)).toEqual([false, false]);
    // The same file again: said so, the one item given, nothing added.
    const again = await gallery.importFiles([{ name: 'copy.png', bytes: await makePng(1002) }]);
    expect(again.imported).toEqual([{ name: 'copy.png', id: out.imported[1]!.id, source: 'none', existed: true }]);
    expect(gallery.store.count()).toBe(2);
    expect(gallery.store.get(out.imported[0]!.id)).toMatchObject({
      mode: 'import',
      prompt: 'a cat',
      negativePrompt: 'ugly',
      steps: 30,
      sampler: 'a1111:dpmpp_2m:karras',
      cfgScale: 6,
      seed: 77,
      modelName: 'sd15',
      source: 'a1111',
    });
  });
  it('exports with metadata or stripped of it', async () => {
    const { imported } = await gallery.importFiles([
      {
        name: 'x.png',
        bytes: await makePng(1003, {
          parameters: 'secret prompt\nSteps: 1, Sampler: DDIM, CFG scale: 1, Seed: 1, Size: 8x8',
        }),
      },
    ]);
    const [kept] = await gallery.export([imported[0]!.id], true);
    const [stripped] = await gallery.export([imported[0]!.id], false);
    expect(readTextChunks(kept!.data).parameters).toContain('secret prompt');
    expect(readTextChunks(stripped!.data)).toEqual({});
  });
  it('remix gives back every parameter, the init image and mask, and the parent link', async () => {
    const init = await makePng(1004);
    const id = await gen({
      mode: 'inpaint',
      prompt: 'p',
      negativePrompt: 'n',
      strength: 0.8,
      initImage: init,
      mask: await makePng(1005),
      seed: 4242,
      rng: 'gpu',
    });
    const remix = gallery.remix(id);
    expect(remix).toMatchObject({
      parentId: id,
      params: {
        mode: 'inpaint',
        prompt: 'p',
        negativePrompt: 'n',
        strength: 0.8,
        seed: 4242,
        rng: 'gpu',
        sampler: 'euler_a',
        steps: 20,
        cfgScale: 7,
        width: 128,
        height: 128,
        model: 'shapes',
      },
    });
    expect(Buffer.from(remix.params.initImage!, 'base64').equals(init)).toBe(true);
  });
});

describe('migrations and reconciliation', () => {
  it('migrates an old database and refuses a newer one untouched', () => {
    const file = path.join(paths.root, 'old.db');
    const raw = new Database(file);
    raw.pragma('user_version = 0');
    raw.close();
    const db = openDatabase(file);
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    db.pragma('user_version = 99');
    db.close();
    expect(() => openDatabase(file)).toThrow(/newer Latent Studio/);
    const again = new Database(file);
    expect(again.pragma('user_version', { simple: true })).toBe(99);
    again.close();
  });
  it('refuses a newer database without switching its journal mode', () => {
    const file = path.join(paths.root, 'newer.db');
    const raw = new Database(file);
    raw.pragma('user_version = 99');
    raw.close();
    expect(() => openDatabase(file)).toThrow(/left untouched/);
    const again = new Database(file);
    expect(again.pragma('journal_mode', { simple: true })).toBe('delete');
    again.close();
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
  });
  it('removes orphan files and rows whose image is gone, at startup', async () => {
    const keep = await gen();
    const lost = await gen();
    fs.rmSync(path.join(dir(), gallery.store.get(lost).image));
    const orphan = path.join(dir(), 'images', 'ab', `${'ab'.padEnd(64, '0')}.png`);
    fs.mkdirSync(path.dirname(orphan), { recursive: true });
    fs.writeFileSync(orphan, 'half-written');
    const young = path.join(dir(), 'images', 'cd', `${'cd'.padEnd(64, '0')}.png`);
    fs.mkdirSync(path.dirname(young), { recursive: true });
    fs.writeFileSync(young, 'another process is about to commit its row');
    const old = new Date(Date.now() - ORPHAN_GRACE_MS - 60_000);
    fs.utimesSync(orphan, old, old);
    gallery.close();

    // A guest (a command-line search or import) repairs nothing.
    gallery = new GalleryService(dir());
    expect(gallery.reconciled).toBeNull();
    expect(fs.existsSync(orphan)).toBe(true);
    gallery.close();

    gallery = new GalleryService(dir(), { role: 'owner' });
    expect(gallery.reconciled).toMatchObject({ rowsWithoutFile: 1, orphanFiles: 1 });
    expect(gallery.store.exists(keep)).toBe(true);
    expect(gallery.store.exists(lost)).toBe(false);
    expect(fs.existsSync(orphan)).toBe(false);
    expect(fs.existsSync(young)).toBe(true); // inside the grace period: left alone

    // While it owns the folder, a second owner (another app on the same data) does not reconcile.
    fs.utimesSync(young, old, old);
    const second = new GalleryService(dir(), { role: 'owner' });
    expect(second.reconciled).toBeNull();
    second.close();
    expect(fs.existsSync(young)).toBe(true);
  });

  it('takes over the lease of a process that is gone, never that of a live one', () => {
    const lockDir = path.join(paths.root, 'lease');
    fs.mkdirSync(lockDir, { recursive: true });
    const file = path.join(lockDir, 'owner.lock');
    fs.writeFileSync(file, JSON.stringify({ pid: 2 ** 22 + 7, host: os.hostname(), since: '' }));
    const taken = acquireLease(lockDir);
    expect(taken).not.toBeNull();
    expect(acquireLease(lockDir)).toBeNull(); // held by this live process
    taken!.release();
    expect(fs.existsSync(file)).toBe(false);
    fs.writeFileSync(file, JSON.stringify({ pid: process.ppid, host: os.hostname(), since: '' }));
    expect(acquireLease(lockDir)).toBeNull();
  });
});

describe('media paths', () => {
  it('serves gallery images and thumbnails, and refuses everything else', async () => {
    const id = await gen();
    const item = gallery.store.get(id);
    expect(await resolveMedia(gallery.store, `/${item.image}`)).toBe(fs.realpathSync(path.join(dir(), item.image)));
    expect(await resolveMedia(gallery.store, `/${item.thumbnail}`)).toBeTruthy();
    fs.writeFileSync(path.join(paths.root, 'secret.png'), 'x');
    const link = path.join(dir(), 'images', 'ff', `${'f'.repeat(64)}.png`);
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(path.join(paths.root, 'secret.png'), link);
    const dbLink = path.join(dir(), 'images', 'ee', `${'e'.repeat(64)}.png`);
    fs.mkdirSync(path.dirname(dbLink), { recursive: true });
    fs.symlinkSync(path.join(dir(), 'gallery.db'), dbLink);
    fs.symlinkSync(path.dirname(dbLink), path.join(dir(), 'images', 'dd'));
    for (const bad of [
      '/../settings.json',
      '/images/../../settings.json',
      '/%2e%2e/%2e%2e/settings.json',
      `/images%2f..%2f..%2fsettings.json`,
      path.join(paths.root, 'secret.png'),
      '/gallery.db',
      `/images/ff/${'f'.repeat(64)}.png`, // a symlink out of the gallery
      `/images/ee/${'e'.repeat(64)}.png`, // a symlink to the database inside it
      `/images/dd/${'e'.repeat(64)}.png`, // through a linked folder
    ]) {
      expect(await resolveMedia(gallery.store, bad), bad).toBeNull();
    }
  });
});

describe('gallery filter by LoRA', () => {
  it('finds the items whose prompt applies a LoRA, by its tag name in any case, not by words that contain it', async () => {
    const a = await gen({ prompt: 'a cat <lora:Detail:0.8>, sharp' });
    const b = await gen({ prompt: 'a dog <lyco:detail> in a hat' });
    await gen({ prompt: 'a detailed drawing <lora:detailed:1>' });
    await gen({ prompt: 'fine detail, no LoRA at all' });
    const hits = (lora: string) => searchGallery(gallery.store, { lora }).items.map((i) => i.id);
    expect(hits('detail')).toEqual([b, a]);
    expect(hits('DETAIL')).toEqual([b, a]);
    expect(hits('nothing')).toEqual([]);
    // With the other filters and the text search.
    expect(searchGallery(gallery.store, { lora: 'detail', query: 'cat' }).items.map((i) => i.id)).toEqual([a]);
  });
});
