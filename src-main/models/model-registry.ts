/**
 * The models the studio knows: every folder in the user's models folder and
 * the app's built-in one, described without loading it (family, precision,
 * size, hash, supported or why not). Broken folders are listed with the
 * reason, never dropped. Hashes are cached by file size and mtime.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ModelEntry } from '../../src-shared/domain/models.js';
import { StudioError, isStudioError } from '../../src-shared/domain/errors.js';
import {
  readModelFolder,
  describeModel,
  readTextEncoder,
  readUnet,
  hashModelFolder,
  shortHash,
} from '../engine/index.js';
import { HashCache } from './hash-cache.js';
import { readOnnxSignature } from './onnx-signature.js';

export interface ModelRoot {
  dir: string;
  source: 'user' | 'builtin';
}

const NAME = /^[\w][\w.\- ]{0,199}$/;

export function assertModelName(name: string): void {
  if (!NAME.test(name) || name.includes('..'))
    throw new StudioError('INVALID_INPUT', `Invalid model name ${JSON.stringify(name)}`);
}

export function folderSize(dir: string): number {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) total += folderSize(p);
    else if (e.isFile()) total += fs.statSync(p).size;
  }
  return total;
}

/** Whether a folder looks like a model export at all (so stray folders are not listed). */
function looksLikeModel(dir: string): boolean {
  return ['unet', 'model_index.json', 'text_encoder'].some((p) => fs.existsSync(path.join(dir, p)));
}

/** The sub-folders a diffusers/optimum export may hold; anything else means the folder is not only a model. */
const MODEL_SUBFOLDERS = new Set([
  'unet',
  'text_encoder',
  'text_encoder_2',
  'tokenizer',
  'tokenizer_2',
  'vae_decoder',
  'vae_encoder',
  'vae',
  'scheduler',
  'safety_checker',
  'feature_extractor',
  'image_encoder',
]);

/**
 * Whether a folder is a model and nothing else, so that removing it cannot
 * take a user's other files with it: it looks like a model and every
 * sub-folder is a model part (files beside them, like a README, are fine).
 */
export function isWholeModelFolder(dir: string): boolean {
  if (!looksLikeModel(dir)) return false;
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .every((e) => !e.isDirectory() || MODEL_SUBFOLDERS.has(e.name) || e.name.startsWith('.'));
}

/** Reads what a model folder is, without creating a session. */
export function inspectModel(dir: string): Omit<ModelEntry, 'name' | 'source' | 'hash' | 'linked'> {
  const base = {
    family: null,
    inpainting: false,
    precision: null,
    predictionType: null,
    nativeSize: null,
    sizeMultiple: 8,
    sizeBytes: 0,
  } as const;
  let size = 0;
  try {
    size = folderSize(dir);
    const folder = readModelFolder(dir);
    const unetIo = readOnnxSignature(folder.files.unet!);
    const teIo = readOnnxSignature(folder.files.text_encoder!);
    const te2 = folder.files.text_encoder_2 ? readTextEncoder(readOnnxSignature(folder.files.text_encoder_2)) : null;
    const d = describeModel(folder, readTextEncoder(teIo), readUnet(unetIo), te2);
    return {
      family: d.family,
      inpainting: d.inpainting,
      precision: d.precision,
      predictionType: d.predictionType,
      nativeSize: d.nativeSize,
      sizeMultiple: 8 * (d.latentMultiple ?? 1),
      sizeBytes: size,
      problem: null,
    };
  } catch (err) {
    const problem = isStudioError(err) ? err.message : `unreadable: ${(err as Error).message}`;
    return { ...base, sizeBytes: size, problem };
  }
}

export class ModelRegistry {
  private readonly hashes: HashCache;

  constructor(
    dataDir: string,
    private readonly roots: () => ModelRoot[],
  ) {
    this.hashes = new HashCache(path.join(dataDir, 'model-hashes.json'));
  }

  private hashKey(dir: string): string | null {
    try {
      const unet = path.join(dir, 'unet');
      const parts = fs
        .readdirSync(unet)
        .sort()
        .map((f) => {
          const st = fs.statSync(path.join(unet, f));
          return `${f}:${st.size}:${Math.round(st.mtimeMs)}`;
        });
      return `${fs.realpathSync(dir)}|${parts.join(',')}`;
    } catch {
      return null;
    }
  }

  /** The cached short hash, or null (and computes it in the background). */
  cachedHash(dir: string): string | null {
    const key = this.hashKey(dir);
    return key ? this.hashes.cached(key, () => hashModelFolder(dir).then(shortHash)) : null;
  }

  async hash(dir: string): Promise<string | null> {
    const key = this.hashKey(dir);
    return key ? this.hashes.get(key, () => hashModelFolder(dir).then(shortHash)) : null;
  }

  list(): ModelEntry[] {
    const seen = new Set<string>();
    const out: ModelEntry[] = [];
    for (const root of this.roots()) {
      if (!fs.existsSync(root.dir)) continue;
      for (const entry of fs.readdirSync(root.dir, { withFileTypes: true })) {
        const full = path.join(root.dir, entry.name);
        if (!NAME.test(entry.name) || seen.has(entry.name)) continue;
        const isDir =
          entry.isDirectory() ||
          (entry.isSymbolicLink() && fs.statSync(full, { throwIfNoEntry: false })?.isDirectory());
        if (!isDir || !looksLikeModel(full)) continue;
        seen.add(entry.name);
        const info = inspectModel(full);
        out.push({
          name: entry.name,
          source: root.source,
          ...info,
          hash: info.problem ? null : this.cachedHash(full),
          linked: entry.isSymbolicLink(),
        });
      }
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  find(name: string): string {
    assertModelName(name);
    for (const root of this.roots()) {
      const dir = path.join(root.dir, name);
      if (fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) return dir;
    }
    throw new StudioError('MODEL_NOT_FOUND', `No model named "${name}" in the models folder`);
  }
}
