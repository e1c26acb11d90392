import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface SpawnedHost {
  url: string;
  home: string;
  process: ChildProcess;
  close(): Promise<void>;
}

const root = path.resolve(import.meta.dirname, '..', '..');

/** Starts `studio serve` on a free port with a fresh STUDIO_HOME and waits for its URL. */
export async function spawnHost(
  extraArgs: string[] = [],
  env: NodeJS.ProcessEnv = {},
  prepare?: (home: string) => void,
): Promise<SpawnedHost> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-e2e-'));
  prepare?.(home);
  const child = spawn(process.execPath, [path.join(root, 'bin', 'studio.js'), 'serve', '--port', '0', ...extraArgs], {
    env: { ...process.env, STUDIO_HOME: home, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`studio serve did not start:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /serving on (\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`studio serve exited with ${code}:\n${output}`)));
  });
  return {
    url,
    home,
    process: child,
    close: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

/** The model the project trains and ships in models/ (issue 4): every host lists it as built-in and default. */
export const EMBEDDED_MODEL = 'studio-shapes';

/** A host with a fresh home on CPU: its only model is the embedded one. */
export async function spawnHostOnCpu(): Promise<SpawnedHost> {
  return spawnHost([], {}, (home) => {
    fs.mkdirSync(path.join(home, 'data'), { recursive: true });
    fs.writeFileSync(path.join(home, 'data', 'settings.json'), JSON.stringify({ providerPreference: 'cpu' }));
  });
}

/** The tiny reference model kept in the repository's test fixtures. */
export const TINY_SD = path.join(root, 'test', 'fixtures', 'tiny-sd');

/** The tiny random-weight SDXL kept in the test fixtures (two text encoders, size conditioning). */
export const TINY_SDXL = path.join(root, 'test', 'fixtures', 'tiny-sdxl');

/** A host on CPU whose models folder links the given model folders; `defaultModel` is picked on start. */
export async function spawnHostWithModels(links: Record<string, string>, defaultModel: string): Promise<SpawnedHost> {
  return spawnHost([], {}, (home) => {
    const models = path.join(home, 'models');
    fs.mkdirSync(models, { recursive: true });
    for (const [name, dir] of Object.entries(links)) fs.symlinkSync(dir, path.join(models, name), 'dir');
    fs.mkdirSync(path.join(home, 'data'), { recursive: true });
    fs.writeFileSync(
      path.join(home, 'data', 'settings.json'),
      JSON.stringify({ providerPreference: 'cpu', defaultModel }),
    );
  });
}
