import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { formatInfotext, parseInfotext } from './a1111-parameters.js';
import { fromA1111Sampler, fromComfySampler, fromInvokeScheduler, toA1111Sampler } from './sampler-names.js';
import { readTextChunks, withChunks, withTextChunks, withoutMetadata, readChunks } from './png-chunks.js';
import { readImageMetadata } from './read-image-metadata.js';
import { MAX_IMAGE_FILE_BYTES, readRegularFile } from '../read-limited.js';
import { makePng } from '../test-support/images.js';
import { SAMPLERS } from '../../src-shared/domain/samplers.js';
import { EXACT_SAMPLER_IDS, isExactSamplerId, parseExactSampler } from '../../src-shared/domain/exact-samplers.js';

const base = {
  prompt: 'a red circle, (glowing:1.2)',
  negativePrompt: 'blurry',
  steps: 20,
  sampler: 'dpmpp_2m_karras' as const,
  cfgScale: 7,
  seed: 1234567890,
  width: 512,
  height: 768,
  model: 'embedded-shapes',
  modelHash: '6ce0161689',
  rng: 'gpu' as const,
};

describe('A1111 parameters', () => {
  it('lays the text out as A1111 does', () => {
    expect(formatInfotext(base)).toBe(
      'a red circle, (glowing:1.2)\nNegative prompt: blurry\nSteps: 20, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 7, Seed: 1234567890, Size: 512x768, Model hash: 6ce0161689, Model: embedded-shapes',
    );
  });
  it('omits an empty negative prompt, quotes values with commas or colons, writes RNG: CPU', () => {
    const text = formatInfotext({ ...base, negativePrompt: '', model: 'my: model, v2', rng: 'cpu', cfgScale: 6.5 });
    expect(text).toBe(
      'a red circle, (glowing:1.2)\nSteps: 20, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 6.5, Seed: 1234567890, Size: 512x768, Model hash: 6ce0161689, Model: "my: model, v2", RNG: CPU',
    );
  });
  it('round-trips through the parser', () => {
    const parsed = parseInfotext(formatInfotext({ ...base, prompt: 'line one\nline two', strength: 0.45 }));
    expect(parsed).toMatchObject({
      prompt: 'line one\nline two',
      negativePrompt: 'blurry',
      steps: 20,
      // Written as A1111 names it, read back as A1111's own recipe: A1111 reproduces the PNG, not diffusers.
      sampler: 'a1111:dpmpp_2m:karras',
      cfgScale: 7,
      seed: 1234567890,
      width: 512,
      height: 768,
      modelHash: '6ce0161689',
      model: 'embedded-shapes',
      strength: 0.45,
      rng: 'gpu',
    });
  });
  it('parses a real A1111 string with quoting, LoRA hashes and a multi-line negative', () => {
    const text =
      'masterpiece, <lora:add_detail:0.5>\nNegative prompt: EasyNegative,\nbad hands\nSteps: 25, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 7, Seed: 1234567890, Size: 512x768, Model hash: 6ce0161689, Model: v1-5-pruned-emaonly, Denoising strength: 0.45, Clip skip: 2, Lora hashes: "add_detail: 7c6bad76eb54", TI hashes: "EasyNegative: c74b4e810b03", Version: v1.10.1';
    const p = parseInfotext(text);
    expect(p).toMatchObject({
      prompt: 'masterpiece, <lora:add_detail:0.5>',
      negativePrompt: 'EasyNegative,\nbad hands',
      steps: 25,
      sampler: 'a1111:dpmpp_2m:karras',
      seed: 1234567890,
      width: 512,
      height: 768,
      strength: 0.45,
    });
    expect(p.settings['Lora hashes']).toBe('add_detail: 7c6bad76eb54');
  });
  it('writes and reads the variation seed as A1111 does, only when it has a strength', () => {
    const text = formatInfotext({ ...base, variationSeed: 4242, variationStrength: 0.35 });
    expect(text).toContain('Seed: 1234567890, Variation seed: 4242, Variation seed strength: 0.35, Size: 512x768');
    expect(parseInfotext(text)).toMatchObject({ variationSeed: 4242, variationStrength: 0.35 });
    expect(formatInfotext({ ...base, variationSeed: 4242, variationStrength: 0 })).not.toContain('Variation');
    expect(parseInfotext(formatInfotext(base))).toMatchObject({ variationSeed: null, variationStrength: null });
  });
  it("writes and reads A1111's Inpaint area: Only masked with its padding", () => {
    const text = formatInfotext({ ...base, inpaintArea: 'masked', maskPadding: 48 });
    expect(text).toContain('Inpaint area: Only masked, Masked area padding: 48');
    expect(parseInfotext(text)).toMatchObject({ inpaintArea: 'masked', maskPadding: 48 });
    expect(formatInfotext({ ...base, inpaintArea: 'whole' })).not.toContain('Inpaint area');
  });
  it("writes and reads A1111's Seed resize from, only when set", () => {
    const text = formatInfotext({ ...base, seedResizeFromWidth: 512, seedResizeFromHeight: 512 });
    expect(text).toContain('Seed: 1234567890, Seed resize from: 512x512, Size: 512x768');
    expect(parseInfotext(text)).toMatchObject({ seedResizeFromWidth: 512, seedResizeFromHeight: 512 });
    expect(formatInfotext(base)).not.toContain('Seed resize');
    expect(parseInfotext('x\nSteps: 20, Seed: 1, Seed resize from: -1x-1, Size: 512x512')).toMatchObject({
      seedResizeFromWidth: null,
      seedResizeFromHeight: null,
    });
  });
  it("writes and reads A1111's hires fix fields", () => {
    const text = formatInfotext({
      ...base,
      hiresScale: 2,
      hiresSteps: 10,
      hiresDenoise: 0.45,
      hiresUpscaler: 'latent',
    });
    expect(text).toMatch(/Denoising strength: 0.45, .*Hires upscale: 2, Hires steps: 10, Hires upscaler: Latent/);
    expect(parseInfotext(text)).toMatchObject({
      hiresScale: 2,
      hiresSteps: 10,
      hiresDenoise: 0.45,
      hiresUpscaler: 'latent',
    });
    const esrgan = parseInfotext(
      'a cat\nSteps: 20, Sampler: Euler a, Seed: 1, Size: 512x512, Denoising strength: 0.3, Hires upscale: 1.5, Hires upscaler: 4x-UltraSharp',
    );
    // An ESRGAN-family name is kept: it runs where the models folder's upscalers/ has it.
    expect(esrgan).toMatchObject({
      hiresScale: 1.5,
      hiresSteps: null,
      hiresDenoise: 0.3,
      hiresUpscaler: '4x-UltraSharp',
    });
    expect(formatInfotext({ ...base, hiresScale: 2, hiresUpscaler: '4x-UltraSharp' })).toContain(
      'Hires upscaler: 4x-UltraSharp',
    );
    expect(
      parseInfotext('x\nSteps: 2, Seed: 1, Size: 64x64, Hires upscale: 2, Hires upscaler: Lanczos').hiresUpscaler,
    ).toBe('lanczos');
    expect(formatInfotext(base)).not.toContain('Hires');
  });
  it('understands the old "DPM++ 2M Karras" sampler form', () => {
    expect(
      parseInfotext('a cat\nSteps: 20, Sampler: DPM++ 2M Karras, CFG scale: 7, Seed: 1, Size: 512x512').sampler,
    ).toBe('a1111:dpmpp_2m:karras');
    expect(
      parseInfotext('a cat\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1, Size: 512x512, ENSD: 31337').sampler,
    ).toBe('a1111:euler_a:automatic:ensd=31337');
  });
  it('maps every sampler there and back, in A1111, ComfyUI and InvokeAI names', () => {
    // A sampler and schedule that A1111 or ComfyUI runs come back as that tool's exact recipe...
    for (const id of EXACT_SAMPLER_IDS) {
      const exact = parseExactSampler(id)!;
      if (exact.tool === 'a1111') {
        const { sampler, schedule } = toA1111Sampler(id);
        expect(fromA1111Sampler(sampler, schedule)).toBe(id);
      } else expect(fromComfySampler(exact.sampler, exact.schedule)).toBe(id);
    }
    expect(toA1111Sampler('a1111:euler_a:automatic:ensd=31337')).toEqual({
      sampler: 'Euler a',
      schedule: 'Automatic',
      ensd: 31337,
    });
    expect(toA1111Sampler('comfyui:euler_ancestral:sgm_uniform')).toEqual({
      sampler: 'Euler a',
      schedule: 'SGM Uniform',
    });
    // ... the others as the nearest diffusers sampler.
    for (const row of SAMPLERS) {
      const { sampler, schedule } = toA1111Sampler(row.name);
      const back = fromA1111Sampler(sampler, schedule)!;
      expect(isExactSamplerId(back) || back === row.name).toBe(true);
      expect(fromInvokeScheduler(row.invoke)).toBe(row.name);
    }
    expect(fromA1111Sampler('PLMS', 'Automatic')).toBe('pndm');
    expect(fromA1111Sampler('DPM++ 2M SDE', 'Karras')).toBe('dpmpp_2m_sde_karras');
    expect(fromA1111Sampler('Euler', 'SGM Uniform')).toBe('euler');
    // ComfyUI's variants of a sampler we have once, on any schedule.
    expect(fromComfySampler('dpmpp_2m_sde_gpu', 'normal')).toBe('dpmpp_2m_sde_karras');
    expect(fromComfySampler('uni_pc_bh2', 'normal')).toBe('unipc');
    expect(fromComfySampler('euler', 'kl_optimal')).toBe('euler');
    expect(fromComfySampler('res_multistep', 'normal')).toBeNull();
    // A1111's DPM++ 2M SDE on its automatic schedule is not the Karras one we run.
    expect(fromA1111Sampler('DPM++ 2M SDE', 'Automatic')).toBeNull();
  });
});

describe('PNG text chunks', () => {
  it('writes tEXt for Latin-1 and iTXt otherwise, and reads both back', async () => {
    const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#ff0000' } })
      .png()
      .toBuffer();
    const out = withTextChunks(png, { parameters: 'a café', studio: '{"prompt":"日本の風景"}' });
    const types = readChunks(out).map((c) => c.type);
    expect(types).toContain('tEXt');
    expect(types).toContain('iTXt');
    expect(types[types.length - 1]).toBe('IEND');
    expect(readTextChunks(out)).toEqual({ parameters: 'a café', studio: '{"prompt":"日本の風景"}' });
    // Still a valid image, pixels untouched.
    expect((await sharp(out).raw().toBuffer()).equals(await sharp(png).raw().toBuffer())).toBe(true);
    expect(readTextChunks(withoutMetadata(out))).toEqual({});
  });
});

describe('metadata read with limits', () => {
  /** A zlib stream of about 1 MB that inflates to 1 GiB of "A". */
  const bomb = async () => {
    const deflater = zlib.createDeflate({ level: 9 });
    const parts: Buffer[] = [];
    deflater.on('data', (d: Buffer) => parts.push(d));
    const ended = new Promise((r) => deflater.on('end', r));
    const block = Buffer.alloc(16 * 1024 * 1024, 0x41);
    for (let i = 0; i < 64; i++) if (!deflater.write(block)) await new Promise((r) => deflater.once('drain', r));
    deflater.end();
    await ended;
    return Buffer.concat(parts);
  };

  it('reads a zip-bomb text chunk in bounded memory and time, and says it was not read', {
    timeout: 60_000,
  }, async () => {
    const png = withChunks(
      await makePng(1, { parameters: 'a cat\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 3, Size: 16x16' }, 16),
      [{ type: 'zTXt', data: Buffer.concat([Buffer.from('comment\0\0', 'latin1'), await bomb()]) }],
    );
    expect(png.length).toBeLessThan(2_000_000);
    const before = process.memoryUsage().rss;
    const started = performance.now();
    const meta = await readImageMetadata(png);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 2 ** 20);
    expect(meta.prompt).toBe('a cat');
    expect(meta.raw.comment).toBeUndefined();
    expect(meta.notes).toEqual([expect.stringMatching(/"comment" is larger than 1024 KiB once inflated/)]);
  });

  it('refuses a device or a FIFO named like an image, at once', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-limits-'));
    try {
      fs.symlinkSync('/dev/zero', path.join(dir, 'zero.png'));
      expect(() => readRegularFile(path.join(dir, 'zero.png'), MAX_IMAGE_FILE_BYTES)).toThrow(/not a regular file/);
      const fifo = path.join(dir, 'pipe.png');
      if (spawnSync('mkfifo', [fifo]).status === 0)
        expect(() => readRegularFile(fifo, MAX_IMAGE_FILE_BYTES)).toThrow(/not a regular file/);
      fs.writeFileSync(path.join(dir, 'big.png'), Buffer.alloc(2048));
      expect(() => readRegularFile(path.join(dir, 'big.png'), 1024)).toThrow(/over the .* limit/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
