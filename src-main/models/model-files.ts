/**
 * The Models page's view of the models folder's single files: size, the
 * family each fits and A1111's short hash. Hashes are computed in the
 * background (a checkpoint is gigabytes) and cached by path, size and time.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { isStudioError } from '../../src-shared/domain/errors.js';
import { MODEL_FILE_KINDS, type ModelFile, type ModelFileKind } from '../../src-shared/domain/models.js';
import { embeddingFamily, loraFamily, openCheckpoint, SafetensorsFile } from '../engine/index.js';
import { HashCache } from './hash-cache.js';
import { FILE_OF, networkFiles } from './networks.js';

/** Hex digits A1111 shows per kind: 12 for LoRAs and embeddings, 10 for checkpoints, VAEs and the rest. */
const HASH_DIGITS: Record<ModelFileKind, number> = {
  checkpoints: 10,
  loras: 12,
  embeddings: 12,
  vae: 10,
  upscalers: 10,
};

function familyOf(kind: ModelFileKind, file: string): { family: string | null; problem: string | null } {
  try {
    if (kind === 'loras') return { family: loraFamily(file), problem: null };
    if (kind === 'embeddings') return { family: embeddingFamily(file), problem: null };
    if (kind === 'checkpoints') {
      const source = openCheckpoint(file);
      return { family: source.inpainting ? `${source.family}-inpainting` : source.family, problem: null };
    }
    if (kind === 'vae') SafetensorsFile.open(file);
    return { family: null, problem: null };
  } catch (err) {
    return { family: null, problem: isStudioError(err) ? err.message : (err as Error).message };
  }
}

function sha256Of(file: string, start: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = crypto.createHash('sha256');
    fs.createReadStream(file, { start })
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}

export class ModelFiles {
  private readonly hashes: HashCache;

  constructor(
    dataDir: string,
    private readonly modelsDir: () => string,
  ) {
    this.hashes = new HashCache(path.join(dataDir, 'file-hashes.json'));
  }

  /** The short hash once known; null while it is computed in the background. */
  private cachedHash(kind: ModelFileKind, file: string): string | null {
    const st = fs.statSync(file);
    const key = `${kind}|${fs.realpathSync(file)}|${st.size}|${Math.round(st.mtimeMs)}`;
    return this.hashes.cached(key, async () => {
      // A LoRA's hash skips the header (the "addnet" hash A1111 writes in Lora hashes).
      const start = kind === 'loras' && FILE_OF.loras.test(file) ? SafetensorsFile.open(file).dataStart : 0;
      return (await sha256Of(file, start)).slice(0, HASH_DIGITS[kind]);
    });
  }

  list(): ModelFile[] {
    const out: ModelFile[] = [];
    for (const kind of MODEL_FILE_KINDS) {
      for (const [name, file] of networkFiles(this.modelsDir(), kind)) {
        const { family, problem } = familyOf(kind, file);
        out.push({
          kind,
          name,
          file: path.basename(file),
          sizeBytes: fs.statSync(file).size,
          hash: problem ? null : this.cachedHash(kind, file),
          family,
          problem,
        });
      }
    }
    return out.sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
  }
}
