// better-sqlite3 is a native addon built for Node's ABI by `npm install`; the
// desktop app needs a build for Electron's. Rather than rebuilding in place
// (which would break the CLI and tests), build a copy once per Electron
// version into .electron-native/ and point the app at it
// (STUDIO_SQLITE_BINDING -> Database's nativeBinding). Needs internet once
// (Electron headers or a prebuilt binary); packaged apps are rebuilt by
// electron-builder instead.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** @returns {string | null} the addon path, or null when it cannot be built (with a message printed). */
export function electronSqliteBinding(electronVersion) {
  const out = path.join(root, '.electron-native', electronVersion, 'better_sqlite3.node');
  if (fs.existsSync(out)) return out;
  const src = path.join(root, 'node_modules', 'better-sqlite3');
  const work = path.join(root, '.electron-native', electronVersion, 'build-tree');
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  for (const entry of ['package.json', 'binding.gyp', 'src', 'deps', 'lib'])
    fs.cpSync(path.join(src, entry), path.join(work, entry), { recursive: true });
  const bin = (name) => path.join(root, 'node_modules', '.bin', name);
  console.log(`Preparing the database addon for Electron ${electronVersion} (once)...`);
  const attempts = [
    [bin('prebuild-install'), ['--runtime', 'electron', '--target', electronVersion, '--arch', process.arch]],
    [
      bin('node-gyp'),
      [
        'rebuild',
        '--release',
        `--target=${electronVersion}`,
        '--dist-url=https://electronjs.org/headers',
        `--arch=${process.arch}`,
      ],
    ],
  ];
  for (const [cmd, args] of attempts) {
    const r = spawnSync(cmd, args, { cwd: work, stdio: 'inherit', shell: process.platform === 'win32' });
    const built = path.join(work, 'build', 'Release', 'better_sqlite3.node');
    if (r.status === 0 && fs.existsSync(built)) {
      fs.copyFileSync(built, out);
      fs.rmSync(work, { recursive: true, force: true });
      return out;
    }
  }
  console.error(
    'Could not build the database addon for Electron (it needs internet once, for Electron headers or a prebuilt binary).',
  );
  return null;
}
