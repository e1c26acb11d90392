/**
 * The single files of the models folder, each kind in its own sub-folder as
 * A1111 keeps them: `checkpoints/` (to convert), `loras/`, `embeddings/`,
 * `vae/` and `upscalers/`. Matched to what a generation asks for: each
 * `<lora:NAME:WEIGHT>` names a file in `loras/`, every embedding whose name
 * appears as a word in either prompt is applied, the chosen VAE is a file of `vae/`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { StudioError } from '../../src-shared/domain/errors.js';
import type { ModelFileKind } from '../../src-shared/domain/models.js';
import { embeddingFamily, loraFamily, loraFileFormat, loraTags, type ModelAdditions } from '../engine/index.js';
import { previewNames, previewThumbnail } from './network-previews.js';

export const LORAS_DIR = 'loras';
export const EMBEDDINGS_DIR = 'embeddings';
export const VAE_DIR = 'vae';
export const CHECKPOINTS_DIR = 'checkpoints';
/** ONNX upscalers (ESRGAN family) for `studio upscale`. */
export const UPSCALERS_DIR = 'upscalers';

/** The files each kind's folder holds. */
export const FILE_OF: Record<ModelFileKind, RegExp> = {
  checkpoints: /\.safetensors$/i,
  loras: /\.safetensors$/i,
  embeddings: /\.(safetensors|pt|bin)$/i,
  vae: /\.safetensors$/i,
  upscalers: /\.onnx$/i,
};

/** The files of one kind in the models folder, by name (the file's stem). */
export function networkFiles(modelsDir: string, kind: ModelFileKind): Map<string, string> {
  const dir = path.join(modelsDir, kind);
  const out = new Map<string, string>();
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.') || !FILE_OF[kind].test(e.name)) continue;
    const file = path.join(dir, e.name);
    if (e.isFile() || (e.isSymbolicLink() && fs.statSync(file, { throwIfNoEntry: false })?.isFile()))
      out.set(e.name.replace(FILE_OF[kind], ''), file);
  }
  return out;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** What a generation asks to apply; a LoRA or VAE the folder lacks is an error naming it. */
export function additionsForPrompts(
  modelsDir: string,
  prompt: string,
  negative: string,
  vae: string | null = null,
): ModelAdditions {
  const loraFiles = networkFiles(modelsDir, LORAS_DIR);
  const loras = loraTags(prompt).map((tag) => {
    const file = loraFiles.get(tag.name);
    if (!file)
      throw new StudioError('INVALID_INPUT', `LoRA "${tag.name}" is not in the models folder's ${LORAS_DIR}/ folder`);
    return { file, weight: tag.weight };
  });
  const text = `${prompt}\n${negative}`;
  const embeddings = [...networkFiles(modelsDir, EMBEDDINGS_DIR)]
    .filter(([name]) => new RegExp(`(^|[^\\w-])${escapeRegExp(name)}($|[^\\w-])`, 'i').test(text))
    .map(([, file]) => file);
  let vaeFile: string | undefined;
  if (vae) {
    vaeFile = networkFiles(modelsDir, VAE_DIR).get(vae.replace(FILE_OF.vae, ''));
    if (!vaeFile)
      throw new StudioError('INVALID_INPUT', `VAE "${vae}" is not in the models folder's ${VAE_DIR}/ folder`);
  }
  return { loras, embeddings, ...(vaeFile ? { vae: vaeFile } : {}) };
}

/** An upscaler given on the command line: an .onnx file, or one of `upscalers/` by name; its name and file. */
export function upscalerFileOrName(modelsDir: string, given: string): { name: string; file: string } {
  if (fs.statSync(given, { throwIfNoEntry: false })?.isFile())
    return { name: path.basename(given).replace(FILE_OF.upscalers, ''), file: path.resolve(given) };
  return { name: given, file: upscalerFile(modelsDir, given) };
}

/** An ONNX upscaler of `upscalers/` by name (A1111's names match the file's stem, any case); an error naming it otherwise. */
export function upscalerFile(modelsDir: string, name: string): string {
  const files = networkFiles(modelsDir, UPSCALERS_DIR);
  const stem = name.replace(FILE_OF.upscalers, '');
  const found = files.get(stem) ?? [...files].find(([n]) => n.toLowerCase() === stem.toLowerCase())?.[1];
  if (!found)
    throw new StudioError(
      'INVALID_INPUT',
      `Upscaler "${name}" is not in the models folder's ${UPSCALERS_DIR}/ folder (or choose Latent or Lanczos)`,
    );
  return found;
}

/** The pickers' kinds with their sizes (and, for LoRAs and embeddings, a preview's thumbnail), for the Generate page. */
export async function listNetworks(
  modelsDir: string,
): Promise<
  Record<
    'loras' | 'embeddings' | 'upscalers' | 'vae',
    { name: string; sizeBytes: number; thumbnail: string | null; family: string | null; format: string | null }[]
  >
> {
  /** `read` tells the family (and the format) from a file's header. */
  const list = (
    kind: ModelFileKind,
    read?: { family: (file: string) => string | null; format?: (file: string) => string },
  ) =>
    Promise.all(
      [...networkFiles(modelsDir, kind)]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(async ([name, file]) => ({
          name,
          sizeBytes: fs.statSync(file).size,
          thumbnail: read ? await previewThumbnail(path.join(modelsDir, kind), name) : null,
          family: read ? orNull(read.family, file) : null,
          format: read?.format ? orNull(read.format, file) : null,
        })),
    );
  return {
    loras: await list(LORAS_DIR, { family: loraFamily, format: loraFileFormat }),
    embeddings: await list(EMBEDDINGS_DIR, { family: embeddingFamily }),
    upscalers: await list(UPSCALERS_DIR),
    vae: await list(VAE_DIR),
  };
}

/** What a file's header says; a file that cannot be read says nothing here (using it says why). */
function orNull(read: (file: string) => string | null, file: string): string | null {
  try {
    return read(file);
  } catch {
    return null;
  }
}

/**
 * Removes one file of a kind's folder (and a preview image beside it). Only
 * a file directly in that folder with the kind's extension; a link is only unlinked.
 */
export function deleteModelFile(modelsDir: string, kind: ModelFileKind, file: string): boolean {
  if (path.basename(file) !== file || file.startsWith('.') || !FILE_OF[kind].test(file))
    throw new StudioError('INVALID_INPUT', `"${file}" is not a ${kind} file name`);
  const target = path.join(modelsDir, kind, file);
  const st = fs.lstatSync(target, { throwIfNoEntry: false });
  if (!st) throw new StudioError('NOT_FOUND', `No ${kind} file named "${file}"`);
  if (!st.isFile() && !st.isSymbolicLink())
    throw new StudioError('INVALID_INPUT', `"${file}" is not a file; it was left alone`);
  fs.unlinkSync(target);
  const stem = file.replace(FILE_OF[kind], '');
  for (const preview of previewNames(stem)) {
    fs.rmSync(path.join(modelsDir, kind, preview), { force: true });
  }
  return true;
}

/**
 * What a recorded generation used that this models folder lacks: LoRAs named
 * in its prompt, its VAE, its hires upscaler, and the embeddings A1111 listed in `TI hashes`.
 */
export function missingNetworks(
  modelsDir: string,
  record: {
    prompt: string;
    vae: string | null;
    hiresUpscaler?: string | null;
    hiresScale?: number | null;
    metadataText?: string | null;
  },
): string[] {
  const missing: string[] = [];
  const loras = networkFiles(modelsDir, LORAS_DIR);
  for (const tag of loraTags(record.prompt)) if (!loras.has(tag.name)) missing.push(`LoRA "${tag.name}"`);
  if (record.vae && !networkFiles(modelsDir, VAE_DIR).has(record.vae.replace(FILE_OF.vae, '')))
    missing.push(`VAE "${record.vae}"`);
  if (record.hiresUpscaler && !['latent', 'lanczos'].includes(record.hiresUpscaler) && (record.hiresScale ?? 1) > 1) {
    try {
      upscalerFile(modelsDir, record.hiresUpscaler);
    } catch {
      missing.push(`upscaler "${record.hiresUpscaler}"`);
    }
  }
  const ti = /TI hashes: "([^"]*)"/.exec(record.metadataText ?? '')?.[1];
  if (ti) {
    const have = networkFiles(modelsDir, EMBEDDINGS_DIR);
    for (const entry of ti.split(',')) {
      const name = entry.split(':')[0]!.trim();
      if (name && !have.has(name)) missing.push(`embedding "${name}"`);
    }
  }
  return [...new Set(missing)];
}
