import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { StudioPaths } from '../paths.js';

/** A fresh STUDIO_HOME-like folder for one test; remove() deletes it. */
export function tempStudioPaths(): StudioPaths & { root: string; remove(): void } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-test-'));
  return {
    root,
    dataDir: path.join(root, 'data'),
    modelsDir: path.join(root, 'models'),
    builtinModelsDir: path.resolve(import.meta.dirname, '..', '..', 'models'),
    remove: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}
