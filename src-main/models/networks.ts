/**
 * LoRAs and textual-inversion embeddings in the models folder (`loras/`,
 * `embeddings/`, as A1111 keeps them), matched to what a generation's prompts
 * ask for: each `<lora:NAME:WEIGHT>` names a file in `loras/`, and every
 * embedding whose name appears as a word in either prompt is applied.
 */
import fs from 'node:fs';
import path from 'node:path';
import { StudioError } from '../../src-shared/domain/errors.js';
import { loraTags, type ModelAdditions } from '../engine/index.js';

export const LORAS_DIR = 'loras';
export const EMBEDDINGS_DIR = 'embeddings';
/** ONNX upscalers (ESRGAN family) for `studio upscale`. */
export const UPSCALERS_DIR = 'upscalers';
type Kind = typeof LORAS_DIR | typeof EMBEDDINGS_DIR | typeof UPSCALERS_DIR;
const FILE_OF: Record<Kind, RegExp> = {
  loras: /\.safetensors$/i,
  embeddings: /\.safetensors$/i,
  upscalers: /\.onnx$/i,
};

/** The files of one kind in the models folder, by name (the file's stem). */
export function networkFiles(modelsDir: string, kind: Kind): Map<string, string> {
  const dir = path.join(modelsDir, kind);
  const out = new Map<string, string>();
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.isFile() && FILE_OF[kind].test(e.name)) out.set(e.name.replace(FILE_OF[kind], ''), path.join(dir, e.name));
  }
  return out;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** What the prompts ask to apply; a LoRA the folder lacks is an error naming it. */
export function additionsForPrompts(modelsDir: string, prompt: string, negative: string): ModelAdditions {
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
  return { loras, embeddings };
}

/** Both kinds with their sizes, for the Generate page's pickers. */
export function listNetworks(modelsDir: string): Record<Kind, { name: string; sizeBytes: number }[]> {
  const list = (kind: Kind) =>
    [...networkFiles(modelsDir, kind)]
      .map(([name, file]) => ({ name, sizeBytes: fs.statSync(file).size }))
      .sort((a, b) => a.name.localeCompare(b.name));
  return { loras: list(LORAS_DIR), embeddings: list(EMBEDDINGS_DIR), upscalers: list(UPSCALERS_DIR) };
}
