// Typechecks each runtime against its own tsconfig: src-shared (no Node, no
// DOM), src-main (Node), src-renderer (DOM) and the tooling around them.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsc = path.join(root, 'node_modules', '.bin', 'tsc');
const projects = ['src-shared', 'src-main', 'src-renderer', '.'];
let failed = 0;
for (const project of projects) {
  const r = spawnSync(tsc, ['--noEmit', '-p', path.join(root, project, 'tsconfig.json')], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0) {
    console.error(`typecheck failed in ${project}`);
    failed += 1;
  }
}
process.exit(failed === 0 ? 0 : 1);
