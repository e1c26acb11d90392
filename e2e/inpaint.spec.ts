import { expect, test, type Page } from '@playwright/test';
import path from 'node:path';
import sharp from 'sharp';
import { spawnHostOnCpu, type SpawnedHost } from './helpers/host';
import { callHost } from './helpers/contract-client';
import { fillGenerateForm, openGenerate } from './helpers/generate-form';
import { makePng } from '../src-main/test-support/images';

const shots = path.join(import.meta.dirname, 'artifacts');
let host: SpawnedHost;
test.beforeAll(async () => {
  host = await spawnHostOnCpu();
});
test.afterAll(async () => host?.close());

/** Drags between two points given as fractions of the (square) image, which the editor fits with a 16 px margin. */
async function drag(page: Page, from: [number, number], to: [number, number]) {
  await page.getByTestId('mask-editor').scrollIntoViewIfNeeded();
  const box = (await page.getByTestId('mask-editor').boundingBox())!;
  const side = Math.min(box.width, box.height) - 32;
  const at = (f: [number, number]) =>
    [box.x + (box.width - side) / 2 + side * f[0], box.y + (box.height - side) / 2 + side * f[1]] as const;
  const [x0, y0] = at(from);
  const [x1, y1] = at(to);
  await page.mouse.move(x0, y0);
  await page.mouse.down();
  await page.mouse.move(x1, y1, { steps: 8 });
  await page.mouse.up();
}

test('load an image, paint a mask, undo a stroke, inpaint: the generation keeps its mask and parent', async ({
  page,
}) => {
  // A parent in the gallery first.
  await openGenerate(page, host.url);
  await fillGenerateForm(page, { prompt: 'a large green circle on a yellow background', steps: 20, seed: 31 });
  await page.getByTestId('generate-button').click();
  await expect(page.getByTestId('result-image')).toBeVisible({ timeout: 60_000 });

  await page.getByTestId('nav-gallery').click();
  await page.getByTestId('gallery-cell').first().click();
  const parentId = Number(await page.getByTestId('gallery-cell').first().getAttribute('data-id'));
  await page.getByTestId('inpaint-this').click();

  await expect(page.getByTestId('mask-editor')).toBeVisible();
  await expect(page.getByTestId('mode-control').locator('input[value="inpaint"]')).toBeChecked();
  await page.getByTestId('prompt').fill('a yellow square on the right on a green background');
  // Two strokes on the right half, then undo the second.
  await drag(page, [0.55, 0.2], [0.55, 0.8]);
  await drag(page, [0.85, 0.2], [0.85, 0.8]);
  await page.getByTestId('undo-button').click();
  await expect(page.getByTestId('redo-button')).toBeEnabled();
  await page.screenshot({ path: path.join(shots, 'generate-mask.png') });

  await page.getByTestId('generate-button').click();
  await expect(page.getByTestId('progress-text')).toContainText('succeeded', { timeout: 60_000 });
  await expect(page.getByTestId('before-after')).toBeVisible();

  const { items } = await callHost<{
    items: { id: number; mode: string; parentId: number | null; mask: string | null; initImage: string | null }[];
  }>(host.url, 'gallery.search', { limit: 1 });
  expect(items[0]).toMatchObject({ mode: 'inpaint', parentId });
  expect(items[0]!.mask).toMatch(/^images\//);
  expect(items[0]!.initImage).toMatch(/^images\//);
  // The stored mask holds the kept stroke only: white on the left stroke's column, black where the undone one was.
  const res = await page.request.get(new URL(`/media/${items[0]!.mask}`, host.url).href);
  expect(res.ok()).toBe(true);
  const maskPixels = await page.evaluate(
    async (b64) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.width;
      c.height = img.height;
      const ctx = c.getContext('2d')!;
      ctx.drawImage(img, 0, 0);
      const at = (fx: number, fy: number) =>
        ctx.getImageData(Math.floor(img.width * fx), Math.floor(img.height * fy), 1, 1).data[0];
      return { kept: at(0.55, 0.5), undone: at(0.85, 0.5), left: at(0.1, 0.5) };
    },
    Buffer.from(await res.body()).toString('base64'),
  );
  expect(maskPixels.kept).toBeGreaterThan(200);
  expect(maskPixels.undone).toBeLessThan(50);
  expect(maskPixels.left).toBeLessThan(50);

  // Switching modes, switching pages and reloading keep the mask and its undo history.
  await page.getByTestId('mode-control').getByText('img2img').click();
  await page.getByTestId('mode-control').getByText('Inpaint').click();
  await expect(page.getByTestId('undo-button')).toBeEnabled();
  await expect(page.getByTestId('redo-button')).toBeEnabled();
  await page.getByTestId('nav-gallery').click();
  await page.getByTestId('nav-generate').click();
  await page.reload();
  await expect(page.getByTestId('mode-control').locator('input[value="inpaint"]')).toBeChecked();
  await expect(page.getByTestId('prompt')).toHaveValue('a yellow square on the right on a green background');
  await expect(page.getByTestId('redo-button')).toBeEnabled();
  await page.getByTestId('clear-mask').click();

  // Remix of the inpaint generation brings its mask back.
  await page.getByTestId('nav-gallery').click();
  await page.locator(`[data-testid="gallery-cell"][data-id="${items[0]!.id}"]`).click();
  await page.getByTestId('remix-button').click();
  await expect(page.getByTestId('mode-control').locator('input[value="inpaint"]')).toBeChecked();
  await expect(page.getByTestId('undo-button')).toBeEnabled();
  await expect(page.getByTestId('redo-button')).toBeDisabled();
});

test('after a result, painting shows the mask over its source again', async ({ page }) => {
  await openGenerate(page, host.url);
  await page.getByTestId('mode-control').getByText('Inpaint').click();
  const chooser = page.waitForEvent('filechooser');
  await page.getByTestId('init-image-button').click();
  await (await chooser).setFiles({ name: 'source.png', mimeType: 'image/png', buffer: await makePng(5, {}, 128) });
  await drag(page, [0.3, 0.3], [0.7, 0.7]);
  await fillGenerateForm(page, { steps: 2 });
  await page.getByTestId('generate-button').click();
  await expect(page.getByTestId('progress-text')).toContainText('succeeded', { timeout: 60_000 });
  await expect(page.getByTestId('before-after')).toBeChecked();
  await drag(page, [0.2, 0.8], [0.8, 0.8]);
  await expect(page.getByTestId('before-after')).not.toBeChecked();
  await expect(page.getByTestId('undo-button')).toBeEnabled();
});

test('inpaint only the masked area: recorded with its padding, the picture keeps its size', async ({ page }) => {
  await openGenerate(page, host.url);
  await fillGenerateForm(page, { prompt: 'a red circle on a blue background', steps: 6, seed: 41 });
  await page.getByTestId('generate-button').click();
  await expect(page.getByTestId('result-image')).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('nav-gallery').click();
  await page.getByTestId('gallery-cell').first().click();
  await page.getByTestId('inpaint-this').click();
  await expect(page.getByTestId('mask-editor')).toBeVisible();
  await drag(page, [0.3, 0.3], [0.4, 0.4]);
  await page.getByTestId('inpaint-area').getByText('Only masked').click();
  await page.getByTestId('mask-padding').fill('16');
  await page.getByTestId('generate-button').click();
  await expect(page.getByTestId('progress-text')).toContainText('succeeded', { timeout: 60_000 });
  const { items } = await callHost<{
    items: { mode: string; inpaintArea: string | null; maskPadding: number | null; width: number; height: number }[];
  }>(host.url, 'gallery.search', { limit: 1 });
  expect(items[0]).toMatchObject({ mode: 'inpaint', inpaintArea: 'masked', maskPadding: 16 });
});

test('extend the picture (outpaint) from the canvas: the result is the larger picture, the original kept', async ({
  page,
}) => {
  await openGenerate(page, host.url);
  await page.getByTestId('mode-control').getByText('Inpaint').click();
  const chooser = page.waitForEvent('filechooser');
  await page.getByTestId('init-image-button').click();
  const source = await makePng(7, {}, 128);
  await (await chooser).setFiles({ name: 'source.png', mimeType: 'image/png', buffer: source });
  await page.getByTestId('extend-button').click();
  await page.getByRole('button', { name: '+64 left & right' }).click();
  await expect(page.getByTestId('width')).toHaveValue('256');
  await fillGenerateForm(page, { prompt: 'a red circle on a blue background', steps: 4 });
  await page.getByTestId('generate-button').click();
  await expect(page.getByTestId('progress-text')).toContainText('succeeded', { timeout: 60_000 });
  const { items } = await callHost<{ items: { id: number; width: number; height: number; mode: string }[] }>(
    host.url,
    'gallery.search',
    { limit: 1 },
  );
  expect(items[0]).toMatchObject({ mode: 'inpaint', width: 256, height: 128 });
  // The original's pixels are in the middle of the result, exactly.
  const got = await sharp(
    path.join(
      host.home,
      'data',
      'gallery',
      (await callHost<{ image: string }>(host.url, 'gallery.get', { id: items[0]!.id })).image,
    ),
  )
    .removeAlpha()
    .raw()
    .toBuffer();
  const want = await sharp(source).removeAlpha().raw().toBuffer();
  let off = 0;
  for (let y = 0; y < 128; y++)
    for (let x = 0; x < 128; x++)
      for (let c = 0; c < 3; c++)
        off = Math.max(off, Math.abs(got[(y * 256 + x + 64) * 3 + c]! - want[(y * 128 + x) * 3 + c]!));
  expect(off).toBe(0);
});
