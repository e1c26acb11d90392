/**
 * Where Latent Studio keeps its files. One function, used by the Electron app
 * and the command line alike, so both always agree.
 *
 * - `STUDIO_HOME=DIR` puts everything under DIR (`DIR/data`, `DIR/models`):
 *   for tests and portable installs.
 * - Otherwise the OS's per-user application-data folder.
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface StudioPaths {
  /** Database, images, settings. */
  dataDir: string;
  /** User-installed models. */
  modelsDir: string;
  /** Models shipped with the app (the embedded model). */
  builtinModelsDir: string;
}

const APP_FOLDER = 'Latent Studio';

export function osAppDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  const home = os.homedir();
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), APP_FOLDER);
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', APP_FOLDER);
  const xdg =
    env.XDG_DATA_HOME && path.isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : path.join(home, '.local', 'share');
  return path.join(xdg, 'latent-studio');
}

/** The app's install root: the folder holding package.json and models/. */
export function appRoot(): string {
  // Bundles live in <root>/dist/... ; sources in <root>/src-main/. Both are one or two levels down.
  const here = path.dirname(fileURLToPath(import.meta.url));
  const fromEnv = process.env.STUDIO_APP_ROOT;
  if (fromEnv) return fromEnv;
  return path.basename(path.dirname(here)) === 'dist' ? path.resolve(here, '..', '..') : path.resolve(here, '..');
}

/**
 * The models that ship with the app. In a packaged app they are unpacked beside app.asar
 * (electron-builder.yml): ONNX Runtime opens them natively and cannot read inside the archive.
 */
export function builtinModelsDirIn(root: string): string {
  return path.join(root.replace(/app\.asar$/, 'app.asar.unpacked'), 'models');
}

export function resolveStudioPaths(env: NodeJS.ProcessEnv = process.env, platform = process.platform): StudioPaths {
  const builtinModelsDir = builtinModelsDirIn(appRoot());
  const home = env.STUDIO_HOME?.trim();
  if (home) {
    const root = path.resolve(home);
    return { dataDir: path.join(root, 'data'), modelsDir: path.join(root, 'models'), builtinModelsDir };
  }
  const root = osAppDataDir(env, platform);
  return { dataDir: path.join(root, 'data'), modelsDir: path.join(root, 'models'), builtinModelsDir };
}

/** Where ONNX Runtime's optimized graphs are cached (safe to delete: made again on the next load). */
export function graphCacheDir(paths: StudioPaths): string {
  return path.join(paths.dataDir, 'cache', 'onnx-graphs');
}
