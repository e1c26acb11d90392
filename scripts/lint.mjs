// `npm run lint`: Biome checks lint rules and formatting without writing
// (`npm run format` applies the formatting and the safe fixes).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const biome = path.join(root, 'node_modules', '.bin', 'biome');
const r = spawnSync(biome, ['ci', '--reporter=summary', '.'], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
