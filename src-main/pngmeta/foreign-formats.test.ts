import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { parseComfyPrompt, parseInvokeMetadata } from './foreign-formats.js';
import { readUserComment } from './exif-user-comment.js';
import { readImageMetadata, UnreadableImageError } from './read-image-metadata.js';
import { withTextChunks } from './png-chunks.js';

const COMFY = JSON.stringify({
  '3': {
    class_type: 'KSampler',
    inputs: {
      seed: 156680208700286,
      steps: 20,
      cfg: 8,
      sampler_name: 'dpmpp_2m',
      scheduler: 'karras',
      denoise: 1,
      model: ['4', 0],
      positive: ['6', 0],
      negative: ['7', 0],
      latent_image: ['5', 0],
    },
  },
  '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'v1-5-pruned-emaonly.safetensors' } },
  '5': { class_type: 'EmptyLatentImage', inputs: { width: 512, height: 768, batch_size: 1 } },
  '6': { class_type: 'CLIPTextEncode', inputs: { text: 'a cozy cabin in the snow', clip: ['4', 1] } },
  '7': { class_type: 'CLIPTextEncode', inputs: { text: 'blurry, lowres', clip: ['4', 1] } },
  '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
  '9': { class_type: 'SaveImage', inputs: { filename_prefix: 'ComfyUI', images: ['8', 0] } },
});

const INVOKE = JSON.stringify({
  generation_mode: 'sdxl_txt2img',
  positive_prompt: 'dark abstract colored painting',
  negative_prompt: 'image frame',
  width: 832,
  height: 1216,
  seed: 1554095076,
  rand_device: 'cpu',
  cfg_scale: 15.0,
  steps: 50,
  scheduler: 'euler',
  model: { key: 'k', hash: 'blake3:6a225d44', name: 'duchaitenRealnsfwXL_v10', base: 'sdxl', type: 'main' },
  app_version: '5.4.3',
});

/** A little-endian EXIF block with an Exif IFD holding one UserComment. */
function exifWithUserComment(text: string, charset: 'UNICODE' | 'ASCII'): Buffer {
  const body = charset === 'UNICODE' ? Buffer.from(text, 'utf16le').swap16() : Buffer.from(text, 'latin1');
  const comment = Buffer.concat([Buffer.from(charset.padEnd(8, '\0'), 'latin1'), body]);
  const tiff = Buffer.alloc(8 + 2 + 12 + 4 + 2 + 12 + 4);
  tiff.write('II', 0, 'latin1');
  tiff.writeUInt16LE(42, 2);
  tiff.writeUInt32LE(8, 4);
  tiff.writeUInt16LE(1, 8); // IFD0: one entry, the Exif IFD pointer
  tiff.writeUInt16LE(0x8769, 10);
  tiff.writeUInt16LE(4, 12);
  tiff.writeUInt32LE(1, 14);
  tiff.writeUInt32LE(26, 18);
  tiff.writeUInt16LE(1, 26); // Exif IFD: UserComment
  tiff.writeUInt16LE(0x9286, 28);
  tiff.writeUInt16LE(7, 30);
  tiff.writeUInt32LE(comment.length, 32);
  tiff.writeUInt32LE(tiff.length, 36);
  return Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff, comment]);
}

describe('foreign metadata', () => {
  it('follows the ComfyUI KSampler links to prompts, seed, steps, cfg, sampler, size and checkpoint', () => {
    expect(parseComfyPrompt(COMFY)).toMatchObject({
      prompt: 'a cozy cabin in the snow',
      negativePrompt: 'blurry, lowres',
      seed: 156680208700286,
      steps: 20,
      cfgScale: 8,
      sampler: 'comfyui:dpmpp_2m:karras',
      width: 512,
      height: 768,
      model: 'v1-5-pruned-emaonly',
      strength: null,
    });
  });
  it('reads InvokeAI metadata', () => {
    expect(parseInvokeMetadata(INVOKE)).toMatchObject({
      prompt: 'dark abstract colored painting',
      negativePrompt: 'image frame',
      seed: 1554095076,
      steps: 50,
      cfgScale: 15,
      sampler: 'euler',
      width: 832,
      height: 1216,
      model: 'duchaitenRealnsfwXL_v10',
      modelHash: 'blake3:6a225d44',
    });
  });
  it('survives garbage', () => {
    expect(parseComfyPrompt('{not json')).toBeNull();
    expect(parseComfyPrompt('{"1": {"class_type": "SaveImage"}}')).toBeNull();
    expect(parseInvokeMetadata('[]')).toMatchObject({ prompt: '', sampler: null });
  });
  it('reads A1111 parameters from EXIF UserComment (UTF-16 and ASCII)', () => {
    const text = 'a cat\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 5, Size: 512x512';
    expect(readUserComment(exifWithUserComment(text, 'UNICODE'))).toBe(text);
    expect(readUserComment(exifWithUserComment(text, 'ASCII'))).toBe(text);
    expect(readUserComment(Buffer.from('nonsense'))).toBeNull();
  });
});

describe('readImageMetadata', () => {
  const png = () =>
    sharp({ create: { width: 8, height: 6, channels: 3, background: '#123456' } })
      .png()
      .toBuffer();
  it('tells the source apart', async () => {
    expect((await readImageMetadata(withTextChunks(await png(), { prompt: COMFY }))).source).toBe('comfyui');
    expect((await readImageMetadata(withTextChunks(await png(), { invokeai_metadata: INVOKE }))).source).toBe(
      'invokeai',
    );
    const a1111 = await readImageMetadata(
      withTextChunks(await png(), { parameters: 'a dog\nSteps: 9, Sampler: DDIM, CFG scale: 5, Seed: 3, Size: 8x6' }),
    );
    expect(a1111).toMatchObject({
      source: 'a1111',
      prompt: 'a dog',
      steps: 9,
      sampler: 'a1111:ddim:automatic',
      seed: 3,
    });
  });
  it("takes the generation size from the metadata (a hires-fixed or upscaled picture is larger), the pixels' beside it", async () => {
    const upscaled = await readImageMetadata(
      withTextChunks(await png(), { parameters: 'a dog\nSteps: 9, Sampler: DDIM, CFG scale: 5, Seed: 3, Size: 4x3' }),
    );
    expect(upscaled).toMatchObject({ width: 4, height: 3, pixelWidth: 8, pixelHeight: 6 });
    const absurd = await readImageMetadata(
      withTextChunks(await png(), {
        parameters: 'a dog\nSteps: 9, Sampler: DDIM, CFG scale: 5, Seed: 3, Size: 0x99999',
      }),
    );
    expect(absurd).toMatchObject({ width: 8, height: 6 });
  });
  it('imports a plain image with what can be read', async () => {
    expect(await readImageMetadata(await png())).toMatchObject({ source: 'none', width: 8, height: 6, prompt: '' });
    const jpeg = await sharp(await png())
      .jpeg()
      .toBuffer();
    expect(await readImageMetadata(jpeg)).toMatchObject({ source: 'none', format: 'jpeg' });
  });
  it('rejects bytes that are no image', async () => {
    await expect(readImageMetadata(Buffer.from('hello'))).rejects.toBeInstanceOf(UnreadableImageError);
  });
});

describe('metadata for the tool a picture was sampled for', () => {
  const settings = {
    mode: 'txt2img' as const,
    prompt: 'a lighthouse at dusk',
    negativePrompt: 'blurry',
    sampler: 'comfyui:euler_ancestral:karras' as const,
    steps: 12,
    cfgScale: 6.5,
    seed: 4242,
    rng: 'cpu' as const,
    width: 512,
    height: 768,
    strength: 1,
    batchIndex: 0,
  };
  const facts = {
    modelName: 'v1-5-pruned-emaonly',
    modelHash: null,
    modelFamily: 'sd1',
    provider: 'cpu',
    engineVersion: '0.0.0',
    runtimeVersion: '1.0.0',
  };
  const png = () =>
    sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } })
      .png()
      .toBuffer();

  it('a ComfyUI-exact picture carries a ComfyUI graph that reads back as the same recipe', async () => {
    const { annotatePng } = await import('./studio-metadata.js');
    const { readTextChunks } = await import('./png-chunks.js');
    const chunks = readTextChunks(annotatePng(await png(), settings, facts));
    expect(parseComfyPrompt(chunks.prompt!)).toMatchObject({
      prompt: 'a lighthouse at dusk',
      negativePrompt: 'blurry',
      sampler: 'comfyui:euler_ancestral:karras',
      steps: 12,
      cfgScale: 6.5,
      seed: 4242,
      width: 512,
      height: 768,
      model: 'v1-5-pruned-emaonly',
    });
    // A1111's text names the same algorithm as A1111 does.
    expect(chunks.parameters).toContain('Sampler: Euler a, Schedule type: Karras');
  });

  it('an A1111-exact picture writes A1111 names and ENSD, and no ComfyUI graph', async () => {
    const { annotatePng } = await import('./studio-metadata.js');
    const { readTextChunks } = await import('./png-chunks.js');
    const chunks = readTextChunks(
      annotatePng(await png(), { ...settings, sampler: 'a1111:dpm2_a:exponential:ensd=31337' }, facts),
    );
    expect(chunks.prompt).toBeUndefined();
    expect(chunks.parameters).toMatch(/Sampler: DPM2 a, Schedule type: Exponential, .*RNG: CPU, ENSD: 31337/);
  });
});
