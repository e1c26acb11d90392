import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TINY_SD } from '../test-support/fixtures.js';
import { filesOf, startFakeHub, type FakeHub } from '../test-support/fake-hub.js';
import { tempStudioPaths } from '../test-support/temp-home.js';
import { HubClient } from './hub-client.js';
import { ModelInstaller, type InstallProgress } from './model-installer.js';
import { ModelRegistry } from './model-registry.js';

describe('installing a model from a hub', () => {
  let hub: FakeHub;
  let paths: ReturnType<typeof tempStudioPaths>;
  const tiny = filesOf(TINY_SD);
  const unetSize = tiny['unet/model.onnx']?.length ?? 0;

  beforeAll(async () => {
    hub = await startFakeHub({
      'org/tiny': {
        files: {
          ...tiny,
          'README.md': Buffer.from('# tiny'),
          'unet/diffusion_pytorch_model.safetensors.bak': Buffer.from('x'),
        },
      },
      'org/nested': { files: Object.fromEntries(Object.entries(tiny).map(([k, v]) => [`onnx/${k}`, v])) },
      'org/badsha': { files: tiny, wrongSha: ['unet/model.onnx'] },
      'org/pytorch-only': {
        files: {
          'model_index.json': Buffer.from('{}'),
          'unet/diffusion_pytorch_model.safetensors': Buffer.alloc(2048),
        },
      },
    });
  });
  afterAll(() => hub?.close());
  beforeEach(() => {
    paths = tempStudioPaths();
    fs.mkdirSync(paths.modelsDir, { recursive: true });
    hub.served.clear();
    hub.requests.clear();
    hub.slowMs = 0;
  });
  const installer = () => new ModelInstaller(paths.modelsDir, new HubClient(hub.url, null));
  const leftovers = () =>
    fs
      .readdirSync(paths.modelsDir)
      .filter((f) => f !== '.downloads')
      .concat(
        fs.existsSync(path.join(paths.modelsDir, '.downloads'))
          ? fs.readdirSync(path.join(paths.modelsDir, '.downloads'))
          : [],
      );

  it('installs only the layout files and registers the model when complete', async () => {
    const progress: InstallProgress[] = [];
    const name = await installer().install(
      { repo: 'org/tiny', revision: 'main' },
      { onProgress: (p) => progress.push(p) },
    );
    expect(name).toBe('tiny');
    const dir = path.join(paths.modelsDir, 'tiny');
    expect(fs.existsSync(path.join(dir, 'README.md'))).toBe(false);
    expect(fs.readFileSync(path.join(dir, 'unet', 'model.onnx')).equals(tiny['unet/model.onnx']!)).toBe(true);
    expect(progress.at(-1)).toMatchObject({ filesDone: progress.at(-1)!.filesTotal });
    expect(progress.at(-1)!.bytesDone).toBe(progress.at(-1)!.bytesTotal);
    const registry = new ModelRegistry(paths.dataDir, () => [{ dir: paths.modelsDir, source: 'user' }]);
    expect(registry.list()).toMatchObject([{ name: 'tiny', family: 'custom', problem: null, precision: 'float32' }]);
    expect(await registry.hash(dir)).toMatch(/^[0-9a-f]{10}$/);
  });

  it('takes a subfolder, and names the model after it', async () => {
    expect(await installer().install({ repo: 'org/nested', revision: 'main', subfolder: 'onnx' })).toBe('nested-onnx');
  });

  it('resumes a file whose connection was cut, without downloading again what it had', async () => {
    hub.cutOnce.add('unet/model.onnx');
    await installer().install({ repo: 'org/tiny', revision: 'main' });
    // The second request asks only for the rest; bytes lost in flight when the socket died are sent again, nothing more.
    const [first, resumedAt] = hub.requests.get('unet/model.onnx')!;
    expect(first).toBe(0);
    expect(resumedAt).toBeGreaterThan(0);
    expect(hub.served.get('unet/model.onnx')!).toBeLessThan(unetSize + unetSize / 2);
    expect(
      fs.readFileSync(path.join(paths.modelsDir, 'tiny', 'unet', 'model.onnx')).equals(tiny['unet/model.onnx']!),
    ).toBe(true);
  });

  it('resumes after a restart from the partial files left in the download folder', async () => {
    const work = path.join(paths.modelsDir, '.downloads', 'org--tiny@c0ffee1234', 'unet');
    fs.mkdirSync(work, { recursive: true });
    fs.writeFileSync(path.join(work, 'model.onnx.part'), tiny['unet/model.onnx']!.subarray(0, 100_000));
    await installer().install({ repo: 'org/tiny', revision: 'main' });
    expect(hub.served.get('unet/model.onnx')).toBe(unetSize - 100_000);
  });

  it('rejects a file whose sha256 does not match and registers nothing', async () => {
    await expect(installer().install({ repo: 'org/badsha', revision: 'main' })).rejects.toMatchObject({
      code: 'BROKEN_MODEL',
      message: expect.stringContaining('unet/model.onnx'),
    });
    expect(fs.existsSync(path.join(paths.modelsDir, 'badsha'))).toBe(false);
  });

  it('cancel leaves nothing behind', async () => {
    hub.slowMs = 20;
    const controller = new AbortController();
    const run = installer().install(
      { repo: 'org/tiny', revision: 'main' },
      { signal: controller.signal, onProgress: (p) => p.bytesDone > 50_000 && controller.abort() },
    );
    await expect(run).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(leftovers()).toEqual([]);
  });

  it('says clearly when the repository does not exist or has no ONNX layout', async () => {
    await expect(installer().install({ repo: 'org/missing', revision: 'main' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(installer().install({ repo: 'org/pytorch-only', revision: 'main' })).rejects.toMatchObject({
      code: 'UNSUPPORTED_MODEL',
      message: expect.stringContaining('no ONNX Stable Diffusion layout'),
    });
    expect(leftovers()).toEqual([]);
  });

  it('refuses to overwrite an installed model', async () => {
    fs.mkdirSync(path.join(paths.modelsDir, 'tiny'));
    await expect(installer().install({ repo: 'org/tiny', revision: 'main' })).rejects.toThrow(/already installed/);
  });
});
