/**
 * Finding model folders by name in the user's models folder and the app's
 * built-in one. A light listing; full detection lives in the engine's loader.
 */
import fs from 'node:fs';
import path from 'node:path';
import { StudioError } from '../../src-shared/domain/errors.js';
import { readModelFolder } from '../engine/model/model-folder.js';

export interface ModelRoot {
  dir: string;
  source: 'user' | 'builtin';
}

export interface ModelEntry {
  name: string;
  source: ModelRoot['source'];
  /** null when the folder has every part the engine needs. */
  problem: string | null;
}

const NAME = /^[\w][\w.\- ]{0,199}$/;

export function assertModelName(name: string): void {
  if (!NAME.test(name) || name.includes('..')) throw new StudioError('INVALID_INPUT', `Invalid model name ${JSON.stringify(name)}`);
}

export function listModels(roots: readonly ModelRoot[]): ModelEntry[] {
  const seen = new Set<string>();
  const out: ModelEntry[] = [];
  for (const root of roots) {
    if (!fs.existsSync(root.dir)) continue;
    for (const entry of fs.readdirSync(root.dir, { withFileTypes: true })) {
      const full = path.join(root.dir, entry.name);
      if (!NAME.test(entry.name) || seen.has(entry.name)) continue;
      if (!(entry.isDirectory() || (entry.isSymbolicLink() && fs.statSync(full, { throwIfNoEntry: false })?.isDirectory()))) continue;
      if (!fs.existsSync(path.join(full, 'unet')) && !fs.existsSync(path.join(full, 'model_index.json'))) continue;
      seen.add(entry.name);
      let problem: string | null = null;
      try {
        readModelFolder(full);
      } catch (err) {
        problem = (err as Error).message;
      }
      out.push({ name: entry.name, source: root.source, problem });
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

export function findModelDir(name: string, roots: readonly ModelRoot[]): string {
  assertModelName(name);
  for (const root of roots) {
    const dir = path.join(root.dir, name);
    if (fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) return dir;
  }
  throw new StudioError('MODEL_NOT_FOUND', `No model named "${name}" in the models folder`);
}
