import type { StudioPaths } from '../paths.js';
import type { SettingsStore } from '../settings/settings-store.js';
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
