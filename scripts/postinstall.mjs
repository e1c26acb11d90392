// Runs after `npm install`. Never fails the install for optional parts:
// 1. offers onnxruntime-node's CUDA provider download on Linux/Windows x64 with
//    an NVIDIA GPU (.npmrc skips it by default because it fails offline);
// 2. builds the app so `npx studio serve` works straight away.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

function hasNvidiaGpu() {
  const r = spawnSync('nvidia-smi', ['-L'], { encoding: 'utf8', timeout: 5000 });
  return r.status === 0 && /GPU \d/.test(r.stdout);
}

const cudaOnly = process.argv.includes('--cuda-only');

function offerCuda() {
  const supported = (process.platform === 'linux' || process.platform === 'win32') && process.arch === 'x64';
  if (!supported) return;
  if (!cudaOnly && (process.env.STUDIO_SKIP_CUDA === '1' || process.env.CI || !hasNvidiaGpu())) return;
  const pkgDir = path.dirname(require.resolve('onnxruntime-node/package.json'));
  const libDir = path.join(pkgDir, 'bin', 'napi-v6', process.platform, process.arch);
  const lib = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
  if (fs.existsSync(path.join(libDir, lib))) return;
  console.log('[latent-studio] NVIDIA GPU found: downloading the ONNX Runtime CUDA provider (optional)...');
  const r = spawnSync(process.execPath, [path.join(pkgDir, 'script', 'install.js')], {
    cwd: pkgDir,
    stdio: 'inherit',
    timeout: 10 * 60_000,
    env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'cuda12' },
  });
  if (r.status !== 0) {
    console.warn(
      '[latent-studio] warning: the CUDA provider could not be downloaded (offline?). The studio still runs on WebGPU or CPU.\n' +
        '  Retry later with: npm run install-cuda',
    );
  }
}

try {
  offerCuda();
} catch (err) {
  console.warn(`[latent-studio] warning: CUDA provider step skipped: ${err.message}`);
}

if (cudaOnly) process.exit(0);
const build = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
