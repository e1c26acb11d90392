import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import os from 'node:os';
import type { SystemInfo } from '../../src-shared/domain/system.js';
import type { StudioPaths } from '../paths.js';
import { providerStatuses } from '../engine/index.js';

const require = createRequire(import.meta.url);

function packageVersion(name: string): string {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

let gpuNamePromise: Promise<string | null> | null = null;

/** The NVIDIA GPU's name from nvidia-smi, or null where there is none. Cached. */
export function readGpuName(): Promise<string | null> {
  gpuNamePromise ??= new Promise((resolve) => {
    execFile('nvidia-smi', ['--query-gpu=name', '--format=csv,noheader'], { timeout: 3000 }, (err, stdout) => {
      const name = err ? '' : stdout.split('\n')[0]?.trim();
      resolve(name ? name : null);
    });
  });
  return gpuNamePromise;
}

export interface SystemInfoOptions {
  paths: StudioPaths;
  modelsDir: string;
  shell: SystemInfo['shell'];
  appVersion: string;
  sqliteVersion: string | null;
}

export async function collectSystemInfo(opts: SystemInfoOptions): Promise<SystemInfo> {
  const versions = process.versions as NodeJS.ProcessVersions & { electron?: string; chrome?: string };
  return {
    appVersion: opts.appVersion,
    versions: {
      node: versions.node,
      electron: versions.electron ?? null,
      chrome: versions.chrome ?? null,
      onnxruntime: packageVersion('onnxruntime-node'),
      sqlite: opts.sqliteVersion,
    },
    platform: os.platform(),
    arch: os.arch(),
    providers: providerStatuses(),
    gpuName: await readGpuName(),
    modelsDir: opts.modelsDir,
    dataDir: opts.paths.dataDir,
    shell: opts.shell,
  };
}
