/**
 * The gallery: generations with every parameter, their files, tags and
 * lineage. Files are written before the row that points at them is committed;
 * deletes remove rows in one transaction, then the files no row uses.
 */
import path from 'node:path';
import type { GalleryItem } from '../../src-shared/domain/gallery.js';
import type { GenerationMode, SamplerName } from '../../src-shared/domain/engine.js';
import { StudioError } from '../../src-shared/domain/errors.js';
import { openDatabase, type Db } from './database.js';
import { FileStore } from './file-store.js';

export interface NewGeneration {
  createdAt?: number;
  mode: GenerationMode | 'import';
  prompt: string;
  negativePrompt: string;
  modelName: string | null;
  modelHash: string | null;
  sampler: SamplerName | null;
  samplerLabel?: string | null;
  steps: number | null;
  cfgScale: number | null;
  seed: number | null;
  rng: string | null;
  width: number;
  height: number;
  strength: number | null;
  batchIndex: number;
  provider: string | null;
  engineVersion: string | null;
  runtimeVersion: string | null;
  durationMs: number | null;
  parentId: number | null;
  source: string;
  metadataJson: string | null;
  image: { bytes: Uint8Array; ext: 'png' | 'jpg' | 'webp' };
  initImage?: Uint8Array | null;
  mask?: Uint8Array | null;
}

export interface Row {
  id: number;
  created_at: number;
  mode: GalleryItem['mode'];
  prompt: string;
  negative_prompt: string;
  model_name: string | null;
  model_hash: string | null;
  sampler: SamplerName | null;
  sampler_label: string | null;
  steps: number | null;
  cfg_scale: number | null;
  seed: number | null;
  rng: string | null;
  width: number;
  height: number;
  strength: number | null;
  batch_index: number;
  provider: string | null;
  engine_version: string | null;
  runtime_version: string | null;
  duration_ms: number | null;
  image_file: string;
  init_image_file: string | null;
  mask_file: string | null;
  parent_id: number | null;
  favourite: number;
  source: string;
  metadata_json: string | null;
}

const FILE_COLUMNS = ['image_file', 'init_image_file', 'mask_file'] as const;

function extOf(bytes: Uint8Array): 'png' | 'jpg' | 'webp' {
  if (bytes[0] === 0x89 && bytes[1] === 0x50) return 'png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return 'jpg';
  return 'webp';
}

export class GalleryStore {
  readonly db: Db;
  readonly files: FileStore;
  private lastCreatedAt = 0;

  constructor(readonly dir: string) {
    this.db = openDatabase(path.join(dir, 'gallery.db'));
    this.files = new FileStore(dir);
  }

  close(): void {
    this.db.close();
  }

  /** Strictly increasing timestamps keep keyset pages stable for items made in the same millisecond. */
  private now(): number {
    this.lastCreatedAt = Math.max(Date.now(), this.lastCreatedAt + 1);
    return this.lastCreatedAt;
  }

  add(g: NewGeneration): number {
    // Files first (atomic, content-addressed), then the row: a crash in between leaves
    // only an orphan file, which reconciliation removes.
    const imageFile = this.files.put(g.image.bytes, g.image.ext);
    const initFile = g.initImage ? this.files.put(g.initImage, extOf(g.initImage)) : null;
    const maskFile = g.mask ? this.files.put(g.mask, extOf(g.mask)) : null;
    const existing = this.db.prepare('SELECT id FROM generations WHERE image_file = ?').get(imageFile) as
      | { id: number }
      | undefined;
    if (existing) return existing.id;
    const parentId = g.parentId !== null && this.exists(g.parentId) ? g.parentId : null;
    const info = this.db
      .prepare(
        `INSERT INTO generations (created_at, mode, prompt, negative_prompt, model_name, model_hash, sampler, sampler_label, steps, cfg_scale,
           seed, rng, width, height, strength, batch_index, provider, engine_version, runtime_version, duration_ms, image_file,
           init_image_file, mask_file, parent_id, source, metadata_json)
         VALUES (@createdAt, @mode, @prompt, @negativePrompt, @modelName, @modelHash, @sampler, @samplerLabel, @steps, @cfgScale,
           @seed, @rng, @width, @height, @strength, @batchIndex, @provider, @engineVersion, @runtimeVersion, @durationMs, @imageFile,
           @initFile, @maskFile, @parentId, @source, @metadataJson)`,
      )
      .run({
        ...g,
        samplerLabel: g.samplerLabel ?? g.sampler,
        createdAt: g.createdAt ?? this.now(),
        imageFile,
        initFile,
        maskFile,
        parentId,
        image: undefined,
        initImage: undefined,
        mask: undefined,
      });
    return Number(info.lastInsertRowid);
  }

  exists(id: number): boolean {
    return this.db.prepare('SELECT 1 FROM generations WHERE id = ?').get(id) !== undefined;
  }

  row(id: number): Row {
    const row = this.db.prepare('SELECT * FROM generations WHERE id = ?').get(id) as Row | undefined;
    if (!row) throw new StudioError('NOT_FOUND', `No gallery item ${id}`);
    return row;
  }

  get(id: number): GalleryItem {
    return this.toItems([this.row(id)])[0]!;
  }

  toItems(rows: Row[]): GalleryItem[] {
    if (rows.length === 0) return [];
    const tags = new Map<number, string[]>();
    const ids = rows.map((r) => r.id);
    const tagRows = this.db
      .prepare(
        `SELECT generation_id AS id, tag FROM tags WHERE generation_id IN (SELECT value FROM json_each(?)) ORDER BY tag`,
      )
      .all(JSON.stringify(ids)) as { id: number; tag: string }[];
    for (const t of tagRows) tags.set(t.id, [...(tags.get(t.id) ?? []), t.tag]);
    return rows.map((r) => ({
      id: r.id,
      createdAt: r.created_at,
      mode: r.mode,
      prompt: r.prompt,
      negativePrompt: r.negative_prompt,
      modelName: r.model_name,
      modelHash: r.model_hash,
      sampler: r.sampler,
      samplerLabel: r.sampler_label,
      steps: r.steps,
      cfgScale: r.cfg_scale,
      seed: r.seed,
      rng: r.rng,
      width: r.width,
      height: r.height,
      strength: r.strength,
      batchIndex: r.batch_index,
      provider: r.provider,
      engineVersion: r.engine_version,
      runtimeVersion: r.runtime_version,
      durationMs: r.duration_ms,
      parentId: r.parent_id,
      favourite: r.favourite === 1,
      tags: tags.get(r.id) ?? [],
      source: r.source,
      image: r.image_file,
      thumbnail: this.files.thumbnailRel(r.image_file),
      initImage: r.init_image_file,
      mask: r.mask_file,
    }));
  }

  update(id: number, patch: { favourite?: boolean; tags?: string[] }): GalleryItem {
    this.db.transaction(() => {
      this.row(id);
      if (patch.favourite !== undefined)
        this.db.prepare('UPDATE generations SET favourite = ? WHERE id = ?').run(patch.favourite ? 1 : 0, id);
      if (patch.tags) {
        this.db.prepare('DELETE FROM tags WHERE generation_id = ?').run(id);
        const insert = this.db.prepare('INSERT OR IGNORE INTO tags (generation_id, tag) VALUES (?, ?)');
        for (const tag of patch.tags) insert.run(id, tag.trim().toLowerCase());
      }
    })();
    return this.get(id);
  }

  /** Deletes rows in one transaction, then the files that no remaining row uses. */
  delete(ids: number[]): number {
    const files = new Set<string>();
    const deleted = this.db.transaction(() => {
      let n = 0;
      const select = this.db.prepare('SELECT image_file, init_image_file, mask_file FROM generations WHERE id = ?');
      const del = this.db.prepare('DELETE FROM generations WHERE id = ?');
      for (const id of ids) {
        const row = select.get(id) as Pick<Row, (typeof FILE_COLUMNS)[number]> | undefined;
        if (!row) continue;
        for (const c of FILE_COLUMNS) if (row[c]) files.add(row[c]);
        n += del.run(id).changes;
      }
      return n;
    })();
    for (const f of files) if (!this.fileInUse(f)) this.files.remove(f);
    return deleted;
  }

  fileInUse(rel: string): boolean {
    return (
      this.db
        .prepare('SELECT 1 FROM generations WHERE image_file = @f OR init_image_file = @f OR mask_file = @f LIMIT 1')
        .get({ f: rel }) !== undefined
    );
  }

  /** Parents up to the root (nearest first) and every descendant (breadth first). */
  lineage(id: number): { ancestors: GalleryItem[]; descendants: GalleryItem[] } {
    this.row(id);
    const ancestors = this.db
      .prepare(
        `WITH RECURSIVE up(id, depth) AS (
           SELECT parent_id, 1 FROM generations WHERE id = ? AND parent_id IS NOT NULL
           UNION ALL SELECT g.parent_id, up.depth + 1 FROM generations g JOIN up ON g.id = up.id WHERE g.parent_id IS NOT NULL AND up.depth < 1000
         ) SELECT g.* FROM up JOIN generations g ON g.id = up.id ORDER BY up.depth`,
      )
      .all(id) as Row[];
    const descendants = this.db
      .prepare(
        `WITH RECURSIVE down(id, depth) AS (
           SELECT id, 1 FROM generations WHERE parent_id = ?
           UNION ALL SELECT g.id, down.depth + 1 FROM generations g JOIN down ON g.parent_id = down.id WHERE down.depth < 1000
         ) SELECT g.* FROM down JOIN generations g ON g.id = down.id ORDER BY down.depth, g.created_at`,
      )
      .all(id) as Row[];
    return { ancestors: this.toItems(ancestors), descendants: this.toItems(descendants) };
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM generations').get() as { n: number }).n;
  }
}
