/**
 * The gallery's operations as the app uses them: saving finished engine
 * images, importing other tools' images, exporting with or without metadata,
 * and remixing (everything needed to load an item back into Generate).
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { GenerationParams } from '../../src-shared/domain/engine.js';
import type { GalleryItem, ImportResult, RemixParams } from '../../src-shared/domain/gallery.js';
import {
  type GenerationFacts,
  pickFields,
  pickSettings,
  RECORDED_SETTING_NAMES,
} from '../../src-shared/domain/generation.js';
import { StudioError } from '../../src-shared/domain/errors.js';
import { readTextChunks, readTextChunksWithLimits, withoutMetadata } from '../pngmeta/png-chunks.js';
import { type ImageMetadata, readImageMetadata, UnreadableImageError } from '../pngmeta/read-image-metadata.js';
import { STUDIO_CHUNK } from '../pngmeta/studio-metadata.js';
import { MAX_IMAGE_FILE_BYTES, readRegularFile } from '../read-limited.js';
import { GalleryStore } from './gallery-store.js';
import { acquireLease, type Lease } from './owner-lease.js';
import { reconcile, type ReconcileReport } from './reconcile.js';

export const IMPORTABLE = /\.(png|jpe?g|webp)$/i;

/** What an import did, file by file (the contract's gallery.import result). */
export type ImportOutcome = ImportResult;

/** How long a deleted item can be restored (the UI offers Undo for a few seconds). */
export const TRASH_GRACE_MS = 60_000;

export interface GalleryOpenOptions {
  /**
   * 'owner' (the app, `studio serve`): takes the folder's lease while open and,
   * holding it, reconciles files and rows. 'guest' (command-line imports and
   * searches): never reconciles, so it never removes what the owner is writing.
   */
  role: 'owner' | 'guest';
}

export class GalleryService {
  readonly store: GalleryStore;
  /** What start-up reconciliation repaired; null when this process does not own the folder. */
  readonly reconciled: ReconcileReport | null;
  private readonly lease: Lease | null;

  constructor(dir: string, opts: GalleryOpenOptions = { role: 'guest' }) {
    this.store = new GalleryStore(dir);
    this.lease = opts.role === 'owner' ? acquireLease(dir) : null;
    this.reconciled = this.lease ? reconcile(this.store) : null;
    if (this.lease) this.store.purge(TRASH_GRACE_MS);
  }

  close(): void {
    this.lease?.release();
    this.store.close();
  }

  /**
   * Saves one finished engine image: its job's request, the engine's facts
   * about the run (model hash, provider, versions) and the PNG it wrote.
   */
  async saveGenerated(
    params: GenerationParams,
    image: { seed: number; index: number; width: number; height: number; png: Uint8Array; facts: GenerationFacts },
    durationMs: number | null,
  ): Promise<number> {
    const { facts } = image;
    const id = this.store.add({
      ...pickSettings({ ...params, seed: image.seed }),
      // The size the settings ask for (A1111's Size); a hires-fixed picture's pixels are larger.
      width: params.width,
      height: params.height,
      strength: params.mode === 'txt2img' ? null : params.strength,
      modelName: facts.modelName,
      modelHash: facts.modelHash,
      batchIndex: image.index,
      provider: facts.provider,
      engineVersion: facts.engineVersion,
      runtimeVersion: `onnxruntime-node ${facts.runtimeVersion}`,
      durationMs,
      parentId: params.parentId ?? null,
      source: 'latent-studio',
      metadataJson: readTextChunks(image.png)[STUDIO_CHUNK] ?? null,
      image: { bytes: image.png, ext: 'png' },
      initImage: params.initImage ? Buffer.from(params.initImage, 'base64') : null,
      mask: params.mask ? Buffer.from(params.mask, 'base64') : null,
    });
    await this.store.files.thumbnail(this.store.row(id).image_file).catch(() => {});
    return id;
  }

  /**
   * A picture made from gallery items rather than generated (an upscale, a
   * plot's grid): the settings of the item it comes from (remixing it makes
   * that item's picture again), its source, and what was done as metadata.
   */
  private async saveDerived(
    from: GalleryItem,
    png: Buffer,
    how: {
      source: string;
      parentId: number | null;
      metadata: object;
      durationMs: number | null;
      /** Items that become its children, linked before anything else can see it (a plot's cells). */
      children?: readonly number[];
    },
  ): Promise<number> {
    const id = this.store.add({
      ...pickFields(from, RECORDED_SETTING_NAMES),
      mode: from.mode,
      modelName: from.modelName,
      modelHash: from.modelHash,
      batchIndex: 0,
      provider: null,
      engineVersion: from.engineVersion,
      runtimeVersion: from.runtimeVersion,
      durationMs: how.durationMs,
      parentId: how.parentId,
      source: how.source,
      metadataJson: JSON.stringify(how.metadata),
      image: { bytes: png, ext: 'png' },
      initImage: null,
      mask: null,
    });
    // No await between the row and its links: a search never sees the grid without its cells.
    if (how.children) this.store.setParent(how.children, id);
    await this.store.files.thumbnail(this.store.row(id).image_file).catch(() => {});
    return id;
  }

  /** An upscaled picture of item `parentId`, saved as its child (see saveDerived). */
  saveUpscaled(
    parentId: number,
    png: Buffer,
    done: { upscaler: string; scale: number; how: string },
    durationMs: number,
  ): Promise<number> {
    return this.saveDerived(this.store.get(parentId), png, {
      source: 'upscale',
      parentId,
      metadata: { upscale: done },
      durationMs,
    });
  }

  /** An X/Y/Z plot's grid picture, with the first cell's settings and the axes; the cells become its children. */
  saveGrid(
    cellIds: readonly number[],
    png: Buffer,
    axes: { x: string | null; y: string | null; z: string | null },
  ): Promise<number> {
    return this.saveDerived(this.store.get(cellIds[0]!), png, {
      source: 'plot',
      parentId: null,
      metadata: { plot: axes },
      durationMs: null,
      children: cellIds,
    });
  }

  /** Imports one picture; `existed` when the very same file was already in the gallery (nothing is added). */
  async importBytes(name: string, bytes: Uint8Array): Promise<{ id: number; source: string; existed: boolean }> {
    let meta: ImageMetadata;
    try {
      meta = await readImageMetadata(bytes);
    } catch (err) {
      if (err instanceof UnreadableImageError) throw new StudioError('INVALID_INPUT', `${name}: ${err.message}`);
      throw err;
    }
    const s = meta.studio;
    const ext = meta.format === 'jpeg' ? 'jpg' : meta.format;
    const existing = this.store.findByImage(bytes, ext);
    if (existing !== null) return { id: existing, source: meta.source, existed: true };
    const id = this.store.add({
      mode: s ? s.mode : 'import',
      prompt: meta.prompt,
      negativePrompt: meta.negativePrompt,
      modelName: meta.model,
      modelHash: meta.modelHash,
      sampler: meta.sampler,
      samplerLabel: meta.samplerLabel,
      steps: meta.steps,
      cfgScale: meta.cfgScale,
      seed: meta.seed !== null && Number.isSafeInteger(meta.seed) ? meta.seed : null,
      rng: meta.rng,
      width: meta.width,
      height: meta.height,
      strength: meta.strength,
      batchIndex: s?.batchIndex ?? 0,
      provider: s?.engine.provider ?? null,
      engineVersion: s?.engine.app ?? null,
      runtimeVersion: s ? `onnxruntime-node ${s.engine.onnxruntime}` : null,
      durationMs: null,
      parentId: null,
      source: meta.source,
      metadataJson: Object.keys(meta.raw).length ? JSON.stringify(meta.raw) : null,
      image: { bytes, ext },
    });
    await this.store.files.thumbnail(this.store.row(id).image_file).catch(() => {});
    return { id, source: meta.source, existed: false };
  }

  async importFiles(files: { name: string; bytes: Uint8Array }[]): Promise<ImportOutcome> {
    const out: ImportOutcome = { imported: [], failed: [] };
    for (const f of files) {
      try {
        out.imported.push({ name: f.name, ...(await this.importBytes(f.name, f.bytes)) });
      } catch (err) {
        out.failed.push({ name: f.name, reason: (err as Error).message });
      }
    }
    return out;
  }

  /** Files and folders (recursively) from disk: the command line's `studio import`. */
  async importPaths(paths: string[], onEach?: (done: number) => void): Promise<ImportOutcome> {
    const out: ImportOutcome = { imported: [], failed: [] };
    const walk = function* (p: string): Generator<string> {
      const st = fs.statSync(p, { throwIfNoEntry: false });
      if (!st) return;
      if (st.isDirectory()) for (const e of fs.readdirSync(p).sort()) yield* walk(path.join(p, e));
      else if (IMPORTABLE.test(p)) yield p; // read with limits below: a device or FIFO is refused there
    };
    for (const p of paths) {
      if (!fs.existsSync(p)) {
        out.failed.push({ name: p, reason: 'no such file or folder' });
        continue;
      }
      for (const file of walk(p)) {
        try {
          const bytes = readRegularFile(file, MAX_IMAGE_FILE_BYTES);
          out.imported.push({ name: file, ...(await this.importBytes(path.basename(file), bytes)) });
        } catch (err) {
          out.failed.push({ name: file, reason: (err as Error).message });
        }
        onEach?.(out.imported.length + out.failed.length);
      }
    }
    return out;
  }

  /** The images of a selection, with their metadata or stripped of it (privacy). */
  async export(ids: number[], withMetadata: boolean): Promise<{ name: string; data: Buffer }[]> {
    const out: { name: string; data: Buffer }[] = [];
    for (const id of ids) {
      const row = this.store.row(id);
      const bytes = fs.readFileSync(this.store.files.abs(row.image_file));
      const ext = path.extname(row.image_file);
      let data: Buffer;
      if (withMetadata) data = bytes;
      else if (ext === '.png') data = withoutMetadata(bytes);
      else
        data = await sharp(bytes)
          .toFormat(ext === '.jpg' ? 'jpeg' : 'webp', { quality: 95 })
          .toBuffer(); // sharp drops metadata unless asked
      out.push({ name: `latent-studio-${id}${ext}`, data });
    }
    return out;
  }

  remix(id: number): { parentId: number; params: RemixParams } {
    const item = this.store.get(id);
    const readB64 = (rel: string | null) =>
      rel && this.store.files.exists(rel) ? fs.readFileSync(this.store.files.abs(rel)).toString('base64') : null;
    return {
      parentId: id,
      params: {
        ...pickFields(item, RECORDED_SETTING_NAMES),
        model: item.modelName,
        mode: item.mode === 'import' ? 'txt2img' : item.mode,
        initImage: readB64(item.initImage),
        mask: readB64(item.mask),
      },
    };
  }

  getWithMetadata(id: number): GalleryItem & { metadataText: string | null } {
    const item = this.store.get(id);
    const row = this.store.row(id);
    let metadataText: string | null = null;
    if (path.extname(row.image_file) === '.png' && this.store.files.exists(row.image_file)) {
      const { texts, cut } = readTextChunksWithLimits(fs.readFileSync(this.store.files.abs(row.image_file)));
      metadataText = texts.parameters ?? (Object.keys(texts).length ? JSON.stringify(texts, null, 2) : null);
      if (cut.length) metadataText = [metadataText, ...cut.map((c) => `[${c}]`)].filter(Boolean).join('\n');
    } else if (row.metadata_json) {
      metadataText = row.metadata_json;
    }
    return { ...item, metadataText };
  }
}
