/**
 * The gallery: generations with every parameter, their files, tags and
 * lineage. Files are written before the row that points at them is committed;
 * deletes remove rows in one transaction, then the files no row uses.
 */
import path from 'node:path';
import type { GalleryItem } from '../../src-shared/domain/gallery.js';
import type { SizeConditioning } from '../../src-shared/domain/generation.js';
import { StudioError } from '../../src-shared/domain/errors.js';
import { openDatabase, type Db } from './database.js';
import { FileStore } from './file-store.js';

/**
 * Gallery item field -> column, for every field kept as a plain column: the
 * one mapping between the item and its row, used for inserts and reads.
 */
const COLUMNS = {
  createdAt: 'created_at',
  mode: 'mode',
  prompt: 'prompt',
  negativePrompt: 'negative_prompt',
  modelName: 'model_name',
  modelHash: 'model_hash',
  sampler: 'sampler',
  samplerLabel: 'sampler_label',
  steps: 'steps',
  cfgScale: 'cfg_scale',
  seed: 'seed',
  rng: 'rng',
  width: 'width',
  height: 'height',
  strength: 'strength',
  batchIndex: 'batch_index',
  provider: 'provider',
  engineVersion: 'engine_version',
  runtimeVersion: 'runtime_version',
  durationMs: 'duration_ms',
  parentId: 'parent_id',
  source: 'source',
  originalWidth: 'original_width',
  originalHeight: 'original_height',
  cropTop: 'crop_top',
  cropLeft: 'crop_left',
  variationSeed: 'variation_seed',
  variationStrength: 'variation_strength',
  hiresScale: 'hires_scale',
  hiresSteps: 'hires_steps',
  hiresDenoise: 'hires_denoise',
  hiresUpscaler: 'hires_upscaler',
  vae: 'vae',
  seedResizeFromWidth: 'seed_resize_from_width',
  seedResizeFromHeight: 'seed_resize_from_height',
  inpaintArea: 'inpaint_area',
  maskPadding: 'mask_padding',
} as const satisfies Partial<Record<keyof GalleryItem, string>>;
type ColumnField = keyof typeof COLUMNS;
const COLUMN_ENTRIES = Object.entries(COLUMNS) as [ColumnField, (typeof COLUMNS)[ColumnField]][];

/** Settings a generation may leave out (pictures from before they existed, other tools). */
type OptionalSetting =
  | 'variationSeed'
  | 'variationStrength'
  | 'hiresScale'
  | 'hiresSteps'
  | 'hiresDenoise'
  | 'hiresUpscaler'
  | 'vae'
  | 'seedResizeFromWidth'
  | 'seedResizeFromHeight'
  | 'inpaintArea'
  | 'maskPadding';

/** A generation to store: its record, the raw metadata text and the image files' bytes. */
export type NewGeneration = Omit<
  Pick<GalleryItem, ColumnField>,
  'createdAt' | 'samplerLabel' | keyof SizeConditioning | OptionalSetting
> &
  Partial<SizeConditioning> &
  Partial<Pick<GalleryItem, OptionalSetting>> & {
    createdAt?: number;
    /** Defaults to the sampler's own name. */
    samplerLabel?: string | null;
    metadataJson: string | null;
    image: { bytes: Uint8Array; ext: 'png' | 'jpg' | 'webp' };
    initImage?: Uint8Array | null;
    mask?: Uint8Array | null;
  };

/** A row of `generations` as SQLite returns it. */
export type Row = { [F in ColumnField as (typeof COLUMNS)[F]]: GalleryItem[F] } & {
  id: number;
  image_file: string;
  init_image_file: string | null;
  mask_file: string | null;
  favourite: number;
  metadata_json: string | null;
};

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

  /** The visible item whose picture is exactly these bytes, if any. */
  findByImage(bytes: Uint8Array, ext: 'png' | 'jpg' | 'webp'): number | null {
    const row = this.db
      .prepare('SELECT id FROM generations WHERE image_file = ? AND deleted_at IS NULL')
      .get(this.files.relFor(bytes, ext)) as { id: number } | undefined;
    return row?.id ?? null;
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
    if (existing) {
      // The same picture again (identical settings, a re-import): the one item, back from the trash if it was there.
      this.db.prepare('UPDATE generations SET deleted_at = NULL WHERE id = ?').run(existing.id);
      return existing.id;
    }
    const parentId = g.parentId !== null && this.exists(g.parentId) ? g.parentId : null;
    const values: Record<string, unknown> = {
      ...Object.fromEntries(COLUMN_ENTRIES.map(([field, column]) => [column, g[field as keyof NewGeneration] ?? null])),
      created_at: g.createdAt ?? this.now(),
      sampler_label: g.samplerLabel ?? g.sampler,
      parent_id: parentId,
      image_file: imageFile,
      init_image_file: initFile,
      mask_file: maskFile,
      metadata_json: g.metadataJson,
    };
    const names = Object.keys(values);
    const info = this.db
      .prepare(`INSERT INTO generations (${names.join(', ')}) VALUES (${names.map((n) => `@${n}`).join(', ')})`)
      .run(values);
    return Number(info.lastInsertRowid);
  }

  exists(id: number): boolean {
    return this.db.prepare('SELECT 1 FROM generations WHERE id = ? AND deleted_at IS NULL').get(id) !== undefined;
  }

  /** A visible item's row (items in the trash are not found). */
  row(id: number): Row {
    const row = this.db.prepare('SELECT * FROM generations WHERE id = ? AND deleted_at IS NULL').get(id) as
      | Row
      | undefined;
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
      ...(Object.fromEntries(COLUMN_ENTRIES.map(([field, column]) => [field, r[column]])) as Pick<
        GalleryItem,
        ColumnField
      >),
      favourite: r.favourite === 1,
      tags: tags.get(r.id) ?? [],
      image: r.image_file,
      thumbnail: this.files.thumbnailRel(r.image_file),
      initImage: r.init_image_file,
      mask: r.mask_file,
    }));
  }

  /** Makes items children of another (a plot's cells of its grid). */
  setParent(ids: readonly number[], parentId: number): void {
    const stmt = this.db.prepare('UPDATE generations SET parent_id = ? WHERE id = ? AND id != ?');
    this.db.transaction(() => {
      for (const id of ids) stmt.run(parentId, id, parentId);
    })();
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

  /** Moves items to the trash (one transaction): they vanish from every view at once; `restore` brings them back. */
  delete(ids: number[]): number {
    const trash = this.db.prepare('UPDATE generations SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL');
    const now = Date.now();
    return this.db.transaction(() => ids.reduce((n, id) => n + trash.run(now, id).changes, 0))();
  }

  restore(ids: number[]): number {
    const back = this.db.prepare('UPDATE generations SET deleted_at = NULL WHERE id = ? AND deleted_at IS NOT NULL');
    return this.db.transaction(() => ids.reduce((n, id) => n + back.run(id).changes, 0))();
  }

  /** Removes for good what has been in the trash longer than `graceMs`: rows in one transaction, then unused files. */
  purge(graceMs: number): number {
    const files = new Set<string>();
    const purged = this.db.transaction(() => {
      const rows = this.db
        .prepare('SELECT id, image_file, init_image_file, mask_file FROM generations WHERE deleted_at < ?')
        .all(Date.now() - graceMs) as (Pick<Row, (typeof FILE_COLUMNS)[number]> & { id: number })[];
      const del = this.db.prepare('DELETE FROM generations WHERE id = ?');
      for (const row of rows) {
        for (const c of FILE_COLUMNS) if (row[c]) files.add(row[c]);
        del.run(row.id);
      }
      return rows.length;
    })();
    for (const f of files) if (!this.fileInUse(f)) this.files.remove(f);
    return purged;
  }

  fileInUse(rel: string): boolean {
    return (
      this.db
        .prepare('SELECT 1 FROM generations WHERE image_file = @f OR init_image_file = @f OR mask_file = @f LIMIT 1')
        .get({ f: rel }) !== undefined
    );
  }

  /** Parents up to the root (nearest first) and every descendant (breadth first). */
  /** Prompt history: distinct prompts, newest use first, with the negative prompt of that use. */
  recentPrompts(
    query: string | undefined,
    limit: number,
  ): { prompt: string; negativePrompt: string; lastUsed: number }[] {
    const like = query?.trim() ? `%${query.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
    return this.db
      .prepare(
        `SELECT g.prompt AS prompt, g.negative_prompt AS negativePrompt, g.created_at AS lastUsed
           FROM generations g
           JOIN (SELECT prompt, MAX(id) AS id FROM generations
                  WHERE deleted_at IS NULL AND prompt <> '' ${like ? "AND prompt LIKE @like ESCAPE '\\'" : ''}
                  GROUP BY prompt) latest ON latest.id = g.id
          ORDER BY g.created_at DESC, g.id DESC
          LIMIT @limit`,
      )
      .all({ limit, ...(like ? { like } : {}) }) as { prompt: string; negativePrompt: string; lastUsed: number }[];
  }

  lineage(id: number): { ancestors: GalleryItem[]; descendants: GalleryItem[] } {
    this.row(id);
    const ancestors = this.db
      .prepare(
        `WITH RECURSIVE up(id, depth) AS (
           SELECT parent_id, 1 FROM generations WHERE id = ? AND parent_id IS NOT NULL
           UNION ALL SELECT g.parent_id, up.depth + 1 FROM generations g JOIN up ON g.id = up.id WHERE g.parent_id IS NOT NULL AND up.depth < 1000
         ) SELECT g.* FROM up JOIN generations g ON g.id = up.id WHERE g.deleted_at IS NULL ORDER BY up.depth`,
      )
      .all(id) as Row[];
    const descendants = this.db
      .prepare(
        `WITH RECURSIVE down(id, depth) AS (
           SELECT id, 1 FROM generations WHERE parent_id = ?
           UNION ALL SELECT g.id, down.depth + 1 FROM generations g JOIN down ON g.parent_id = down.id WHERE down.depth < 1000
         ) SELECT g.* FROM down JOIN generations g ON g.id = down.id WHERE g.deleted_at IS NULL ORDER BY down.depth, g.created_at`,
      )
      .all(id) as Row[];
    return { ancestors: this.toItems(ancestors), descendants: this.toItems(descendants) };
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM generations WHERE deleted_at IS NULL').get() as { n: number }).n;
  }
}
