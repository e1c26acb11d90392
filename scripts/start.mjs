// `npm start`: launches the desktop app. Electron fetches its binary on first
// launch; when that is impossible (offline), say so and point at the browser host.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import fs from 'node:fs';
import { electronPackageDir, findElectronBinary } from './electron-binary.mjs';
import { electronSqliteBinding } from './electron-native.mjs';

const root = path.resolve(electronPackageDir, '..', '..');
let binary = findElectronBinary();
if (!binary) {
  console.log('Electron is not downloaded yet; fetching it now (first launch only)...');
  const result = spawnSync(process.execPath, [path.join(electronPackageDir, 'install.js')], {
    stdio: 'inherit',
    timeout: 10 * 60_000,
  });
  binary = result.status === 0 ? findElectronBinary() : null;
  if (!binary) {
    console.error(
      [
        '',
        'Could not download the Electron binary (no internet access, or a proxy blocks it).',
        'Latent Studio needs it once, on first launch. To try again later: npm start',
        'Meanwhile the same studio runs in your browser:  npx studio serve   (then open http://127.0.0.1:7860/)',
      ].join('\n'),
    );
    process.exit(1);
  }
}
const electronVersion = JSON.parse(fs.readFileSync(path.join(electronPackageDir, 'package.json'), 'utf8')).version;
const sqlite = electronSqliteBinding(electronVersion);
if (!sqlite) {
  console.error('Meanwhile the same studio runs in your browser:  npx studio serve');
  process.exit(1);
}
const child = spawn(binary, [path.join(root, 'dist', 'main', 'electron.cjs'), ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, STUDIO_SQLITE_BINDING: sqlite },
});
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
