// Builds everything the app runs: main-process bundles with esbuild (single
// files, native modules left external) and the renderer with Vite. Skips the
// work when the sources are byte-identical to the last build's (so
// `npm install` then `npm test` build once); `--force` rebuilds anyway.
import { build as esbuild } from 'esbuild';
import crypto from 'node:crypto';
import { build as viteBuild } from 'vite';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const external = ['electron', 'onnxruntime-node', 'better-sqlite3', 'sharp', 'bufferutil', 'utf-8-validate'];
const force = process.argv.includes('--force');
const only = process.argv.slice(2).filter((a) => a !== '--force');
const want = (name) => only.length === 0 || only.includes(name);

// ESM bundles still meet CommonJS dependencies that call require().
const esmBanner =
  "import { createRequire as __studioCreateRequire } from 'node:module'; const require = __studioCreateRequire(import.meta.url);";

/**
 * zod re-exports every locale's messages (360 KB, a third of what a one-shot
 * generate parses); the studio's messages are English, so the bundles carry
 * English only. `z.locales` then holds `en` alone.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/](classic|core)$/.test(args.resolveDir)
        ? { path: 'zod-locales-en', namespace: 'zod-english-only' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'zod-english-only' }, () => ({
      contents: "export { default as en } from 'zod/v4/locales/en.js';",
      resolveDir: root,
    }));
  },
};

const common = {
  plugins: [zodEnglishOnly],
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  // Less to parse at every start (a one-shot generate loads about 1 MB of bundle); names stay, for stack traces.
  minifyWhitespace: true,
  minifySyntax: true,
  external,
  logLevel: 'warning',
  absWorkingDir: root,
};

// Entry points whose sources exist .
const entries = (map) =>
  Object.fromEntries(Object.entries(map).filter(([, file]) => fs.existsSync(path.join(root, file))));
const worker = {
  'engine-worker': 'src-main/jobs/engine-worker.ts',
  'convert-worker': 'src-main/models/convert-worker.ts',
  'upscale-worker': 'src-main/jobs/upscale-worker.ts',
};

/** One hash over every input of the build: sources, build configs and the locked dependencies. */
function inputsHash() {
  const hash = crypto.createHash('sha256');
  const walk = (rel) => {
    const abs = path.join(root, rel);
    if (!fs.existsSync(abs)) return;
    if (fs.statSync(abs).isDirectory()) {
      for (const name of fs.readdirSync(abs).sort()) walk(path.join(rel, name));
    } else {
      hash.update(`${rel}\0`).update(fs.readFileSync(abs));
    }
  };
  for (const rel of [
    'src-main',
    'src-shared',
    'src-renderer',
    'scripts/build.mjs',
    'vite.config.ts',
    'package-lock.json',
  ])
    walk(rel);
  return hash.update(only.join(',')).digest('hex');
}
const stamp = path.join(dist, '.build-inputs');
const outputs = ['cli.mjs', 'main/electron.cjs', 'main/preload.cjs', 'renderer/index.html'].map((f) =>
  path.join(dist, f),
);
const inputs = inputsHash();
if (
  !force &&
  outputs.every((f) => fs.existsSync(f)) &&
  fs.existsSync(stamp) &&
  fs.readFileSync(stamp, 'utf8') === inputs
) {
  console.log('dist/ is up to date with the sources (npm run build -- --force rebuilds)');
  process.exit(0);
}
fs.rmSync(stamp, { force: true });

const jobs = [];
if (want('cli')) {
  // Split into chunks so each command loads only its own code and native modules (cli/main.ts). Chunk
  // names carry their content's hash: the last build's chunks go first, or every build would leave its
  // chunks behind (and electron-builder would package them all).
  fs.rmSync(path.join(dist, 'chunks'), { recursive: true, force: true });
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
fs.writeFileSync(stamp, inputs);
console.log(`built ${only.length ? only.join(', ') : 'cli, electron, renderer'} into dist/`);
