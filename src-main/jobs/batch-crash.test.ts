import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { appRoot } from '../paths.js';
import { ensureWorkerBuilt } from '../test-support/studio-harness.js';
import { tempStudioPaths } from '../test-support/temp-home.js';

describe('a host killed in the middle of a batch', () => {
  const paths = tempStudioPaths();
  afterAll(() => paths.remove());

  it('keeps every image the batch had finished', async () => {
    ensureWorkerBuilt();
    const child = spawn(process.execPath, [path.join(appRoot(), 'bin', 'studio.js'), 'serve', '--port', '0'], {
      env: { ...process.env, STUDIO_HOME: paths.root },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise((r) => child.once('exit', r));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /serving on (http:\/\/\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.once('exit', () => reject(new Error(`studio serve exited: ${out}`)));
      });
      const ws = new WebSocket(`${url.replace(/^http/, 'ws').replace(/\/$/, '')}/ws`);
      await new Promise((r, j) => ws.once('open', r).once('error', j));
      let nextId = 1;
      const call = (channel: string, input: unknown) => {
        const id = nextId++;
        ws.send(JSON.stringify({ kind: 'call', id, channel, input }));
        return new Promise<unknown>((resolve, reject) => {
          const onMessage = (data: WebSocket.RawData) => {
            const msg = JSON.parse(data.toString());
            if (msg.kind !== 'result' || msg.id !== id) return;
            ws.off('message', onMessage);
            if (msg.ok) resolve(msg.value);
            else reject(new Error(msg.error.message));
          };
          ws.on('message', onMessage);
        });
      };
      // Killed once the fourth image has started: three are finished by then.
      const fourthStarted = new Promise<void>((resolve) =>
        ws.on('message', (data) => {
          const msg = JSON.parse(data.toString());
          if (msg.kind === 'event' && msg.event === 'job.progress' && msg.payload.imageIndex === 3) resolve();
        }),
      );
      await call('settings.set', { providerPreference: 'cpu' });
      await call('engine.generate', {
        model: 'studio-shapes',
        prompt: 'a red circle',
        steps: 3,
        batchCount: 6,
        seed: 5,
      });
      await fourthStarted;
      child.kill('SIGKILL');
      await exited;
      ws.terminate();
    } finally {
      child.kill('SIGKILL');
    }

    const galleryDir = path.join(paths.dataDir, 'gallery');
    const db = new Database(path.join(galleryDir, 'gallery.db'), { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const rows = db.prepare('SELECT image_file, seed FROM generations ORDER BY seed').all() as {
        image_file: string;
        seed: number;
      }[];
      expect(rows.map((r) => r.seed).slice(0, 3)).toEqual([5, 6, 7]);
      for (const r of rows) expect(fs.existsSync(path.join(galleryDir, r.image_file))).toBe(true);
    } finally {
      db.close();
    }
  }, 120_000);
});
