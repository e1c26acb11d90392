import fs from 'node:fs';
import path from 'node:path';
import { StudioError } from '../../src-shared/domain/errors.js';
import { resolveStudioPaths, type StudioPaths } from '../paths.js';
import { SettingsStore } from '../settings/settings-store.js';
import type { ModelRoot } from './model-registry.js';

/**
 * The folders models are found in, for the app and the command line alike:
 * the user's models folder (the setting, else the default in the data
 * folder), then the models that ship with the app. Read on every call, so a
 * changed setting takes effect at once.
 */
export function modelRoots(
  paths: StudioPaths,
  settings: SettingsStore,
): { modelsDir: () => string; roots: () => ModelRoot[] } {
  const modelsDir = () => settings.get().modelsDir ?? paths.modelsDir;
  return {
    modelsDir,
    roots: () => [
      { dir: modelsDir(), source: 'user' },
      { dir: paths.builtinModelsDir, source: 'builtin' },
    ],
  };
}

/** The model folders as the settings on disk say: for a command-line process, which runs no studio. */
export function modelRootsFromDisk(paths: StudioPaths = resolveStudioPaths()) {
  return modelRoots(paths, new SettingsStore(paths.dataDir));
}

/** A models folder the user sets must already exist: a typo must not point the studio (and its deletes) elsewhere. */
export function checkModelsDir(dir: string): void {
  if (!path.isAbsolute(dir)) throw new StudioError('INVALID_INPUT', 'Give the models folder as an absolute path');
  if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory())
    throw new StudioError('INVALID_INPUT', `The models folder ${dir} does not exist or is not a folder`);
}
