/**
 * Checkpoint import in the app: a single-file checkpoint is inspected (family,
 * the installed model that lends its graphs), converted in a worker with
 * progress into the models folder, listed, and hashed as A1111 hashes the
 * file; a cancelled or refused import leaves nothing in the models folder.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckpointInspection, ModelEntry } from '../../src-shared/domain/models.js';
import { writeCheckpoint } from '../engine/index.js';
import { TINY_SD } from '../test-support/fixtures.js';
import { type StudioHarness, startStudioWithTinySd } from '../test-support/studio-harness.js';

interface Done {
  importId: string;
  name: string;
  status: string;
  error: { code: string; message: string } | null;
}

describe('checkpoint import in the app', () => {
  let h: StudioHarness;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-ckpt-import-'));
  const file = path.join(tmp, 'My Finetune v2.safetensors');
  beforeAll(async () => {
    h = await startStudioWithTinySd();
    writeCheckpoint(TINY_SD, file, { layout: 'ldm', dtype: 'F16', transform: (_, v) => v.map((x) => x * 0.9) });
  });
  afterAll(async () => {
    await h.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });
  const modelsDir = () => h.studio.paths.modelsDir;
  const done = (importId: string) => h.waitForEvent<Done>('models.convertDone', (d) => d.importId === importId);

  it('inspects a checkpoint: its family and the installed model it fits', async () => {
    const info = (await h.call('models.inspectCheckpoint', { path: file })) as CheckpointInspection;
    expect(info).toMatchObject({ family: 'custom', inpainting: false, template: 'tiny-sd', name: 'My Finetune v2' });
    expect(info.problem).toBeNull();
  });

  it('converts it in the background with progress, lists it and gives it the file hash A1111 shows', async () => {
    const { importId, name, template } = (await h.call('models.convertCheckpoint', { path: file })) as {
      importId: string;
      name: string;
      template: string;
    };
    expect([name, template]).toEqual(['My Finetune v2', 'tiny-sd']);
    const result = await done(importId);
    expect(result).toMatchObject({ status: 'succeeded', error: null });
    const progress = h.events.filter(
      (e) => e.event === 'models.convertProgress' && (e.payload as { importId: string }).importId === importId,
    );
    expect(progress.length).toBeGreaterThan(1);
    const sha = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    const record = JSON.parse(fs.readFileSync(path.join(modelsDir(), name, 'checkpoint.json'), 'utf8'));
    expect(record).toMatchObject({ file: 'My Finetune v2.safetensors', sha256: sha, template: 'tiny-sd' });
    let entry: ModelEntry | undefined;
    for (let i = 0; i < 100 && !entry?.hash; i++) {
      entry = ((await h.call('models.list', {})) as { models: ModelEntry[] }).models.find((m) => m.name === name);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(entry).toMatchObject({ problem: null, hash: sha.slice(0, 10) });
    // Same name again is refused up front, with nothing started.
    await expect(h.call('models.convertCheckpoint', { path: file })).rejects.toThrow(/already installed/);
  });

  it('a cancelled conversion leaves nothing in the models folder', async () => {
    const { importId, name } = (await h.call('models.convertCheckpoint', { path: file, name: 'cancelled-one' })) as {
      importId: string;
      name: string;
    };
    await h.call('models.cancelConvert', { importId });
    expect((await done(importId)).status).toBe('cancelled');
    expect(fs.readdirSync(modelsDir()).filter((f) => f.includes(name))).toEqual([]);
  });

  it('refuses what is not a checkpoint, with a clear message and nothing written', async () => {
    const junk = path.join(tmp, 'junk.safetensors');
    fs.writeFileSync(junk, Buffer.from('definitely not a safetensors file'));
    await expect(h.call('models.inspectCheckpoint', { path: junk })).rejects.toThrow(
      /junk\.safetensors: not a safetensors/,
    );
    await expect(h.call('models.convertCheckpoint', { path: junk })).rejects.toThrow(/not a safetensors/);
    await expect(h.call('models.inspectCheckpoint', { path: 'relative.safetensors' })).rejects.toThrow(/absolute path/);
    const before = fs.readdirSync(modelsDir()).sort();
    expect(before).not.toContain('junk');
  });
});
