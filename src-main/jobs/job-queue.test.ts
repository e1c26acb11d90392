import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES_DIR } from '../test-support/fixtures.js';
import { startStudioWithTinySd, type StudioHarness } from '../test-support/studio-harness.js';
import { decodePngToRgb, imageDifference } from '../engine/index.js';
import { readTextChunks } from '../pngmeta/png-chunks.js';
import { parseInfotext } from '../pngmeta/a1111-parameters.js';

describe('generation jobs through the contract and the engine worker', () => {
  let h: StudioHarness;
  beforeAll(async () => {
    h = await startStudioWithTinySd();
  });
  afterAll(async () => {
    await h?.close();
  });
  /** Submits a job on tiny-sd (64x64 unless asked otherwise) and returns its id. */
  const submit = async (params: Record<string, unknown>): Promise<string> =>
    ((await h.call('engine.generate', { model: 'tiny-sd', width: 64, height: 64, ...params })) as { jobId: string })
      .jobId;

  it('lists tiny-sd as a usable model beside the built-in one, which is the default', async () => {
    const { models, defaultModel } = (await h.call('models.list', {})) as { models: unknown[]; defaultModel: string };
    expect(models).toContainEqual(expect.objectContaining({ name: 'tiny-sd', source: 'user', problem: null }));
    expect(models).toContainEqual(
      expect.objectContaining({ name: 'studio-shapes', source: 'builtin', problem: null, nativeSize: 128 }),
    );
    expect(defaultModel).toBe('studio-shapes');
  });

  it('counts prompt tokens in 75-token chunks and reports the emphasis', async () => {
    expect(await h.call('prompt.tokens', { model: 'tiny-sd', text: 'a (red:1.5) circle' })).toMatchObject({
      tokens: 3,
      chunks: 1,
      fragments: [
        { text: 'a ', weight: 1 },
        { text: 'red', weight: 1.5 },
        { text: ' circle', weight: 1 },
      ],
    });
    expect(await h.call('prompt.tokens', { model: 'tiny-sd', text: Array(80).fill('cat').join(' ') })).toMatchObject({
      tokens: 80,
      chunks: 2,
    });
    // Prompt editing: the longest text the schedule reaches, not the syntax.
    expect(
      await h.call('prompt.tokens', { model: 'tiny-sd', text: '[a cat:a big red dog on a hill:0.5]' }),
    ).toMatchObject({
      tokens: 7,
      chunks: 1,
      parts: [
        {
          weight: 1,
          schedule: [
            { endStep: 10, text: 'a cat' },
            { endStep: 20, text: 'a big red dog on a hill' },
          ],
        },
      ],
    });
    // AND parts with their weights; the emphasis is read from the texts, not from the editing brackets.
    expect(
      await h.call('prompt.tokens', { model: 'tiny-sd', text: '[a cat:a dog:5] AND a hat :0.5', steps: 10 }),
    ).toMatchObject({
      parts: [
        {
          weight: 1,
          schedule: [
            { endStep: 5, text: 'a cat' },
            { endStep: 10, text: 'a dog' },
          ],
        },
        { weight: 0.5, schedule: [{ endStep: 10, text: ' a hat' }] },
      ],
      fragments: [{ text: 'a cat AND  a hat', weight: 1 }],
    });
    // An embedding in the models folder counts as its vectors (2 here), not as the tokens of its name.
    const plain = (await h.call('prompt.tokens', { model: 'tiny-sd', text: 'a red-thing cat' })) as { tokens: number };
    const embeddings = path.join(h.studio.paths.modelsDir, 'embeddings');
    fs.mkdirSync(embeddings, { recursive: true });
    fs.copyFileSync(
      path.join(FIXTURES_DIR, 'byo', 'red-thing.safetensors'),
      path.join(embeddings, 'red-thing.safetensors'),
    );
    expect(await h.call('prompt.tokens', { model: 'tiny-sd', text: 'a red-thing cat' })).toMatchObject({ tokens: 4 });
    expect(plain.tokens).toBeGreaterThan(4);
    fs.rmSync(embeddings, { recursive: true });
  });

  it('generates the diffusers reference image with progress, previews and metadata', async () => {
    const jobId = await submit({
      prompt: 'a red circle on a blue background',
      seed: 42,
      steps: 8,
      sampler: 'euler_a',
      cfgScale: 7.5,
      rng: 'cpu',
    });
    const done = await h.waitForDone(jobId);
    expect(done).toMatchObject({ status: 'succeeded', error: null, provider: 'cpu' });
    const progress = h.progressOf(jobId);
    expect(progress.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(progress.at(-1)!.preview).toBeTruthy();
    expect(progress.at(-1)!.etaMs).toBe(0);

    const png = Buffer.from(done.images[0]!.png, 'base64');
    const want = await decodePngToRgb(fs.readFileSync(path.join(FIXTURES_DIR, 'pipeline-refs', 'txt2img-euler-a.png')));
    const got = await decodePngToRgb(png);
    expect(imageDifference(got.data, want.data).max).toBeLessThanOrEqual(2);
    // Saved to the gallery before job.done, with every parameter.
    const item = await h.call('gallery.get', { id: done.images[0]!.galleryId! });
    expect(item).toMatchObject({
      prompt: 'a red circle on a blue background',
      seed: 42,
      steps: 8,
      sampler: 'euler_a',
      cfgScale: 7.5,
      rng: 'cpu',
      modelName: 'tiny-sd',
      provider: 'cpu',
      mode: 'txt2img',
      source: 'latent-studio',
      strength: null,
      batchIndex: 0,
    });
    // The engine's facts about the run, handed over beside the image.
    expect(item).toMatchObject({
      modelHash: expect.stringMatching(/^[0-9a-f]{10}$/),
      engineVersion: expect.any(String),
      runtimeVersion: expect.stringMatching(/^onnxruntime-node \d+\.\d+/),
    });
    const info = parseInfotext(readTextChunks(png).parameters!);
    expect(info).toMatchObject({
      prompt: 'a red circle on a blue background',
      seed: 42,
      steps: 8,
      // Read by another tool's rules the text names A1111's Euler a: remix runs it as A1111 does.
      sampler: 'a1111:euler_a:automatic',
      cfgScale: 7.5,
      width: 64,
      height: 64,
      rng: 'cpu',
      model: 'tiny-sd',
    });
  });

  it('applies a <lora:NAME:WEIGHT> from the models folder and keeps the tag in the record', async () => {
    const loras = path.join(h.studio.paths.modelsDir, 'loras');
    fs.mkdirSync(loras, { recursive: true });
    fs.copyFileSync(path.join(FIXTURES_DIR, 'byo', 'lora.safetensors'), path.join(loras, 'detail.safetensors'));
    const prompt = 'a photograph of an astronaut riding a horse <lora:detail:0.8>';
    const jobId = await submit({ prompt, seed: 1234, steps: 10, sampler: 'euler', cfgScale: 7, rng: 'cpu' });
    const done = await h.waitForDone(jobId);
    expect(done).toMatchObject({ status: 'succeeded', warnings: [] });
    const got = await decodePngToRgb(Buffer.from(done.images[0]!.png, 'base64'));
    const want = await decodePngToRgb(fs.readFileSync(path.join(FIXTURES_DIR, 'byo', 'lora-w0.8.png')));
    expect(imageDifference(got.data, want.data).max).toBeLessThanOrEqual(2);
    expect(await h.call('gallery.get', { id: done.images[0]!.galleryId! })).toMatchObject({ prompt });
    const info = parseInfotext(readTextChunks(Buffer.from(done.images[0]!.png, 'base64')).parameters!);
    expect(info.prompt).toBe(prompt);
    // A1111's LoRA hash: sha256 of the tensor data after the header, 12 hex digits.
    const file = fs.readFileSync(path.join(loras, 'detail.safetensors'));
    const data = file.subarray(8 + Number(file.readBigUInt64LE(0)));
    expect(info.settings['Lora hashes']).toBe(
      `detail: ${crypto.createHash('sha256').update(data).digest('hex').slice(0, 12)}`,
    );
    // A LoRA the folder lacks is refused when the job is submitted, by name.
    await expect(submit({ prompt: 'x <lora:nowhere:1>', steps: 1 })).rejects.toThrow(/LoRA "nowhere"/);
    // A hypernetwork tag (not supported) is left out of the text, and the job says so.
    const hyper = await h.waitForDone(await submit({ prompt: 'x <hypernet:old:1>', steps: 1 }));
    expect(hyper).toMatchObject({ status: 'succeeded' });
    expect(hyper.warnings).toEqual(['<hypernet:old> was left out: hypernetworks are not supported']);
  });

  it('an image the gallery cannot save (disk full) is reported with the job, never a crash', async () => {
    const gallery = h.studio.gallery;
    const save = gallery.saveGenerated;
    gallery.saveGenerated = async () => {
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    };
    try {
      const done = await h.waitForDone(await submit({ prompt: 'full disk', steps: 1, batchCount: 2 }));
      expect(done.status).toBe('succeeded');
      expect(done.images.map((i) => i.galleryId)).toEqual([null, null]);
      expect(done.warnings).toEqual([
        'Image 1 could not be saved to the gallery: ENOSPC: no space left on device, write',
        'Image 2 could not be saved to the gallery: ENOSPC: no space left on device, write',
      ]);
    } finally {
      gallery.saveGenerated = save;
    }
    // The studio goes on.
    expect((await h.waitForDone(await submit({ prompt: 'after', steps: 1 }))).images[0]!.galleryId).not.toBeNull();
  });

  it('the same picture generated again is the one gallery item, and the job says so', async () => {
    const params = { prompt: 'twice the same', seed: 4321, steps: 2, sampler: 'euler', rng: 'cpu' };
    const first = await h.waitForDone(await submit(params));
    const second = await h.waitForDone(await submit(params));
    expect(second.images[0]!.galleryId).toBe(first.images[0]!.galleryId);
    expect(first.warnings).toEqual([]);
    expect(second.warnings).toEqual([expect.stringMatching(/Image 1: the same picture is already in the gallery/)]);
  });

  it('gives each batch image its own seed (seed, seed + 1, ...) and picks a seed for -1', async () => {
    const jobId = await submit({
      prompt: 'x',
      seed: 100,
      steps: 2,
      batchCount: 2,
    });
    const done = await h.waitForDone(jobId);
    expect(done.images.map((i) => i.seed)).toEqual([100, 101]);
    const random = await submit({
      prompt: 'x',
      steps: 1,
    });
    const r = await h.waitForDone(random);
    expect(r.images[0]!.seed).toBeGreaterThanOrEqual(0);
  });

  it('cancels a running job within a step, and a queued one before it starts', async () => {
    const running = await submit({
      prompt: 'long',
      steps: 200,
      width: 128,
      height: 128,
    });
    const queued = await submit({
      prompt: 'next',
      steps: 2,
    });
    expect(await h.call('job.cancel', { jobId: queued })).toEqual({ cancelled: true });
    while (h.progressOf(running).length === 0) await new Promise((r) => setTimeout(r, 20));
    expect(await h.call('job.cancel', { jobId: running })).toEqual({ cancelled: true });
    const done = await h.waitForDone(running);
    expect(done.status).toBe('cancelled');
    expect(h.progressOf(running).length).toBeLessThan(200);
    expect((await h.waitForDone(queued)).status).toBe('cancelled');
    // The engine keeps working afterwards.
    const after = await submit({
      prompt: 'after',
      steps: 2,
    });
    expect((await h.waitForDone(after)).status).toBe('succeeded');
  });

  it('keeps lineage: an img2img of a gallery image records its init image and its parent', async () => {
    const first = await submit({
      prompt: 'parent',
      steps: 2,
      seed: 5,
    });
    const parent = (await h.waitForDone(first)).images[0]!;
    const child = await submit({
      prompt: 'child',
      mode: 'img2img',
      initImage: parent.png,
      strength: 0.5,
      steps: 4,
      seed: 6,
      parentId: parent.galleryId,
    });
    const done = await h.waitForDone(child);
    expect(done.status).toBe('succeeded');
    const item = (await h.call('gallery.get', { id: done.images[0]!.galleryId! })) as {
      parentId: number;
      initImage: string;
      strength: number;
      mode: string;
    };
    expect(item).toMatchObject({ parentId: parent.galleryId, mode: 'img2img', strength: 0.5 });
    expect(item.initImage).toMatch(/^images\//);
    const lineage = (await h.call('gallery.lineage', { id: parent.galleryId })) as { descendants: { id: number }[] };
    expect(lineage.descendants.map((d) => d.id)).toEqual([done.images[0]!.galleryId]);
  });

  it('runs queued jobs in the order the user arranges', async () => {
    const long = await submit({
      prompt: 'first',
      steps: 60,
      width: 128,
      height: 128,
    });
    const ids: string[] = [];
    for (const p of ['a', 'b', 'c']) ids.push(await submit({ prompt: p, steps: 1 }));
    const moved = (await h.call('jobs.move', { jobId: ids[2], index: 0 })) as {
      running: { jobId: string } | null;
      pending: { jobId: string; prompt: string }[];
    };
    expect(moved.pending.map((j) => j.prompt)).toEqual(['c', 'a', 'b']);
    expect(moved.running?.jobId).toBe(long);
    await Promise.all([long, ...ids].map((id) => h.waitForDone(id)));
    const order = h.events
      .filter((e) => e.event === 'job.done')
      .map((e) => (e.payload as { jobId: string }).jobId)
      .filter((id) => ids.includes(id));
    expect(order).toEqual([ids[2], ids[0], ids[1]]);
    expect(await h.call('jobs.list', {})).toEqual({ running: null, pending: [] });
    await expect(h.call('jobs.move', { jobId: ids[0], index: 0 })).rejects.toThrow(/not waiting/);
  });

  it('reports a bad size or a bad init image as a failed job with a readable error', async () => {
    const bad = await submit({
      prompt: 'x',
      mode: 'img2img',
      initImage: Buffer.from('definitely not an image').toString('base64'),
      steps: 2,
    });
    const done = await h.waitForDone(bad);
    expect(done).toMatchObject({ status: 'failed', error: { code: 'INVALID_INPUT' } });
    expect(done.error!.message).toContain('init image');
  });
});

describe('closing the studio', () => {
  it('while a job runs: the job stops, sessions are released, the process goes on', async () => {
    const h = await startStudioWithTinySd();
    const { jobId } = (await h.call('engine.generate', {
      model: 'tiny-sd',
      prompt: 'closing',
      steps: 50,
      batchCount: 4,
      width: 64,
      height: 64,
    })) as { jobId: string };
    const deadline = Date.now() + 60_000;
    while (h.progressOf(jobId).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(h.progressOf(jobId).length).toBeGreaterThan(0);
    const started = Date.now();
    await h.close(); // terminating the thread inside session.run() would abort this whole process
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 120_000);
});
