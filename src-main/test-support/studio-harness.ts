import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { EventEnvelope } from '../../src-shared/contract.js';
import type { JobDone, JobProgress } from '../../src-shared/domain/engine.js';
import { appRoot } from '../paths.js';
import { startStudio, type Studio } from '../studio.js';
import { TINY_SD } from './fixtures.js';
import { tempStudioPaths } from './temp-home.js';

/** The engine worker must be built (npm test builds first); build it when running vitest alone. */
export function ensureWorkerBuilt(): string {
  const file = path.join(appRoot(), 'dist', 'engine-worker.mjs');
  const others = ['convert-worker.mjs', 'upscale-worker.mjs'].map((f) => path.join(appRoot(), 'dist', f));
  if (!fs.existsSync(file) || !others.every((f) => fs.existsSync(f))) {
    const r = spawnSync(process.execPath, [path.join(appRoot(), 'scripts', 'build.mjs'), 'cli'], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error('could not build the engine worker');
  }
  return file;
}

export interface StudioHarness {
  studio: Studio;
  events: EventEnvelope[];
  call(channel: string, input: unknown): Promise<unknown>;
  waitForDone(jobId: string, timeoutMs?: number): Promise<JobDone>;
  /** The first event of this name whose payload passes `match`, once it has come. */
  waitForEvent<T>(event: string, match: (payload: T) => boolean, timeoutMs?: number): Promise<T>;
  progressOf(jobId: string): JobProgress[];
  close(): Promise<void>;
}

/** A studio on a temp home whose models folder holds tiny-sd (linked, never copied). */
export async function startStudioWithTinySd(): Promise<StudioHarness> {
  const paths = tempStudioPaths();
  fs.mkdirSync(paths.modelsDir, { recursive: true });
  fs.symlinkSync(TINY_SD, path.join(paths.modelsDir, 'tiny-sd'), 'dir');
  const studio = await startStudio({ shell: 'host', paths, workerFile: ensureWorkerBuilt(), logger: { error() {} } });
  studio.settings.set({ providerPreference: 'cpu' });
  const events: EventEnvelope[] = [];
  const waiters: (() => void)[] = [];
  studio.hub.subscribe((e) => {
    events.push(e);
    for (const w of waiters.splice(0)) w();
  });
  let id = 1;
  const harness: StudioHarness = {
    studio,
    events,
    async call(channel, input) {
      const r = await studio.router.call(id++, channel, input);
      if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code });
      return r.value;
    },
    waitForDone(jobId, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      return new Promise((resolve, reject) => {
        const check = () => {
          const done = events.find((e) => e.event === 'job.done' && (e.payload as JobDone).jobId === jobId);
          if (done) return resolve(done.payload as JobDone);
          if (Date.now() > deadline) return reject(new Error(`job ${jobId} did not finish`));
          waiters.push(check);
          setTimeout(check, 200);
        };
        check();
      });
    },
    waitForEvent<T>(event: string, match: (payload: T) => boolean, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      return new Promise<T>((resolve, reject) => {
        const check = () => {
          const e = events.find((x) => x.event === event && match(x.payload as T));
          if (e) return resolve(e.payload as T);
          if (Date.now() > deadline) return reject(new Error(`no ${event} event came`));
          setTimeout(check, 50);
        };
        check();
      });
    },
    progressOf(jobId) {
      return events
        .filter((e) => e.event === 'job.progress' && (e.payload as JobProgress).jobId === jobId)
        .map((e) => e.payload as JobProgress);
    },
    async close() {
      await studio.close();
      paths.remove();
    },
  };
  return harness;
}
