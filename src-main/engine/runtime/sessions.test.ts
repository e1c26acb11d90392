import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterEach, describe, expect, it } from 'vitest';
import { TINY_SD } from '../../test-support/fixtures.js';
import { openSession, pruneGraphCache, sessionTuning } from './sessions.js';

const UNET = path.join(TINY_SD, 'unet', 'model.onnx');

async function unetOutput(session: ort.InferenceSession): Promise<Float32Array> {
  const dim = (session.inputMetadata as unknown as { name: string; shape: number[] }[]).find(
    (i) => i.name === 'encoder_hidden_states',
  )!.shape[2]!;
  const out = await session.run({
    sample: new ort.Tensor(
      'float32',
      Float32Array.from({ length: 2 * 4 * 8 * 8 }, (_, i) => Math.sin(i)),
      [2, 4, 8, 8],
    ),
    timestep: new ort.Tensor('int64', BigInt64Array.from([500n, 500n]), [2]),
    encoder_hidden_states: new ort.Tensor('float32', new Float32Array(2 * 77 * dim).fill(0.01), [2, 77, dim]),
  });
  return Float32Array.from(out[session.outputNames[0]!]!.data as Float32Array);
}

describe('the optimized-graph cache', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it('writes the optimized graph once, loads it next time, gives the same numbers, and survives a damaged entry', async () => {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-graphs-'));
    dirs.push(cache);
    const plain = await openSession(UNET, ['cpu'], {});
    const want = await unetOutput(plain.session);
    await plain.session.release();

    const first = await openSession(UNET, ['cpu'], sessionTuning(null, cache));
    const entries = fs.readdirSync(cache);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatch(/^[0-9a-f]{32}\.onnx$/);
    expect(await unetOutput(first.session)).toEqual(want);
    await first.session.release();

    const entry = path.join(cache, entries[0]!);
    const written = fs.statSync(entry);
    const second = await openSession(UNET, ['cpu'], sessionTuning(null, cache));
    // Read, not written again (a new entry is a new file renamed into place); its time marks it used.
    expect(fs.statSync(entry).ino).toBe(written.ino);
    expect(fs.statSync(entry).mtimeMs).toBeGreaterThanOrEqual(written.mtimeMs);
    expect(await unetOutput(second.session)).toEqual(want);
    await second.session.release();

    // A half-written entry (a crash mid-write) is replaced, never fatal.
    fs.writeFileSync(entry, Buffer.from('not a graph'));
    const third = await openSession(UNET, ['cpu'], sessionTuning(null, cache));
    expect(await unetOutput(third.session)).toEqual(want);
    await third.session.release();
    expect(fs.statSync(entry).size).toBeGreaterThan(1000);
  });

  it('a cache folder that cannot be written costs nothing but the cache', async () => {
    const blocked = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'studio-graphs-')), 'file');
    dirs.push(path.dirname(blocked));
    fs.writeFileSync(blocked, 'a file where the folder should be');
    const opened = await openSession(UNET, ['cpu'], sessionTuning(2, blocked));
    expect(opened.provider).toBe('cpu');
    await opened.session.release();
  });
});

describe('the optimized-graph cache size', () => {
  it('drops the least recently used graphs past the limit, never the one just written', () => {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-graphs-prune-'));
    try {
      const put = (name: string, bytes: number, ageS: number) => {
        const f = path.join(cache, `${name}.onnx`);
        fs.writeFileSync(f, Buffer.alloc(bytes));
        const t = new Date(Date.now() - ageS * 1000);
        fs.utimesSync(f, t, t);
        return f;
      };
      put('old', 400, 300);
      put('recent', 400, 10);
      put('middle', 400, 100);
      const fresh = put('fresh', 300, 500);
      pruneGraphCache(cache, 1000, fresh);
      expect(fs.readdirSync(cache).sort()).toEqual(['fresh.onnx', 'recent.onnx']);
    } finally {
      fs.rmSync(cache, { recursive: true, force: true });
    }
  });
});
