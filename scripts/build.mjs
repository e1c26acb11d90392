// Builds everything the app runs: main-process bundles with esbuild (single
// files, native modules left external) and the renderer with Vite.
import { build as esbuild } from 'esbuild';
import { build as viteBuild } from 'vite';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const external = ['electron', 'onnxruntime-node', 'better-sqlite3', 'sharp', 'bufferutil', 'utf-8-validate'];
const only = process.argv.slice(2);
const want = (name) => only.length === 0 || only.includes(name);

// ESM bundles still meet CommonJS dependencies that call require().
const esmBanner =
  "import { createRequire as __studioCreateRequire } from 'node:module'; const require = __studioCreateRequire(import.meta.url);";

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  external,
  logLevel: 'warning',
  absWorkingDir: root,
};

// Entry points whose sources exist (the engine worker arrives with the engine).
const entries = (map) =>
  Object.fromEntries(Object.entries(map).filter(([, file]) => fs.existsSync(path.join(root, file))));
const worker = { 'engine-worker': 'src-main/engine/worker/engine-worker.ts' };

const jobs = [];
if (want('cli')) {
  // Split into chunks so each command loads only its own code and native modules (cli/main.ts).
  jobs.push(
    esbuild({
      ...common,
      format: 'esm',
      splitting: true,
      chunkNames: 'chunks/[name]-[hash]',
      banner: { js: esmBanner },
      outExtension: { '.js': '.mjs' },
      outdir: dist,
      entryPoints: entries({ cli: 'src-main/cli/main.ts', ...worker }),
    }),
  );
}
if (want('electron')) {
  // Electron's main and preload run as CommonJS; import.meta.url is mapped to the bundle's own file URL.
  const cjs = {
    ...common,
    format: 'cjs',
    outExtension: { '.js': '.cjs' },
    outdir: path.join(dist, 'main'),
    define: { 'import.meta.url': '__studioImportMetaUrl' },
    banner: { js: "const __studioImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  };
  jobs.push(esbuild({ ...cjs, entryPoints: entries({ electron: 'src-main/electron/main.ts', ...worker }) }));
  jobs.push(esbuild({ ...cjs, entryPoints: { preload: 'src-main/electron/preload.ts' } }));
}
if (want('renderer')) {
  jobs.push(viteBuild({ configFile: path.join(root, 'vite.config.ts'), logLevel: 'warn' }));
}
await Promise.all(jobs);
console.log(`built ${only.length ? only.join(', ') : 'cli, electron, renderer'} into dist/`);
