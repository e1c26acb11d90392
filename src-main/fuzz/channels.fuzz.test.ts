/**
 * Fuzzing every contract channel (in process, through the router every
 * transport uses) and the WebSocket host (raw frames): no crash, no hang, no
 * INTERNAL error (an unexpected exception is a bug), every refusal a typed
 * error, and memory that stays bounded. Seeded: a failure names the seed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type ChannelName, channels } from '../../src-shared/contract.js';
import { ERROR_CODES } from '../../src-shared/domain/errors.js';
import { startHost, type RunningHost } from '../host/server.js';
import { makePng } from '../test-support/images.js';
import { startStudioWithTinySd, type StudioHarness } from '../test-support/studio-harness.js';
import { FUZZ_SEED, forBudget, seeded, valueFor, type ValuePools, wildValue, within } from './fuzz-support.js';

const CALL_TIMEOUT_MS = 15_000;

describe(`fuzzing the contract (seed ${FUZZ_SEED})`, () => {
  let h: StudioHarness;
  let host: RunningHost;
  let pools: ValuePools;
  const rendererDir = () => path.join(h.studio.paths.dataDir, '..', 'renderer');
  const savedEndpoint = process.env.HF_ENDPOINT;

  beforeAll(async () => {
    // Installs go to a port nothing listens on: refused at once, never the internet.
    process.env.HF_ENDPOINT = 'http://127.0.0.1:9';
    h = await startStudioWithTinySd();
    const png = await makePng(7, {
      parameters: 'a cat\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 3, Size: 8x8',
    });
    await h.call('gallery.import', {
      files: [1, 2, 3].map((i) => ({ name: `${i}.png`, data: png.toString('base64') })),
    });
    await h.call('gallery.import', { files: [{ name: 'x.png', data: (await makePng(8)).toString('base64') }] });
    fs.mkdirSync(rendererDir(), { recursive: true });
    fs.writeFileSync(path.join(rendererDir(), 'index.html'), '<!doctype html><title>t</title>');
    host = await startHost(h.studio, { port: 0, rendererDir: rendererDir() });
    const root = path.dirname(h.studio.paths.dataDir);
    pools = {
      strings: [
        '',
        'a',
        'tiny-sd',
        'studio-shapes',
        'a red circle, (glowing:1.3), [blue|green] <lora:missing:0.5>',
        'x'.repeat(20_000),
        '../../../etc/passwd',
        '..',
        '/',
        '\u0000',
        '%2e%2e%2f',
        '日本語 🎨',
        'org/model',
        'a/b',
        'main',
        'random',
        'euler_a',
        root, // exists: the temp home
        path.join(root, 'models'),
        path.join(root, 'nowhere'),
        png.toString('base64'),
        'aGVsbG8gd29ybGQ=',
        'not base64!',
        'job-1',
        '{"kind":"call"}',
      ],
      numbers: [0, 1, 2, 3, 4, -1, 0.5, 1.5, 7, 20, 64, 128, 512, 1e6, 2 ** 31, 2 ** 53, -(2 ** 53), 1e308],
      byKey: {
        model: ['tiny-sd', 'studio-shapes'],
        name: ['tiny-sd', 'nothing-here'],
        prompt: ['a red circle', 'a (blue:1.2) square'],
        mode: ['txt2img'],
        width: [64],
        height: [64],
        steps: [1, 2],
        batchCount: [1],
        id: [1, 2, 3, 4],
        ids: [[1], [2, 3], [4]],
      },
    };
  }, 120_000);

  afterAll(async () => {
    await host?.close();
    await h?.close();
    if (savedEndpoint === undefined) delete process.env.HF_ENDPOINT;
    else process.env.HF_ENDPOINT = savedEndpoint;
  });

  it('every channel answers every input with a value or a typed error, in bounded time and memory', async () => {
    const rand = seeded(FUZZ_SEED);
    const names = Object.keys(channels) as ChannelName[];
    const seen = new Map<string, { ok: number; refused: number }>();
    const failures: string[] = [];
    // The engine is kept busy with one long, light job: jobs the fuzz submits wait behind it and are cancelled
    // before they start, so a valid 2048x2048 request tests validation and queueing, not this machine's memory.
    const busy = (await h.call('engine.generate', {
      model: 'studio-shapes', // built in: the fuzz cannot delete it
      prompt: 'busy',
      steps: 200,
      batchCount: 16,
      width: 64,
      height: 64,
    })) as { jobId: string };
    const rssBefore = process.memoryUsage().rss;
    const heapBefore = process.memoryUsage().heapUsed;
    const calls = await forBudget(15_000, 400, async (i) => {
      const channel = rand.pick(names);
      // Mostly well-shaped inputs (so handlers run), some nearly valid, some anything at all.
      const wildness = rand.pick([0.01, 0.05, 0.2]);
      const input = rand.chance(0.05)
        ? wildValue(rand, pools)
        : valueFor(channels[channel].input, rand, pools, wildness);
      // What a transport delivers: JSON, so undefined keys vanish and numbers stay finite.
      const sent = input === undefined ? undefined : JSON.parse(JSON.stringify(input));
      const r = await within(
        CALL_TIMEOUT_MS,
        `${channel} ${JSON.stringify(sent)?.slice(0, 200)}`,
        h.studio.router.call(i, channel, sent),
      );
      const tally = seen.get(channel) ?? { ok: 0, refused: 0 };
      seen.set(channel, tally);
      if (r.ok) {
        tally.ok++;
        // Work a valid call started is stopped again so the run stays light.
        const value = r.value as { jobId?: string; installId?: string };
        if (channel === 'engine.generate' && value.jobId)
          await h.studio.router.call(i, 'job.cancel', { jobId: value.jobId });
        if (channel === 'models.install' && value.installId)
          await h.studio.router.call(i, 'models.cancelInstall', { installId: value.installId });
        return;
      }
      tally.refused++;
      if (!ERROR_CODES.includes(r.error.code) || r.error.code === 'INTERNAL')
        failures.push(`${channel} ${JSON.stringify(sent)?.slice(0, 300)} -> ${r.error.code}: ${r.error.message}`);
    });
    await h.call('job.cancel', { jobId: busy.jobId });
    expect(failures, `seed ${FUZZ_SEED}`).toEqual([]);
    expect(calls).toBeGreaterThanOrEqual(400);
    // Every channel was reached, and most were also called with an input they accepted.
    expect([...seen.keys()].sort()).toEqual([...names].sort());
    expect([...seen.values()].filter((t) => t.ok > 0).length).toBeGreaterThan(names.length / 2);
    // Bounded memory: the JS heap stays flat. Native memory (onnxruntime, sharp, libuv threads) grows to a
    // plateau (about 0.9 GB after 100,000 calls here); the guard is against runaway growth such as a zip bomb.
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(256 * 2 ** 20);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(1536 * 2 ** 20);
    // Still serving.
    expect(await h.call('system.info', {})).toMatchObject({ shell: 'host' });
  }, 180_000);

  it('the host survives random WebSocket frames and keeps answering', async () => {
    const rand = seeded(FUZZ_SEED + 1);
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws`);
    await new Promise((r, j) => ws.once('open', r).once('error', j));
    const replies: unknown[] = [];
    ws.on('message', (d) => replies.push(JSON.parse(d.toString())));
    // A fixed number of frames: sent back to back, they queue up on the host like a flood would.
    const frames = await forBudget(0, 300, () => {
      const kind = rand.int(4);
      if (kind === 0) {
        const bytes = Buffer.alloc(rand.int(512));
        for (let i = 0; i < bytes.length; i++) bytes[i] = rand.int(256);
        ws.send(bytes, { binary: true });
      } else if (kind === 1) {
        ws.send(JSON.stringify(wildValue(rand, pools)));
      } else {
        const name = rand.pick(Object.keys(channels) as ChannelName[]);
        const envelope: Record<string, unknown> = {
          kind: rand.chance(0.9) ? 'call' : wildValue(rand, pools),
          id: rand.chance(0.9) ? rand.int(1e6) : wildValue(rand, pools),
          channel: rand.chance(0.9) ? name : rand.pick(pools.strings),
          input: valueFor(channels[name].input, rand, pools),
        };
        ws.send(JSON.stringify(envelope));
      }
    });
    // Every frame got an answer (a result or a typed refusal), and the connection still works.
    const probe = await within(
      60_000,
      'system.info after the frames',
      new Promise((resolve) => {
        ws.on('message', (d) => {
          const msg = JSON.parse(d.toString());
          if (msg.id === 99_999_999) resolve(msg);
        });
        ws.send(JSON.stringify({ kind: 'call', id: 99_999_999, channel: 'system.info', input: {} }));
      }),
    );
    expect(probe).toMatchObject({ ok: true });
    ws.close();

    // A text frame that is not UTF-8 breaks the protocol: that connection is closed (1007), the host goes on.
    const bad = new WebSocket(`ws://127.0.0.1:${host.port}/ws`);
    await new Promise((r, j) => bad.once('open', r).once('error', j));
    const closed = new Promise<number>((r) => bad.once('close', r));
    bad.send(Buffer.from([0xff, 0xfe, 0x7b]), { binary: false });
    expect(await within(CALL_TIMEOUT_MS, 'close after invalid UTF-8', closed)).toBe(1007);
    expect(await h.call('system.info', {})).toMatchObject({ shell: 'host' });
    const errors = replies.filter((r) => (r as { kind?: string }).kind === 'result' && !(r as { ok: boolean }).ok);
    expect(errors.length).toBeGreaterThan(frames / 4);
    for (const e of errors) expect(ERROR_CODES).toContain((e as { error: { code: string } }).error.code);
  }, 60_000);
});
