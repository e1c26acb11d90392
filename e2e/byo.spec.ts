import { expect, test } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { callHost } from './helpers/contract-client';
import { fillGenerateForm, imagePixels } from './helpers/generate-form';
import { spawnHost, TINY_SD, type SpawnedHost } from './helpers/host';

const BYO = path.resolve(import.meta.dirname, '..', 'test', 'fixtures', 'byo');
const PROMPT = 'a photograph of an astronaut riding a horse';

let host: SpawnedHost;
test.beforeAll(async () => {
  host = await spawnHost([], {}, (home) => {
    const models = path.join(home, 'models');
    fs.mkdirSync(path.join(models, 'loras'), { recursive: true });
    fs.symlinkSync(TINY_SD, path.join(models, 'tiny-sd'), 'dir');
    fs.copyFileSync(path.join(BYO, 'lora.safetensors'), path.join(models, 'loras', 'detail.safetensors'));
    fs.copyFileSync(path.join(BYO, 'lora.safetensors'), path.join(models, 'loras', 'spare.safetensors'));
    // A preview picture beside a LoRA, as CivitAI helpers save them; a broken one beside the other.
    fs.copyFileSync(path.join(BYO, 'lora-w0.8.png'), path.join(models, 'loras', 'detail.preview.png'));
    fs.writeFileSync(path.join(models, 'loras', 'spare.png'), 'not a picture');
    // The fixture checkpoint carries first_stage_model.* keys: a VAE file as A1111 users keep them.
    fs.mkdirSync(path.join(models, 'vae'), { recursive: true });
    fs.copyFileSync(path.join(BYO, 'checkpoint.safetensors'), path.join(models, 'vae', 'tiny-vae.safetensors'));
    fs.copyFileSync(path.join(BYO, 'checkpoint.safetensors'), path.join(home, 'My Finetune.safetensors'));
    fs.mkdirSync(path.join(home, 'data'), { recursive: true });
    fs.writeFileSync(
      path.join(home, 'data', 'settings.json'),
      JSON.stringify({ providerPreference: 'cpu', defaultModel: 'tiny-sd' }),
    );
  });
});
test.afterAll(async () => host?.close());

test('pick a LoRA from the models folder, generate, find it in the gallery and the exported PNG, remix it', async ({
  page,
}) => {
  await page.goto(host.url);
  await expect(page.getByTestId('model-select')).toHaveValue('tiny-sd');
  // A picked LoRA goes where the cursor is.
  await page.getByTestId('prompt').fill('a cat, a hat');
  await page.getByTestId('prompt').evaluate((el) => (el as HTMLTextAreaElement).setSelectionRange(5, 5));
  await page.getByTestId('lora-picker').click();
  // The preview beside the file shows as its thumbnail; a file whose preview is broken shows its initials.
  await expect(
    page
      .getByRole('option', { name: /^detail/ })
      .getByTestId('network-thumbnail')
      .locator('img'),
  ).toHaveAttribute('src', /^data:image\/jpeg;base64,/);
  await expect(page.getByRole('option', { name: /^spare/ }).getByTestId('network-thumbnail')).toHaveAttribute(
    'data-has-preview',
    'false',
  );
  await page.getByRole('option', { name: /^detail/ }).click();
  await expect(page.getByTestId('prompt')).toHaveValue('a cat <lora:detail:1>, a hat');
  await fillGenerateForm(page, { prompt: PROMPT, steps: 10, cfg: 7, width: 64, height: 64, seed: 1234 });
  await page.getByTestId('sampler-select').click();
  await page.getByRole('option', { name: 'Euler', exact: true }).click();
  await page.getByTestId('lora-picker').click();
  await page.getByRole('option', { name: /^detail/ }).click();
  await expect(page.getByTestId('prompt')).toHaveValue(`${PROMPT} <lora:detail:1>`);
  // The weight is edited in the text, as in A1111.
  await page.getByTestId('prompt').fill(`${PROMPT} <lora:detail:0.8>`);
  await page.getByTestId('generate-button').click();
  await expect(page.getByTestId('result-image')).toBeVisible({ timeout: 60_000 });

  // The picture is the LoRA's reference at weight 0.8 (the browser decodes the PNG).
  const got = await imagePixels(page, 'result-image');
  const want = await sharp(path.join(BYO, 'lora-w0.8.png')).removeAlpha().raw().toBuffer();
  let max = 0;
  for (let i = 0; i < want.length; i++) max = Math.max(max, Math.abs(got.data[i]! - want[i]!));
  expect(max).toBeLessThanOrEqual(2);

  await page.getByTestId('nav-gallery').click();
  // The gallery finds the pictures a LoRA made by its name.
  await page.getByTestId('filter-lora').fill('spare');
  await expect(page.getByTestId('gallery-empty')).toBeVisible();
  await page.getByTestId('filter-lora').fill('Detail');
  await expect(page.getByTestId('gallery-cell')).toHaveCount(1);
  await page.getByTestId('gallery-cell').first().click();
  await expect(page.getByTestId('gallery-detail')).toContainText('<lora:detail:0.8>');
  const id = Number(await page.getByTestId('gallery-cell').first().getAttribute('data-id'));
  const exported = await callHost<{ files: { data: string }[] }>(host.url, 'gallery.export', {
    ids: [id],
    withMetadata: true,
  });
  expect(Buffer.from(exported.files[0]!.data, 'base64').toString('latin1')).toContain(`${PROMPT} <lora:detail:0.8>`);

  await page.getByTestId('remix-button').click();
  await expect(page.getByTestId('prompt')).toHaveValue(`${PROMPT} <lora:detail:0.8>`);
});

const pixelsMax = (got: Uint8Array, want: Buffer) => {
  let max = 0;
  for (let i = 0; i < want.length; i++) max = Math.max(max, Math.abs(got[i]! - want[i]!));
  return max;
};

test('import a checkpoint on the Models page, generate with it; list and delete files; pick a VAE and remix it', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await page.goto(`${host.url}#/models`);
  await page.getByTestId('checkpoint-path').fill(path.join(host.home, 'My Finetune.safetensors'));
  await page.getByTestId('checkpoint-inspect').click();
  await expect(page.getByTestId('checkpoint-info')).toContainText('graphs from tiny-sd');
  await expect(page.getByTestId('checkpoint-name')).toHaveValue('My Finetune');
  await page.getByTestId('checkpoint-convert').click();
  await expect(page.getByTestId('convert-status')).toContainText('Converted', { timeout: 60_000 });
  await expect(page.getByTestId('model-row-My Finetune')).toBeVisible();
  // A file that is not a checkpoint is refused with the reason.
  await page.getByTestId('checkpoint-path').fill(path.join(BYO, 'base.png'));
  await page.getByTestId('checkpoint-inspect').click();
  await expect(page.getByTestId('checkpoint-error')).toContainText('base.png');

  // Files of the models folder by kind, with hashes; a spare LoRA deleted.
  await page.getByTestId('files-tab-loras').click();
  await expect(page.getByTestId('file-row-detail')).toBeVisible();
  await expect(page.getByTestId('file-row-spare')).toBeVisible();
  await page.getByTestId('file-row-spare').getByRole('button', { name: 'Delete' }).click();
  await page.getByTestId('confirm-delete-file').click();
  await expect(page.getByTestId('file-row-spare')).toHaveCount(0);
  expect(fs.existsSync(path.join(host.home, 'models', 'loras', 'spare.safetensors'))).toBe(false);
  await page.getByTestId('files-tab-vae').click();
  await expect(page.getByTestId('file-row-tiny-vae')).toBeVisible();

  // The converted model draws the checkpoint's reference picture.
  await page.goto(host.url);
  await page.getByTestId('model-select').click();
  await page.getByRole('option', { name: 'My Finetune' }).click();
  await fillGenerateForm(page, { prompt: PROMPT, steps: 10, cfg: 7, width: 64, height: 64, seed: 1234 });
  await page.getByTestId('sampler-select').click();
  await page.getByRole('option', { name: 'Euler', exact: true }).click();
  await page.getByTestId('generate-button').click();
  await expect(page.getByTestId('result-image')).toBeVisible({ timeout: 60_000 });
  const want = await sharp(path.join(BYO, 'checkpoint.png')).removeAlpha().raw().toBuffer();
  expect(pixelsMax((await imagePixels(page, 'result-image')).data, want)).toBeLessThanOrEqual(2);

  // A replacement VAE, recorded in the gallery and the PNG, restored by remix.
  await page.getByTestId('vae-picker').click();
  await page.getByRole('option', { name: /^tiny-vae/ }).click();
  await page.getByTestId('seed').fill('77');
  await page.getByTestId('generate-button').click();
  await expect(page.getByTestId('session-thumb')).toHaveCount(2, { timeout: 60_000 });
  await page.getByTestId('nav-gallery').click();
  await page.getByTestId('gallery-cell').first().click();
  await expect(page.getByTestId('gallery-detail')).toContainText('tiny-vae.safetensors');
  const id = Number(await page.getByTestId('gallery-cell').first().getAttribute('data-id'));
  const exported = await callHost<{ files: { data: string }[] }>(host.url, 'gallery.export', {
    ids: [id],
    withMetadata: true,
  });
  expect(Buffer.from(exported.files[0]!.data, 'base64').toString('latin1')).toMatch(/VAE: tiny-vae\.safetensors/);
  await page.getByTestId('remix-button').click();
  await expect(page.getByTestId('vae-picker')).toHaveValue(/tiny-vae/);
});

test('a model can have its own VAE: chosen on the Models page, taken when the model is chosen', async ({ page }) => {
  await page.goto(`${host.url}#/models`);
  await page.getByTestId('model-vae-tiny-sd').click();
  await page.getByRole('option', { name: 'tiny-vae' }).click();
  await expect(page.getByTestId('model-vae-tiny-sd')).toHaveValue('tiny-vae');
  await page.goto(host.url);
  await page.getByTestId('model-select').click();
  await page.getByRole('option', { name: 'studio-shapes' }).click();
  await expect(page.getByTestId('vae-picker')).toHaveValue('');
  await page.getByTestId('model-select').click();
  await page.getByRole('option', { name: 'tiny-sd', exact: true }).click();
  await expect(page.getByTestId('vae-picker')).toHaveValue(/^tiny-vae/);
});
