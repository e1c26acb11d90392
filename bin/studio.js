#!/usr/bin/env node
// Thin launcher: the command line is bundled to dist/cli.mjs by `npm run build`.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'dist', 'cli.mjs');
if (!fs.existsSync(cli)) {
  console.error(`studio: the command line is not built yet; run \`npm run build\` in ${root}`);
  process.exit(2);
}
await import(pathToFileURL(cli).href);
