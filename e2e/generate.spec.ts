import { expect, test } from '@playwright/test';
import path from 'node:path';
import { spawnHostOnCpu, type SpawnedHost } from './helpers/host';
import { fillGenerateForm, imagePixels, openGenerate } from './helpers/generate-form';
import { readScene } from '../src-main/eval/scene-analysis';
import { makePng } from '../src-main/test-support/images';

const shots = path.join(import.meta.dirname, 'artifacts');
let host: SpawnedHost;

test.beforeAll(async () => {
  host = await spawnHostOnCpu();
});
test.afterAll(async () => {
  await host?.close();
});

test('type a prompt, generate, see progress and the preview, get the picture the prompt asks for', async ({ page }) => {
  await openGenerate(page, host.url);
  // Picking the embedded model set the size it was trained at.
  await expect(page.getByTestId('width')).toHaveValue('128');
  await fillGenerateForm(page, { prompt: 'a yellow star on the left on a purple background', steps: 60, seed: 1234 });
  const previews = new Set<string>();
  await page.getByTestId('generate-button').click();
  // The preview changes as steps go by.
  await expect(page.getByTestId('progress-text')).toContainText('step');
  for (let i = 0; i < 300 && previews.size < 2; i++) {
    const src = await page
      .getByTestId('live-preview')
      .getAttribute('src')
      .catch(() => null);
    if (src) previews.add(src);
    await page.waitForTimeout(30);
  }
  await expect(page.getByTestId('result-image')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByText('Seed 1234')).toBeVisible();
  await expect(page.getByTestId('progress-text')).toContainText('succeeded');
  await page.screenshot({ path: path.join(shots, 'generate-result.png') });
  expect(previews.size).toBeGreaterThanOrEqual(2);
  // The whole path (prompt, tokenizer, text encoder, sampler, CFG, VAE, PNG, media route) drew what was asked.
  const scene = readScene(await imagePixels(page, 'result-image'), 'yellow');
  expect(scene).toMatchObject({ background: 'purple', position: 'left' });
});

test('a prompt of 100 tokens (two chunks) generates the picture it asks for', async ({ page }) => {
  await openGenerate(page, host.url);
  const sentence = 'a yellow star on the left on a purple background,'; // 12 tokens in the embedded vocabulary
  const prompt = Array(8).fill(sentence).join(' ').replace(/,$/, ' star star star star');
  await fillGenerateForm(page, { prompt, steps: 30, seed: 1234 });
  await expect(page.getByTestId('prompt-tokens')).toHaveText('100/150');
  await page.getByTestId('generate-button').click();
  await expect(page.getByTestId('result-image')).toBeVisible({ timeout: 60_000 });
  const scene = readScene(await imagePixels(page, 'result-image'), 'yellow');
  expect(scene).toMatchObject({ background: 'purple', position: 'left' });
});

test('cancel a running job with Escape', async ({ page }) => {
  await openGenerate(page, host.url);
  await fillGenerateForm(page, { steps: 200, width: 256, height: 256 });
  await page.getByTestId('prompt').press('Control+Enter');
  await expect(page.getByTestId('progress-text')).toContainText('step', { timeout: 30_000 });
  // Escape in a field, in an open dropdown or in the shortcuts overlay is theirs: the job runs on.
  await page.getByTestId('negative-prompt').press('Escape');
  await page.getByTestId('sampler-select').click();
  await expect(page.getByRole('listbox')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('listbox')).toHaveCount(0);
  await page.locator('body').press('?');
  await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(page.getByTestId('progress-text')).toContainText('step');
  await expect(page.getByTestId('progress-text')).not.toContainText('cancelled');
  // With nothing else to close, Escape cancels.
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('progress-text')).toContainText('cancelled', { timeout: 30_000 });
  await expect(page.getByTestId('result-image')).toHaveCount(0);
});

test('the prompt counter shows tokens per 75-token chunk and the parsed emphasis', async ({ page }) => {
  await openGenerate(page, host.url);
  await page.getByTestId('prompt').fill('a (red:1.5) circle');
  await expect(page.getByTestId('prompt-tokens')).toHaveText('3/75');
  await expect(page.getByTestId('prompt-emphasis').getByText('red')).toHaveAttribute('title', 'weight 1.50');
  await page.getByTestId('prompt').fill(Array(80).fill('red').join(' ')); // one token each in the embedded model's vocabulary
  await expect(page.getByTestId('prompt-tokens')).toHaveText('80/150');
  // Prompt editing and AND: what the model sees at which steps, each part with its weight.
  await fillGenerateForm(page, { steps: 20 });
  await page.getByTestId('prompt').fill('[a red circle:a blue circle:0.5] AND a yellow background :0.5');
  await expect(page.getByTestId('prompt-schedule')).toHaveText(
    '×1 [1-10] a red circle → [11-20] a blue circle AND ×0.5 a yellow background',
  );
  await fillGenerateForm(page, { steps: 10 });
  await expect(page.getByTestId('prompt-schedule')).toContainText('[1-5] a red circle → [6-10] a blue circle');
});

test('the Models page lists the model as ready and default; ? opens the shortcuts', async ({ page }) => {
  await page.goto(`${host.url}#/models`);
  await expect(page.getByTestId('model-row-studio-shapes')).toContainText('Ready');
  await expect(page.getByTestId('model-row-studio-shapes')).toContainText('default');
  await page.keyboard.press('?');
  await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
  await expect(page.getByRole('dialog')).toContainText('Undo / redo on the canvas');
  await expect(page.getByRole('dialog')).toContainText('Staged results');
});

test('jobs queue behind the running one and can be reordered and removed', async ({ page }) => {
  await openGenerate(page, host.url);
  await fillGenerateForm(page, { steps: 200, width: 256, height: 256, prompt: 'running job' });
  await page.getByTestId('generate-button').click();
  await expect(page.getByTestId('generate-button')).toContainText('Queue');
  await fillGenerateForm(page, { steps: 1, width: 64, height: 64 });
  for (const p of ['second', 'third']) {
    await page.getByTestId('prompt').fill(p);
    await page.getByTestId('generate-button').click();
  }
  const items = page.getByTestId('queue-item');
  await expect(items).toHaveCount(2);
  await expect(items.nth(0)).toContainText('second');
  await items.nth(1).getByRole('button', { name: 'Move up' }).click();
  await expect(items.nth(0)).toContainText('third');
  await items.nth(1).getByRole('button', { name: 'Remove from queue' }).click();
  await expect(items).toHaveCount(1);
  await page.screenshot({ path: path.join(shots, 'generate-queue.png') });
  await page.locator('body').press('Escape');
  await expect(page.getByTestId('queue-panel')).toHaveCount(0, { timeout: 30_000 });
  await expect(page.getByTestId('progress-text')).toContainText('Finished: succeeded', { timeout: 30_000 });
});

test('the draft survives a page switch and a reload; seeds: -1 means random, the dice picks one', async ({ page }) => {
  await openGenerate(page, host.url);
  await fillGenerateForm(page, { prompt: 'a draft that survives', negative: 'blurry', steps: 7, cfg: 5.5 });
  // Typing -1 over a selected seed gives "random", never seed 1.
  await page.getByTestId('seed').fill('12345');
  await page.getByTestId('seed').selectText();
  await page.keyboard.type('-1');
  await expect(page.getByText('Random: a new seed each time')).toBeVisible();
  await page.getByTestId('seed-dice').click();
  await expect(page.getByTestId('seed')).toHaveValue(/^\d+$/);
  const seed = await page.getByTestId('seed').inputValue();
  await expect(page.getByText('Fixed: the same picture again')).toBeVisible();

  await page.getByTestId('nav-gallery').click();
  await page.getByTestId('nav-generate').click();
  await expect(page.getByTestId('prompt')).toHaveValue('a draft that survives');
  await page.reload();
  await expect(page.getByTestId('prompt')).toHaveValue('a draft that survives');
  await expect(page.getByTestId('negative-prompt')).toHaveValue('blurry');
  await expect(page.getByTestId('steps')).toHaveValue('7');
  await expect(page.getByTestId('cfg')).toHaveValue('5.5');
  await expect(page.getByTestId('seed')).toHaveValue(seed);
  await page.getByTestId('seed-random').click();
  await expect(page.getByTestId('seed')).toHaveValue('');

  // Limits are shown, not clamped away; a size off the model's multiple is flagged, then snapped when the field is left.
  await page.getByTestId('width').fill('100');
  await expect(page.getByText('A multiple of 32 for this model (96)')).toBeVisible();
  await expect(page.getByTestId('generate-button')).toBeDisabled();
  await page.getByTestId('steps').fill('500');
  await expect(page.getByText('1 to 200 steps')).toBeVisible();
  await page.getByTestId('steps').fill('20');
  await page.getByTestId('width').blur();
  await expect(page.getByTestId('width')).toHaveValue('96');
  await expect(page.getByTestId('generate-button')).toBeEnabled();
  await page.getByTestId('cfg').fill('1');
  await expect(page.getByText('No guidance: the negative prompt has no effect')).toBeVisible();
});

test('two windows share the queue but each keeps its own results', async ({ context }) => {
  test.setTimeout(300_000);
  const a = await context.newPage();
  const b = await context.newPage();
  await openGenerate(a, host.url);
  await openGenerate(b, host.url);
  await fillGenerateForm(a, { prompt: 'a red circle', steps: 60, width: 256, height: 256, seed: 1111 });
  await a.getByTestId('generate-button').click();
  await expect(a.getByTestId('progress-text')).toContainText('step', { timeout: 30_000 });
  await fillGenerateForm(b, { prompt: 'a blue square', steps: 5, seed: 2222 });
  await b.getByTestId('generate-button').click();
  // B sees A's job as someone else's, and A sees B's waiting job labelled.
  await expect(b.getByTestId('progress-text')).toContainText(/another window|step/);
  await expect(a.getByTestId('queue-item-other')).toHaveCount(1);
  await expect(a.getByText('Seed 1111')).toBeVisible({ timeout: 120_000 });
  await expect(b.getByText('Seed 2222')).toBeVisible({ timeout: 120_000 });
  await expect(a.getByText('Seed 2222')).toHaveCount(0);
  await expect(b.getByText('Seed 1111')).toHaveCount(0);
});

test("this session's results stay in a strip: view an earlier one, send it to inpaint", async ({ page }) => {
  await openGenerate(page, host.url);
  for (const seed of [501, 502]) {
    await fillGenerateForm(page, { prompt: 'a green ring', steps: 4, seed });
    await page.getByTestId('generate-button').click();
    await expect(page.getByText(`Seed ${seed}`)).toBeVisible({ timeout: 60_000 });
  }
  await expect(page.getByTestId('session-thumb')).toHaveCount(2);
  await page.getByTestId('session-thumb').nth(1).click(); // the older one
  await expect(page.getByText('Seed 501')).toBeVisible();
  await page.getByTestId('result-inpaint').click();
  await expect(page.getByTestId('mode-control').locator('input[value="inpaint"]')).toBeChecked();
  await expect(page.getByTestId('mask-editor')).toBeVisible();
  await page.screenshot({ path: path.join(shots, 'generate-session-strip.png') });
});

test('a picture opened for img2img that carries its prompt offers to load it', async ({ page }) => {
  await openGenerate(page, host.url);
  await page.getByTestId('mode-control').getByText('img2img').click();
  const png = await makePng(
    9,
    {
      parameters:
        'a blue square on the right\nNegative prompt: blurry\nSteps: 12, Sampler: DDIM, CFG scale: 6, Seed: 77, Size: 128x128',
    },
    128,
  );
  const chooser = page.waitForEvent('filechooser');
  await page.getByTestId('init-image-button').click();
  await (await chooser).setFiles({ name: 'from-a1111.png', mimeType: 'image/png', buffer: png });
  await page.getByTestId('load-embedded-prompt').click();
  await expect(page.getByTestId('prompt')).toHaveValue('a blue square on the right');
  await expect(page.getByTestId('negative-prompt')).toHaveValue('blurry');
  await expect(page.getByTestId('steps')).toHaveValue('12');
  await expect(page.getByTestId('seed')).toHaveValue('77');
});
