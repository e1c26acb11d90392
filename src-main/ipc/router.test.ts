import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channels, type ChannelName } from '../../src-shared/contract.js';
import { startStudio, type Studio } from '../studio.js';
import { tempStudioPaths } from '../test-support/temp-home.js';
import { Router } from './router.js';
import { StudioError } from '../../src-shared/domain/errors.js';

/** One valid and several invalid inputs for every channel; a new channel without cases fails this suite. */
const cases: { [K in ChannelName]: { good: unknown[]; bad: unknown[] } } = {
  'system.info': { good: [{}, undefined], bad: [{ extra: 1 }, 'x', 42, []] },
  'settings.get': { good: [{}], bad: [{ theme: 'dark' }, null as unknown as object] },
  'settings.set': {
    good: [{ theme: 'light' }, { rngMode: 'gpu', providerPreference: 'cpu' }, {}],
    bad: [
      { theme: 'purple' },
      { rngMode: 'quantum' },
      { unknownKey: true },
      { defaultModel: 5 },
      { modelsDir: 'relative/path' },
      'light',
    ],
  },
  'models.list': { good: [{}], bad: [{ dir: '/' }] },
  'models.install': {
    good: [],
    bad: [
      {},
      { repo: 'no-slash' },
      { repo: 'a/b', subfolder: '../x y' },
      { repo: '../../etc' },
      { repo: 'a/b', revision: '' },
    ],
  },
  'models.cancelInstall': { good: [{ installId: 'nope' }], bad: [{}] },
  'models.importFolder': { good: [], bad: [{ path: '/x' }, { path: '', mode: 'copy' }, { path: '/x', mode: 'move' }] },
  'models.delete': { good: [], bad: [{}, { name: '' }] },
  'models.setToken': { good: [{ token: null }], bad: [{}, { token: 'a b' }, { token: 'short' }] },
  'models.tokenStatus': { good: [{}], bad: [{ x: 1 }] },
  'models.networks': { good: [{}], bad: [{ x: 1 }, null] },
  'models.inspectCheckpoint': { good: [], bad: [{}, { path: '' }] },
  'models.convertCheckpoint': { good: [], bad: [{ path: 1 }, { name: 'x' }] },
  'models.cancelConvert': { good: [{ importId: 'a' }], bad: [{}, { importId: '' }] },
  'models.files': { good: [{}], bad: [{ kind: 'loras' }] },
  'models.deleteFile': { good: [], bad: [{ kind: 'models', file: 'a' }, { kind: 'loras' }] },
  'engine.providers': { good: [{}], bad: [{ name: 'cuda' }] },
  'jobs.list': { good: [{}], bad: [{ all: true }] },
  'jobs.move': { good: [], bad: [{ jobId: 'x' }, { jobId: 'x', index: -1 }, { index: 0 }] },
  'prompt.tokens': { good: [], bad: [{ model: 'm' }, { text: 'x' }, { model: '', text: 'x' }] },
  'job.cancel': {
    good: [{ jobId: 'no-such-job' }],
    bad: [{}, { jobId: '' }, { jobId: 5 }, { jobId: 'x'.repeat(101) }],
  },
  'gallery.search': {
    good: [{}, { query: 'circle', favourite: true, sort: 'random', randomSeed: 3, limit: 10 }],
    bad: [
      { limit: 0 },
      { limit: 10_000 },
      { sort: 'sideways' },
      { sampler: 'nope' },
      { cursor: 5 },
      { query: 'x'.repeat(501) },
      { extra: 1 },
    ],
  },
  'gallery.get': { good: [], bad: [{}, { id: -1 }, { id: 1.5 }, { id: '1' }] },
  'gallery.update': {
    good: [],
    bad: [
      { id: 1, favourite: 'yes' },
      { id: 1, tags: [''] },
      { id: 1, tags: ['x'.repeat(65)] },
      { id: 1, path: '/' },
    ],
  },
  'gallery.delete': { good: [{ ids: [999_999] }], bad: [{ ids: [] }, { ids: [0] }, { ids: 'all' }] },
  'gallery.lineage': { good: [], bad: [{ id: 0 }] },
  'styles.list': { good: [{}], bad: [{ x: 1 }] },
  'gallery.prompts': { good: [{}, { query: 'cat', limit: 5 }], bad: [{ limit: 0 }, { query: 5 }, { extra: 1 }] },
  'styles.save': {
    good: [{ name: 'Cinematic', prompt: '{prompt}, film grain', negativePrompt: '' }],
    bad: [{ name: '', prompt: 'x', negativePrompt: '' }, { name: 'x' }, { name: 'x', prompt: 1, negativePrompt: '' }],
  },
  'styles.delete': { good: [{ name: 'nothing' }], bad: [{ name: '' }, {}] },
  'styles.import': { good: [], bad: [{}, { csv: 5 }, { csv: 'x', more: 1 }] },
  'gallery.restore': { good: [{ ids: [999_999] }], bad: [{ ids: [] }, { ids: [-1] }, { id: 1 }] },
  'gallery.readMetadata': { good: [], bad: [{}, { data: '' }, { data: 'xx', extra: 1 }] },
  'gallery.import': { good: [], bad: [{ files: [] }, { files: [{ name: '', data: 'aaaa' }] }, { paths: ['/etc'] }] },
  'gallery.export': { good: [], bad: [{ ids: [1] }, { ids: [], withMetadata: true }] },
  'gallery.remix': { good: [], bad: [{ id: 'one' }] },
  'gallery.upscale': {
    good: [],
    bad: [
      { id: 1, upscaler: '../x', scale: 2 },
      { id: 1, upscaler: 'lanczos', scale: 9 },
      { id: 1, scale: 2 },
    ],
  },
  'gallery.cancelUpscale': { good: [{ taskId: 'none' }], bad: [{}, { taskId: '' }] },
  'plot.start': {
    good: [],
    bad: [{ x: 'seed=1,2' }, { request: { model: 'm', prompt: 'p' }, x: '' }, { request: {}, x: 'seed=1' }],
  },
  'plot.cancel': { good: [{ plotId: 'none' }], bad: [{}, { plotId: '' }] },
  'engine.outpaintCanvas': {
    good: [],
    bad: [
      { model: 'm', image: 'aGVsbG8gd29ybGQ=', left: 0, top: 0, right: 0, bottom: 0 },
      { model: 'm', image: 'aGVsbG8gd29ybGQ=', left: -1, top: 0, right: 0, bottom: 0 },
      { model: 'm', left: 64, top: 0, right: 0, bottom: 0 },
    ],
  },
  // Valid requests reach the service (see below); here only the validation side.
  'engine.generate': {
    good: [],
    bad: [
      {},
      { model: 'm', prompt: 'p', steps: 0 },
      { model: 'm', prompt: 'p', steps: 1000 },
      { model: 'm', prompt: 'p', width: 513 },
      { model: 'm', prompt: 'p', width: 8192 },
      { model: 'm', prompt: 'p', cfgScale: -1 },
      { model: 'm', prompt: 'p', sampler: 'k_euler_magic' },
      { model: 'm', prompt: 'p', seed: 1.5 },
      { model: 'm', prompt: 'p', seed: 2 ** 60 },
      { model: 'm', prompt: 'p', mode: 'img2img' },
      { model: 'm', prompt: 'p', mode: 'inpaint', initImage: 'aGVsbG8gd29ybGQ=' },
      { model: 'm', prompt: 'p', initImage: 'not base64!' },
      { model: 'm', prompt: 'p', batchCount: 100 },
      { model: 'm', prompt: 'p', rng: 'quantum' },
      { model: 'm', prompt: 'p', extra: true },
      { model: '', prompt: 'p' },
    ],
  },
};

describe('router', () => {
  const paths = tempStudioPaths();
  let studio: Studio;
  const logged: string[] = [];
  beforeAll(async () => {
    studio = await startStudio({ shell: 'host', paths, logger: { error: (m) => logged.push(m) } });
  });
  afterAll(async () => {
    await studio.close();
    paths.remove();
  });

  it('has test cases for every channel of the contract', () => {
    expect(Object.keys(cases).sort()).toEqual(Object.keys(channels).sort());
  });

  for (const [channel, { good, bad }] of Object.entries(cases)) {
    it(`${channel}: rejects bad inputs with INVALID_INPUT`, async () => {
      for (const input of bad) {
        // null is treated as "no input" for convenience, so it is valid for empty-input channels
        if (input === null) continue;
        const result = await studio.router.call(1, channel, input);
        expect(result.ok, `input ${JSON.stringify(input)}`).toBe(false);
        if (!result.ok) {
          expect(result.error.code).toBe('INVALID_INPUT');
          expect(result.error.message).toContain(channel);
        }
      }
    });
    it(`${channel}: accepts good inputs and answers in the contract's shape`, async () => {
      for (const input of good) {
        const result = await studio.router.call(2, channel, input);
        expect(result, `input ${JSON.stringify(input)}`).toMatchObject({ ok: true, id: 2 });
        if (result.ok) expect(channels[channel as ChannelName].output.safeParse(result.value).success).toBe(true);
      }
    });
  }

  it('engine.generate: a well-formed request reaches the engine, which names a missing model', async () => {
    const result = await studio.router.call(9, 'engine.generate', { model: 'no-such-model', prompt: 'a red circle' });
    expect(result).toMatchObject({ ok: false, error: { code: 'MODEL_NOT_FOUND' } });
    const traversal = await studio.router.call(10, 'engine.generate', { model: '../../etc', prompt: 'x' });
    expect(traversal).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });

  it('answers an unknown channel with UNKNOWN_CHANNEL', async () => {
    const result = await studio.router.call(3, 'fs.readFile', { path: '/etc/passwd' });
    expect(result).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    const proto = await studio.router.call(4, '__proto__', {});
    expect(proto).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
  });

  it('keeps stack traces and paths of unexpected errors out of the result', async () => {
    const unused = () => {
      throw new Error('not called');
    };
    const router = new Router(
      {
        'models.list': unused,
        'models.install': unused,
        'models.cancelInstall': unused,
        'models.importFolder': unused,
        'models.delete': unused,
        'models.setToken': unused,
        'models.tokenStatus': unused,
        'models.networks': unused,
        'gallery.upscale': unused,
        'plot.start': unused,
        'engine.outpaintCanvas': unused,
        'plot.cancel': unused,
        'gallery.cancelUpscale': unused,
        'models.inspectCheckpoint': unused,
        'models.convertCheckpoint': unused,
        'models.cancelConvert': unused,
        'models.files': unused,
        'models.deleteFile': unused,
        'gallery.search': unused,
        'gallery.get': unused,
        'gallery.update': unused,
        'gallery.delete': unused,
        'gallery.restore': unused,
        'gallery.readMetadata': unused,
        'gallery.lineage': unused,
        'styles.list': unused,
        'gallery.prompts': unused,
        'styles.save': unused,
        'styles.delete': unused,
        'styles.import': unused,
        'gallery.import': unused,
        'gallery.export': unused,
        'gallery.remix': unused,
        'engine.generate': unused,
        'engine.providers': unused,
        'job.cancel': unused,
        'prompt.tokens': unused,
        'jobs.list': unused,
        'jobs.move': unused,
        'system.info': () => {
          throw new Error('ENOENT: no such file /home/secret/thing.db');
        },
        'settings.get': () => {
          throw new StudioError('NOT_FOUND', 'No settings yet.');
        },
        'settings.set': () => ({ theme: 42 }) as never,
      },
      { error: (m) => logged.push(m) },
    );
    const internal = await router.call(5, 'system.info', {});
    expect(internal).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(JSON.stringify(internal)).not.toContain('/home/secret');
    expect(JSON.stringify(internal)).not.toContain('at ');
    expect(await router.call(6, 'settings.get', {})).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND', message: 'No settings yet.' },
    });
    // A service that answers outside the contract is caught in main, not passed on.
    expect(await router.call(7, 'settings.set', {})).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(logged.some((m) => m.includes('does not match the contract'))).toBe(true);
  });

  it('system.info reports the real onnxruntime providers and folders', async () => {
    const result = await studio.router.call(8, 'system.info', {});
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const info = result.value as {
      providers: { name: string; bundled: boolean; usable: boolean; reason: string | null }[];
      dataDir: string;
      versions: { onnxruntime: string };
    };
    expect(info.providers).toContainEqual({ name: 'cpu', bundled: true, usable: true, reason: null });
    // A provider this platform has no build of is listed as unavailable, with the reason.
    if (process.platform !== 'win32')
      expect(info.providers).toContainEqual(
        expect.objectContaining({ name: 'dml', usable: false, reason: expect.stringMatching(/no dml build/) }),
      );
    expect(info.dataDir).toBe(paths.dataDir);
    expect(info.versions.onnxruntime).toMatch(/^\d+\.\d+\.\d+/);
  });
});
