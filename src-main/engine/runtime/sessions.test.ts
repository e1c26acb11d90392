import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterEach, describe, expect, it } from 'vitest';
import { TINY_SD } from '../../test-support/fixtures.js';
import { readGraphIo } from './graph-io.js';
import { type ModelSession, runAnySize, ShapedSession } from './shaped-session.js';
import { openSession, pruneGraphCache, sessionTuning } from './sessions.js';

const UNET = path.join(TINY_SD, 'unet', 'model.onnx');

const HIDDEN = 32; // tiny-sd's text width

function feedsAt(side: number): ort.InferenceSession.FeedsType {
  return {
    sample: new ort.Tensor(
      'float32',
      Float32Array.from({ length: 2 * 4 * side * side }, (_, i) => Math.sin(i)),
      [2, 4, side, side],
    ),
    timestep: new ort.Tensor('int64', BigInt64Array.from([500n, 500n]), [2]),
    encoder_hidden_states: new ort.Tensor('float32', new Float32Array(2 * 77 * HIDDEN).fill(0.01), [2, 77, HIDDEN]),
  };
}

async function unetOutput(session: ModelSession, side = 8): Promise<Float32Array> {
  const out = await session.run(feedsAt(side));
  return Float32Array.from(out[session.outputNames[0]!]!.data as Float32Array);
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

describe('the optimized-graph cache', () => {
  it('writes the optimized graph once, loads it next time, gives the same numbers, and survives a damaged entry', async () => {
    const cache = tempDir('studio-graphs-');
    const asIs = { fixedShapes: false };
    const plain = await openSession(UNET, ['cpu'], asIs);
    const want = await unetOutput(plain.session);
    await plain.session.release();

    const first = await openSession(UNET, ['cpu'], { ...sessionTuning(null, cache), ...asIs });
    const entries = fs.readdirSync(cache);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatch(/^[0-9a-f]{32}\.onnx$/);
    expect(await unetOutput(first.session)).toEqual(want);
    await first.session.release();

    const entry = path.join(cache, entries[0]!);
    const written = fs.statSync(entry);
    const second = await openSession(UNET, ['cpu'], { ...sessionTuning(null, cache), ...asIs });
    // Read, not written again (a new entry is a new file renamed into place); its time marks it used.
    expect(fs.statSync(entry).ino).toBe(written.ino);
    expect(fs.statSync(entry).mtimeMs).toBeGreaterThanOrEqual(written.mtimeMs);
    expect(await unetOutput(second.session)).toEqual(want);
    await second.session.release();

    // A half-written entry (a crash mid-write) is replaced, never fatal.
    fs.writeFileSync(entry, Buffer.from('not a graph'));
    const third = await openSession(UNET, ['cpu'], { ...sessionTuning(null, cache), ...asIs });
    expect(await unetOutput(third.session)).toEqual(want);
    await third.session.release();
    expect(fs.statSync(entry).size).toBeGreaterThan(1000);
  });

  it('a cache folder that cannot be written costs nothing but the cache', async () => {
    const blocked = path.join(tempDir('studio-graphs-'), 'file');
    fs.writeFileSync(blocked, 'a file where the folder should be');
    const opened = await openSession(UNET, ['cpu'], sessionTuning(2, blocked));
    expect(opened.provider).toBe('cpu');
    await opened.session.release();
  });
});

describe('graphs opened per input size', () => {
  it('opens one graph per size at the first run of that size, cached, with the same numbers cached or not', async () => {
    const cache = tempDir('studio-graphs-');
    const asIs = await openSession(UNET, ['cpu'], { fixedShapes: false });
    const dynamic = await unetOutput(asIs.session);
    await asIs.session.release();

    const opened = await openSession(UNET, ['cpu'], sessionTuning(null, cache));
    expect(opened.session).toBeInstanceOf(ShapedSession);
    const shaped = opened.session as ShapedSession;
    // Declared as a session declares them (the model's signature is read from these).
    expect(shaped.inputNames).toEqual(['sample', 'timestep', 'encoder_hidden_states']);
    expect(fs.readdirSync(cache)).toHaveLength(0); // nothing opened before a run
    const at8 = await unetOutput(shaped);
    // Another graph, the same model: equal to the symbolic graph's numbers up to float rounding.
    for (let i = 0; i < at8.length; i++) expect(Math.abs(at8[i]! - dynamic[i]!)).toBeLessThan(1e-4);
    expect(fs.readdirSync(cache)).toHaveLength(1);
    await unetOutput(shaped, 16);
    expect(fs.readdirSync(cache)).toHaveLength(2);
    expect(await unetOutput(shaped)).toEqual(at8); // the open 8x8 graph again
    expect(shaped.openGraphs).toBe(2);
    await shaped.release();

    // From the cache, and without any cache: the same graph for the same size, the same numbers.
    const again = await openSession(UNET, ['cpu'], sessionTuning(null, cache));
    expect(await unetOutput(again.session)).toEqual(at8);
    await again.session.release();
    expect(fs.readdirSync(cache)).toHaveLength(2);
    const uncached = await openSession(UNET, ['cpu'], {});
    expect(await unetOutput(uncached.session)).toEqual(at8);
    await uncached.session.release();
  });

  /** A ShapedSession over the plain graph that records which sizes it opens and closes (0: as it is). */
  function recordingSession(keep: number) {
    const opened: number[] = [];
    const closed: number[] = [];
    const session = new ShapedSession(
      readGraphIo(UNET),
      async (shapes) => {
        const side = shapes ? shapes.sample![2]! : 0;
        opened.push(side);
        const real = await ort.InferenceSession.create(UNET);
        const release = real.release.bind(real);
        return Object.assign(real, {
          release: async () => {
            closed.push(side);
            await release();
          },
        });
      },
      keep,
    );
    return { session, opened, closed };
  }

  it('keeps the most recently used sizes open and closes the others', async () => {
    const { session, opened, closed } = recordingSession(2);
    for (const side of [8, 16, 8, 24, 8]) await unetOutput(session, side);
    expect(opened).toEqual([8, 16, 24]);
    expect(closed).toEqual([16]); // 8 was used again just before 24 came
    expect(session.openGraphs).toBe(2);
    // Tiles: one graph as it is (0 here) for every size, beside the sized ones.
    for (const side of [8, 12, 16]) await runAnySize(session, feedsAt(side));
    expect(opened).toEqual([8, 16, 24, 0]);
    await session.release();
    expect(closed.sort()).toEqual([0, 16, 24, 8].sort());
  });

  it('closes a graph that drops out of use only once its runs have finished', async () => {
    const { session, closed } = recordingSession(1);
    // Two sizes at once with room for one: the 8x8 graph drops out while its run is under way.
    const [a, b] = await Promise.all([unetOutput(session, 8), unetOutput(session, 16)]);
    expect([a.length, b.length]).toEqual([2 * 4 * 8 * 8, 2 * 4 * 16 * 16]);
    await new Promise((r) => setTimeout(r, 10)); // the release is not awaited by the run
    expect(closed).toEqual([8]);
    expect(session.openGraphs).toBe(1);
    await session.release();
  });

  it('a graph that fails to open at its first run says so as opening would, and is tried again next time', async () => {
    const dir = tempDir('studio-graphs-broken-');
    // Declares its inputs, but its nodes name an operator no runtime has (NodeProto.op_type, field 4).
    const good = fs.readFileSync(UNET).toString('latin1');
    const file = path.join(dir, 'model.onnx');
    fs.writeFileSync(file, Buffer.from(good.replaceAll('\x22\x07Softmax', '\x22\x07Softmux'), 'latin1'));
    const opened = await openSession(file, ['cpu'], {}, (reason) => new Error(`unet could not be loaded: ${reason}`));
    await expect(unetOutput(opened.session)).rejects.toThrow(/^unet could not be loaded: .*Softmux/);
    await expect(unetOutput(opened.session)).rejects.toThrow(/Softmux/);
    expect((opened.session as ShapedSession).openGraphs).toBe(0);
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
