import { expect, test, type Page } from '@playwright/test';
import path from 'node:path';
import sharp from 'sharp';
import { spawnHostOnCpu, type SpawnedHost } from './helpers/host';
import { callHost } from './helpers/contract-client';
import { fillGenerateForm, openGenerate } from './helpers/generate-form';
import { makePng } from '../src-main/test-support/images';

let host: SpawnedHost;
test.beforeAll(async () => {
  host = await spawnHostOnCpu();
});
test.afterAll(async () => host?.close());

interface SavedDraft {
  initImage: { base64: string } | null;
  parentId?: number;
  width: number;
  height: number;
  bbox: { x: number; y: number; width: number; height: number } | null;
}
/** The Generate draft as the page saved it (a moment after each change). */
const savedDraft = (page: Page) =>
  page.evaluate(() => {
    const raw = JSON.parse(localStorage.getItem('latent-studio.generate-draft.v1') ?? 'null');
    if (!raw?.strings) return raw as SavedDraft;
    // Long strings (pictures) are stored once in a table and referenced as {$s: index}.
    const revive = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(revive)
        : v && typeof v === 'object'
          ? '$s' in v
            ? raw.strings[(v as { $s: number }).$s]
            : Object.fromEntries(Object.entries(v).map(([k, x]) => [k, revive(x)]))
          : v;
    return revive(raw.doc) as SavedDraft;
  });

const rgb = async (png: Buffer | string) =>
  sharp(typeof png === 'string' ? Buffer.from(png, 'base64') : png)
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });

function maxDiff(a: Buffer, b: Buffer): number {
  let m = a.length === b.length ? 0 : 255;
  for (let i = 0; i < Math.min(a.length, b.length); i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/**
 * The pointer over the canvas in picture pixels: the editor fits the picture
 * with a 16 px margin. Measured at each use (the rows above the stage may move it).
 */
function canvasPointer(page: Page, picture: { width: number; height: number }) {
  const at = async (x: number, y: number) => {
    const editor = (await page.getByTestId('mask-editor').boundingBox())!;
    const scale = Math.min((editor.width - 32) / picture.width, (editor.height - 32) / picture.height);
    return [
      editor.x + (editor.width - picture.width * scale) / 2 + x * scale,
      editor.y + (editor.height - picture.height * scale) / 2 + y * scale,
    ] as const;
  };
  return {
    drag: async (from: [number, number], to: [number, number]) => {
      await page.mouse.move(...(await at(...from)));
      await page.mouse.down();
      await page.mouse.move(...(await at(...to)), { steps: 8 });
      await page.mouse.up();
    },
  };
}

/** Opens a picture on the Generate page's canvas, in img2img or inpaint mode, and waits until it is shown. */
async function openOnCanvas(page: Page, mode: 'img2img' | 'Inpaint', picture: Buffer) {
  await openGenerate(page, host.url);
  await page.getByTestId('mode-control').getByText(mode).click();
  const chooser = page.waitForEvent('filechooser');
  await page.getByTestId('init-image-button').click();
  await (await chooser).setFiles({ name: 'picture.png', mimeType: 'image/png', buffer: picture });
  await expect(page.getByTestId('bbox-size')).toContainText('whole picture');
}

/** A flat 256x128 picture of one colour. */
const widePicture = (background: string) =>
  sharp({ create: { width: 256, height: 128, channels: 3, background } })
    .png()
    .toBuffer();

const galleryPng = async (id: number) =>
  sharp(
    path.join(host.home, 'data', 'gallery', (await callHost<{ image: string }>(host.url, 'gallery.get', { id })).image),
  ).toBuffer();

test('extend the canvas, generate two results, accept the second, undo it: the picture and the parent follow', async ({
  page,
}) => {
  // A parent in the gallery, opened for inpainting.
  await openGenerate(page, host.url);
  await fillGenerateForm(page, {
    prompt: 'a red circle on a blue background',
    steps: 4,
    seed: 5,
    width: 128,
    height: 128,
  });
  await page.getByTestId('generate-button').click();
  await expect(page.getByTestId('result-image')).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('nav-gallery').click();
  const parentId = Number(await page.getByTestId('gallery-cell').first().getAttribute('data-id'));
  await page.getByTestId('gallery-cell').first().click();
  await page.getByTestId('inpaint-this').click();
  await expect(page.getByTestId('mask-editor')).toBeVisible();

  await page.getByTestId('extend-button').click();
  await page.getByRole('button', { name: '+64 left & right' }).click();
  await expect(page.getByTestId('width')).toHaveValue('256');
  await expect.poll(async () => (await savedDraft(page)).width).toBe(256);
  const extended = (await savedDraft(page)).initImage!.base64;

  await fillGenerateForm(page, { steps: 3 });
  await page.getByTestId('batch-count').fill('2');
  await page.getByTestId('generate-button').click();
  await expect(page.getByTestId('staging-count')).toHaveText('Result 1/2', { timeout: 60_000 });
  // The arrow keys step through the staged results (not while a button has the focus: Generate has it now).
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('staging-count')).toHaveText('Result 2/2');
  await page.keyboard.press('ArrowLeft');
  await expect(page.getByTestId('staging-count')).toHaveText('Result 1/2');
  await page.getByTestId('staging-next').click();
  await expect(page.getByTestId('staging-count')).toHaveText('Result 2/2');

  // Both results are in the gallery as children of the picture they were made from.
  const { items } = await callHost<{ items: { id: number; parentId: number | null; width: number; seed: number }[] }>(
    host.url,
    'gallery.search',
    { limit: 2 },
  );
  expect(items.map((i) => i.parentId)).toEqual([parentId, parentId]);
  expect(items.every((i) => i.width === 256)).toBe(true);
  const second = items.find((i) => i.seed === Math.max(...items.map((x) => x.seed)))!;

  await page.getByTestId('staging-accept').click();
  await expect(page.getByTestId('staging-bar')).toHaveCount(0);
  await expect.poll(async () => (await savedDraft(page)).parentId).toBe(second.id);
  // The accepted result is the picture now (it filled the whole picture).
  const accepted = await rgb((await savedDraft(page)).initImage!.base64);
  expect(maxDiff(accepted.data, (await rgb(await galleryPng(second.id))).data)).toBeLessThanOrEqual(1);

  // Undo gives back the extended picture and its parent; undo again the picture before the extend.
  await page.getByTestId('undo-button').click();
  await expect.poll(async () => (await savedDraft(page)).parentId).toBe(parentId);
  expect((await savedDraft(page)).initImage!.base64).toBe(extended);
  await page.getByTestId('undo-button').click();
  await expect(page.getByTestId('width')).toHaveValue('128');
  await page.getByTestId('redo-button').click();
  await page.getByTestId('redo-button').click();
  await expect.poll(async () => (await savedDraft(page)).parentId).toBe(second.id);
  // A reload keeps the canvas document, history included.
  await page.reload();
  await expect(page.getByTestId('undo-button')).toBeEnabled();
});

test('the box tool: resize and move the box, generate inside it; accepting changes only the box', async ({ page }) => {
  const source = await makePng(9, {}, 128);
  const wide = await sharp({ create: { width: 256, height: 128, channels: 3, background: '#204080' } })
    .composite([{ input: source, left: 0, top: 0 }])
    .png()
    .toBuffer();
  await openOnCanvas(page, 'img2img', wide);
  await expect(page.getByTestId('width')).toHaveValue('256');

  await page.keyboard.press('c');
  await expect(page.getByTestId('bbox-size')).toHaveText('Generates the box: 256×128 at 0,0, made at 192×96');
  await expect(page.getByTestId('width')).toBeDisabled();

  const pointer = canvasPointer(page, { width: 256, height: 128 });
  // The right edge's handle to the middle, then the box itself to the right half.
  await pointer.drag([256, 64], [130, 64]);
  await expect(page.getByTestId('bbox-size')).toHaveText('Generates the box: 128×128 at 0,0');
  await pointer.drag([64, 64], [190, 64]);
  await expect(page.getByTestId('bbox-size')).toHaveText('Generates the box: 128×128 at 128,0');
  await expect(page.getByTestId('width')).toHaveValue('128');

  await fillGenerateForm(page, { prompt: 'a red circle on a blue background', steps: 3 });
  await page.getByTestId('generate-button').click();
  await expect(page.getByTestId('staging-count')).toHaveText('Result 1/1', { timeout: 60_000 });
  await page
    .getByTestId('canvas-panel')
    .screenshot({ path: path.join(import.meta.dirname, 'artifacts', 'canvas-staged-box.png') });
  const { items } = await callHost<{ items: { id: number; width: number; height: number; mode: string }[] }>(
    host.url,
    'gallery.search',
    { limit: 1 },
  );
  expect(items[0]).toMatchObject({ mode: 'img2img', width: 128, height: 128 });
  // Enter accepts the result shown.
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.keyboard.press('Enter');
  await expect.poll(async () => (await savedDraft(page)).parentId).toBe(items[0]!.id);

  // Left of the box: the picture as it was; in the box: the result.
  const picture = await rgb((await savedDraft(page)).initImage!.base64);
  const before = await rgb(wide);
  const result = await rgb(await galleryPng(items[0]!.id));
  const half = (img: { data: Buffer }, x0: number, w: number) => {
    const out = Buffer.alloc(128 * 128 * 3);
    for (let y = 0; y < 128; y++) img.data.copy(out, y * 128 * 3, (y * w + x0) * 3, (y * w + x0 + 128) * 3);
    return out;
  };
  expect(maxDiff(half(picture, 0, 256), half(before, 0, 256))).toBeLessThanOrEqual(1);
  expect(maxDiff(half(picture, 128, 256), result.data)).toBeLessThanOrEqual(1);
  await page.getByTestId('bbox-clear').click();
  await expect(page.getByTestId('width')).toBeEnabled();
  await expect(page.getByTestId('width')).toHaveValue('256');
});

test('a box dragged over the edge outpaints: the picture grows under it, the old pixels stay', async ({ page }) => {
  const source = await makePng(3, {}, 128);
  await openOnCanvas(page, 'Inpaint', source);
  await page.keyboard.press('c');
  await expect(page.getByTestId('bbox-size')).toHaveText('Generates the box: 128×128 at 0,0');

  await canvasPointer(page, { width: 128, height: 128 }).drag([64, 64], [130, 64]);
  await expect(page.getByTestId('bbox-size')).toHaveText(
    'Generates the box: 128×128 at 64,0 (beyond the edge: outpaints)',
  );

  await fillGenerateForm(page, { prompt: 'a red circle on a blue background', steps: 3 });
  await page.getByTestId('generate-button').click();
  await expect(page.getByTestId('staging-count')).toHaveText('Result 1/1', { timeout: 60_000 });
  await expect(page.getByTestId('bbox-size')).toHaveText('Generates the box: 128×128 at 64,0');
  await page.getByTestId('staging-accept').click();
  await expect.poll(async () => (await savedDraft(page)).initImage!.base64.length).toBeGreaterThan(0);
  await expect.poll(async () => (await rgb((await savedDraft(page)).initImage!.base64)).info.width).toBe(192);

  // The left 64 columns are the original's, exactly; the result filled the rest.
  const picture = await rgb((await savedDraft(page)).initImage!.base64);
  const original = await rgb(source);
  let off = 0;
  for (let y = 0; y < 128; y++)
    for (let x = 0; x < 64 * 3; x++)
      off = Math.max(off, Math.abs(picture.data[y * 192 * 3 + x]! - original.data[y * 128 * 3 + x]!));
  expect(off).toBeLessThanOrEqual(1);
  // Undo twice: the accepted result, then the extension.
  await page.getByTestId('undo-button').click();
  await page.getByTestId('undo-button').click();
  await expect.poll(async () => (await rgb((await savedDraft(page)).initImage!.base64)).info.width).toBe(128);
});

test("a box is made at the model's size and scaled back into it; switched off, at its own", async ({ page }) => {
  const wide = await widePicture('#c03020');
  await openOnCanvas(page, 'img2img', wide);
  await page.keyboard.press('c');
  // The built-in model's native size is 128 (multiple 32): a 256x128 box is made at about 128x128's area, in its shape.
  await expect(page.getByTestId('bbox-size')).toHaveText('Generates the box: 256×128 at 0,0, made at 192×96');
  await expect(page.getByTestId('width')).toHaveValue('192');
  await fillGenerateForm(page, { prompt: 'a red circle on a blue background', steps: 2 });
  await page.getByTestId('generate-button').click();
  await expect(page.getByTestId('staging-count')).toHaveText('Result 1/1', { timeout: 60_000 });
  const { items } = await callHost<{ items: { id: number; width: number; height: number }[] }>(
    host.url,
    'gallery.search',
    { limit: 1 },
  );
  expect(items[0]).toMatchObject({ width: 192, height: 96 });
  await page.getByTestId('staging-accept').click();
  await expect.poll(async () => (await savedDraft(page)).parentId).toBe(items[0]!.id);
  expect((await rgb((await savedDraft(page)).initImage!.base64)).info).toMatchObject({ width: 256, height: 128 });

  await page.getByTestId('bbox-scaled').click();
  await expect(page.getByTestId('bbox-size')).toHaveText('Generates the box: 256×128 at 0,0');
  await expect(page.getByTestId('width')).toHaveValue('256');
});

test('inpainting a box whose part of the mask is empty says so and runs nothing', async ({ page }) => {
  const wide = await widePicture('#204080');
  await openOnCanvas(page, 'Inpaint', wide);
  const pointer = canvasPointer(page, { width: 256, height: 128 });
  // A stroke on the right, then a box over the left half only.
  await pointer.drag([220, 20], [220, 100]);
  await page.keyboard.press('c');
  await expect(page.getByTestId('bbox-size')).toContainText('Generates the box: 256×128');
  await pointer.drag([256, 64], [130, 64]);
  await expect(page.getByTestId('bbox-size')).toHaveText('Generates the box: 128×128 at 0,0');
  await page.getByTestId('generate-button').click();
  await expect(page.getByText('Paint a mask inside the box over the part to repaint first.')).toBeVisible();
  await expect(page.getByTestId('staging-bar')).toHaveCount(0);
});

test('the canvas history of a large picture survives a reload (each picture is stored once, not once per step)', async ({
  page,
}) => {
  // Noise compresses badly: about 1 MB of base64, which plain JSON would repeat in every undo step.
  const noise = Buffer.alloc(512 * 384 * 3);
  let x = 2463534242;
  for (let i = 0; i < noise.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    noise[i] = x & 255;
  }
  const picture = await sharp(noise, { raw: { width: 512, height: 384, channels: 3 } })
    .png()
    .toBuffer();
  expect(picture.length).toBeGreaterThan(500_000);
  await openOnCanvas(page, 'Inpaint', picture);
  const pointer = canvasPointer(page, { width: 512, height: 384 });
  for (let i = 0; i < 12; i++) await pointer.drag([40 + i * 35, 50], [40 + i * 35, 300]);
  await page.reload();
  await expect(page.getByTestId('undo-button')).toBeEnabled();
  for (let i = 0; i < 12; i++) await page.getByTestId('undo-button').click();
  await expect(page.getByTestId('undo-button')).toBeDisabled();
  await expect(page.getByTestId('redo-button')).toBeEnabled();
});
