/**
 * The gallery's operations as the app uses them: saving finished engine
 * images, importing other tools' images, exporting with or without metadata,
 * and remixing (everything needed to load an item back into Generate).
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { GenerationParams } from '../../src-shared/domain/engine.js';
import type { GalleryItem } from '../../src-shared/domain/gallery.js';
import { StudioError } from '../../src-shared/domain/errors.js';
import { readTextChunks, withoutMetadata } from '../pngmeta/png-chunks.js';
import { type ImageMetadata, readImageMetadata, UnreadableImageError } from '../pngmeta/read-image-metadata.js';
import { STUDIO_CHUNK, zStudioMetadata } from '../pngmeta/studio-metadata.js';
import { GalleryStore } from './gallery-store.js';
import { reconcile, type ReconcileReport } from './reconcile.js';

export const IMPORTABLE = /\.(png|jpe?g|webp)$/i;

export interface ImportOutcome {
  imported: { name: string; id: number; source: string }[];
  failed: { name: string; reason: string }[];
}

export class GalleryService {
  readonly store: GalleryStore;
  readonly reconciled: ReconcileReport;

  constructor(dir: string) {
    this.store = new GalleryStore(dir);
    this.reconciled = reconcile(this.store);
  }

  close(): void {
    this.store.close();
  }

  /** Saves one finished engine image with the parameters of its job. */
  async saveGenerated(
    params: GenerationParams,
    image: { seed: number; index: number; width: number; height: number; png: Uint8Array },
    durationMs: number | null,
  ): Promise<number> {
    const chunk = readTextChunks(image.png)[STUDIO_CHUNK];
    const meta = chunk ? zStudioMetadata.safeParse(JSON.parse(chunk)) : null;
    const m = meta?.success ? meta.data : null;
    const id = this.store.add({
      mode: params.mode,
      prompt: params.prompt,
      negativePrompt: params.negativePrompt,
      modelName: params.model,
      modelHash: m?.model.hash ?? null,
      sampler: params.sampler,
      steps: params.steps,
      cfgScale: params.cfgScale,
      seed: image.seed,
      rng: params.rng,
      width: image.width,
      height: image.height,
      strength: params.mode === 'txt2img' ? null : params.strength,
      batchIndex: image.index,
      provider: m?.engine.provider ?? null,
      engineVersion: m?.engine.app ?? null,
      runtimeVersion: m ? `onnxruntime-node ${m.engine.onnxruntime}` : null,
      durationMs,
      parentId: params.parentId ?? null,
      source: 'latent-studio',
      metadataJson: chunk ?? null,
      image: { bytes: image.png, ext: 'png' },
      initImage: params.initImage ? Buffer.from(params.initImage, 'base64') : null,
      mask: params.mask ? Buffer.from(params.mask, 'base64') : null,
    });
    await this.store.files.thumbnail(this.store.row(id).image_file).catch(() => {});
    return id;
  }

  async importBytes(name: string, bytes: Uint8Array): Promise<{ id: number; source: string }> {
    let meta: ImageMetadata;
    try {
      meta = await readImageMetadata(bytes);
    } catch (err) {
      if (err instanceof UnreadableImageError) throw new StudioError('INVALID_INPUT', `${name}: ${err.message}`);
      throw err;
    }
    const s = meta.studio;
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
      image: { bytes, ext: meta.format === 'jpeg' ? 'jpg' : meta.format },
    });
    await this.store.files.thumbnail(this.store.row(id).image_file).catch(() => {});
    return { id, source: meta.source };
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
      else if (IMPORTABLE.test(p)) yield p;
    };
    for (const p of paths) {
      if (!fs.existsSync(p)) {
        out.failed.push({ name: p, reason: 'no such file or folder' });
        continue;
      }
      for (const file of walk(p)) {
        try {
          out.imported.push({ name: file, ...(await this.importBytes(path.basename(file), fs.readFileSync(file))) });
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

  remix(id: number) {
    const row = this.store.row(id);
    const readB64 = (rel: string | null) =>
      rel && this.store.files.exists(rel) ? fs.readFileSync(this.store.files.abs(rel)).toString('base64') : null;
    return {
      parentId: id,
      params: {
        model: row.model_name,
        mode: row.mode === 'import' ? ('txt2img' as const) : row.mode,
        prompt: row.prompt,
        negativePrompt: row.negative_prompt,
        sampler: row.sampler,
        steps: row.steps,
        cfgScale: row.cfg_scale,
        seed: row.seed,
        rng: row.rng === 'cpu' || row.rng === 'gpu' ? (row.rng as 'cpu' | 'gpu') : null,
        width: row.width,
        height: row.height,
        strength: row.strength,
        initImage: readB64(row.init_image_file),
        mask: readB64(row.mask_file),
      },
    };
  }

  getWithMetadata(id: number): GalleryItem & { metadataText: string | null } {
    const item = this.store.get(id);
    const row = this.store.row(id);
    let metadataText: string | null = null;
    if (path.extname(row.image_file) === '.png' && this.store.files.exists(row.image_file)) {
      const chunks = readTextChunks(fs.readFileSync(this.store.files.abs(row.image_file)));
      metadataText = chunks.parameters ?? (Object.keys(chunks).length ? JSON.stringify(chunks, null, 2) : null);
    } else if (row.metadata_json) {
      metadataText = row.metadata_json;
    }
    return { ...item, metadataText };
  }
}
