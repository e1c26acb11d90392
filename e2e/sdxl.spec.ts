import { expect, test } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { writeCheckpoint, writeSafetensors } from '../src-main/engine/index.js';
import { callHost } from './helpers/contract-client';
import { fillGenerateForm } from './helpers/generate-form';
import { spawnHostWithModels, TINY_SD, TINY_SDXL, type SpawnedHost } from './helpers/host';

/** SDXL through the app: the family is shown, size conditioning is asked for, used, stored and remixed. */
let host: SpawnedHost;
test.beforeAll(async () => {
  host = await spawnHostWithModels({ 'tiny-sd': TINY_SD, 'tiny-sdxl': TINY_SDXL }, 'tiny-sd');
});
test.afterAll(async () => host?.close());

test('pick the SDXL model, set its size conditioning, generate, find it in the gallery with it, remix it', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await page.goto(`${host.url}#/models`);
  await expect(page.getByText(/sdxl · float32 · epsilon/)).toBeVisible();
  await expect(page.getByTestId('files-tab-upscalers')).toContainText('Upscalers (0)');

  await page.goto(host.url);
  await expect(page.getByTestId('model-select')).toHaveValue('tiny-sd');
  // SD 1.x has no size conditioning: the fields appear with the SDXL model only.
  await expect(page.getByTestId('size-conditioning')).toHaveCount(0);
  await page.getByTestId('model-select').click();
  await page.getByRole('option', { name: 'tiny-sdxl' }).click();
  await expect(page.getByTestId('size-conditioning')).toBeVisible();
  await fillGenerateForm(page, {
    prompt: 'a red circle on a blue background',
    steps: 4,
    width: 64,
    height: 64,
    seed: 99,
  });
  await expect(page.getByTestId('original-width')).toHaveAttribute('placeholder', '64');
  await page.getByTestId('original-width').fill('128');
  await page.getByTestId('original-height').fill('96');
  await page.getByTestId('crop-left').fill('16');
  await page.getByTestId('generate-button').click();
  await expect(page.getByTestId('result-image')).toBeVisible({ timeout: 60_000 });

  const { items } = await callHost<{ items: Record<string, unknown>[] }>(host.url, 'gallery.search', { limit: 5 });
  expect(items[0]).toMatchObject({
    modelName: 'tiny-sdxl',
    seed: 99,
    originalWidth: 128,
    originalHeight: 96,
    cropTop: null,
    cropLeft: 16,
  });

  await page.getByTestId('nav-gallery').click();
  await page.getByTestId('gallery-cell').first().click();
  const params = page.getByTestId('detail-parameters');
  await expect(params).toContainText('tiny-sdxl');
  await expect(params).toContainText('Original size128x96');
  await expect(params).toContainText('Crop top-left0,16');

  await page.getByTestId('remix-button').click();
  await expect(page.getByTestId('model-select')).toHaveValue('tiny-sdxl');
  await expect(page.getByTestId('original-width')).toHaveValue('128');
  await expect(page.getByTestId('original-height')).toHaveValue('96');
  await expect(page.getByTestId('crop-top')).toHaveValue('');
  await expect(page.getByTestId('crop-left')).toHaveValue('16');
});

test('an SDXL single-file checkpoint imports on the Models page onto the installed SDXL model', async ({ page }) => {
  test.setTimeout(120_000);
  // A fine-tune as CivitAI shares them: Stability's single-file layout (here the tiny SDXL model's own weights).
  const file = path.join(host.home, 'My SDXL Finetune.safetensors');
  writeCheckpoint(TINY_SDXL, file, { layout: 'sgm', dtype: 'F32' });
  await page.goto(`${host.url}#/models`);
  await page.getByTestId('checkpoint-path').fill(file);
  await page.getByTestId('checkpoint-inspect').click();
  await expect(page.getByTestId('checkpoint-info')).toContainText('SDXL');
  await expect(page.getByTestId('checkpoint-info')).toContainText('graphs from tiny-sdxl');
  await page.getByTestId('checkpoint-convert').click();
  await expect(page.getByTestId('convert-status')).toContainText('Converted', { timeout: 60_000 });
  await expect(page.getByTestId('model-row-My SDXL Finetune')).toBeVisible();
  await expect(page.getByTestId('model-row-My SDXL Finetune')).toContainText('sdxl');
});

test("the LoRA picker marks files made for another family and lists the chosen model's first", async ({ page }) => {
  const loras = path.join(host.home, 'models', 'loras');
  fs.mkdirSync(loras, { recursive: true });
  // An SDXL LoRA as kohya writes them (its second text encoder's keys say SDXL).
  const key = 'lora_te2_m_layers_0_q_proj';
  writeSafetensors(path.join(loras, 'xl-style.safetensors'), {
    [`${key}.lora_down.weight`]: { shape: [1, 64], data: new Float32Array(64) },
    [`${key}.lora_up.weight`]: { shape: [64, 1], data: new Float32Array(64) },
  });
  // A LyCORIS LoKr says what it is.
  writeSafetensors(path.join(loras, 'xl-kron.safetensors'), {
    'lora_te2_m_layers_0_k_proj.lokr_w1': { shape: [2, 2], data: new Float32Array(4) },
    'lora_te2_m_layers_0_k_proj.lokr_w2': { shape: [32, 32], data: new Float32Array(1024) },
  });
  await page.goto(host.url);
  await expect(page.getByTestId('model-select')).toHaveValue('tiny-sd');
  await page.getByTestId('lora-picker').click();
  await expect(page.getByRole('option', { name: /^xl-style \(0\.0 MiB, for SDXL\)/ })).toBeVisible();
  await expect(page.getByRole('option', { name: /^xl-kron \(LoKr, 0\.0 MiB, for SDXL\)/ })).toBeVisible();
  await page.keyboard.press('Escape');
  await page.getByTestId('model-select').click();
  await page.getByRole('option', { name: 'tiny-sdxl' }).click();
  await page.getByTestId('lora-picker').click();
  await expect(page.getByRole('option', { name: /^xl-style \(0\.0 MiB\)$/ })).toBeVisible();
  await expect(page.getByRole('option', { name: /^xl-kron \(LoKr, 0\.0 MiB\)$/ })).toBeVisible();
});
