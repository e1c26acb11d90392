/**
 * Reading and validating a Hugging Face ONNX export folder before any session
 * is created, so a broken or partial folder gets an error naming the part.
 */
import fs from 'node:fs';
import path from 'node:path';
import { StudioError } from '../../../src-shared/domain/errors.js';

export const COMPONENTS = ['text_encoder', 'unet', 'vae_decoder', 'vae_encoder'] as const;
/** SDXL's second text encoder (OpenCLIP bigG) and its tokenizer come beside the four. */
export type Component = (typeof COMPONENTS)[number] | 'text_encoder_2';
const OPTIONAL: readonly string[] = ['vae_encoder'];

export interface ModelFolder {
  dir: string;
  name: string;
  /** model.onnx of each component present; vae_encoder is optional (txt2img only without it), text_encoder_2 is SDXL's. */
  files: Partial<Record<Component, string>>;
  tokenizerDir: string;
  schedulerConfig: Record<string, unknown>;
  /** Per-component config.json (optimum exports), when present. */
  configs: Partial<Record<Component, Record<string, unknown>>>;
  /** The pipeline's model_index.json when the export has one (optimum writes it; some hand-made folders do not). */
  modelIndex: Record<string, unknown> | null;
  /** SDXL's second tokenizer folder (tokenizer_2/), when the export has one. */
  tokenizer2Dir: string | null;
}

function readJson(file: string, what: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new StudioError('BROKEN_MODEL', `${what} is missing`);
  }
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch {
    throw new StudioError('BROKEN_MODEL', `${what} is not valid JSON`);
  }
}

export function readModelFolder(dir: string): ModelFolder {
  const name = path.basename(path.resolve(dir));
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new StudioError('MODEL_NOT_FOUND', `Model folder "${name}" does not exist`);
  }
  const files: ModelFolder['files'] = {};
  const configs: ModelFolder['configs'] = {};
  const missing: string[] = [];
  const hasSecond = fs.existsSync(path.join(dir, 'text_encoder_2'));
  for (const component of [...COMPONENTS, ...(hasSecond ? (['text_encoder_2'] as const) : [])]) {
    const file = path.join(dir, component, 'model.onnx');
    if (fs.existsSync(file) && fs.statSync(file).size > 0) files[component] = file;
    else if (!OPTIONAL.includes(component)) missing.push(`${component}/model.onnx`);
    const config = path.join(dir, component, 'config.json');
    if (fs.existsSync(config)) configs[component] = readJson(config, `${name}: ${component}/config.json`);
  }
  const tokenizerDir = path.join(dir, 'tokenizer');
  const tokenizer2Dir = hasSecond ? path.join(dir, 'tokenizer_2') : null;
  for (const [folder, label] of [
    [tokenizerDir, 'tokenizer'],
    ...(tokenizer2Dir ? [[tokenizer2Dir, 'tokenizer_2']] : []),
  ] as const) {
    // vocab.json + merges.txt, or a fast tokenizer's tokenizer.json alone.
    if (fs.existsSync(path.join(folder, 'tokenizer.json'))) continue;
    for (const f of ['vocab.json', 'merges.txt'])
      if (!fs.existsSync(path.join(folder, f))) missing.push(`${label}/${f}`);
  }
  const schedulerFile = path.join(dir, 'scheduler', 'scheduler_config.json');
  if (!fs.existsSync(schedulerFile)) missing.push('scheduler/scheduler_config.json');
  if (hasSecond && !files.text_encoder) {
    throw new StudioError(
      'UNSUPPORTED_MODEL',
      `"${name}" looks like an SDXL refiner (text_encoder_2 without text_encoder); refiners are not supported yet, SDXL base models are`,
    );
  }
  if (missing.length > 0) {
    throw new StudioError('BROKEN_MODEL', `Model "${name}" is incomplete: missing ${missing.join(', ')}`);
  }
  return {
    dir,
    name,
    files,
    tokenizerDir,
    schedulerConfig: readJson(schedulerFile, `${name}: scheduler/scheduler_config.json`),
    configs,
    // Optional, but a damaged one means a damaged download: refused rather than ignored.
    modelIndex: fs.existsSync(path.join(dir, 'model_index.json'))
      ? readJson(path.join(dir, 'model_index.json'), `${name}: model_index.json`)
      : null,
    tokenizer2Dir,
  };
}
