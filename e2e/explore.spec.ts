import { expect, test } from '@playwright/test';
import { callHost } from './helpers/contract-client';
import { fillGenerateForm, openGenerate } from './helpers/generate-form';
import { spawnHostOnCpu, type SpawnedHost } from './helpers/host';

/** Exploring around a picture: variations from the gallery land as its children, each reproducible. */
let host: SpawnedHost;
test.beforeAll(async () => {
  host = await spawnHostOnCpu();
});
test.afterAll(async () => host?.close());

type Item = {
  id: number;
  parentId: number | null;
  seed: number | null;
  variationSeed: number | null;
  variationStrength: number | null;
  width: number;
  height: number;
  source: string;
};

test('make variations of a gallery item: they share its seed, carry their own variation seed and show as its children', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await openGenerate(page, host.url);
  await fillGenerateForm(page, { prompt: 'a red circle on a blue background', steps: 6, seed: 321 });
  await page.getByTestId('generate-button').click();
  await expect(page.getByTestId('result-image')).toBeVisible({ timeout: 60_000 });
  const search = async () => (await callHost<{ items: Item[] }>(host.url, 'gallery.search', { limit: 20 })).items;
  const [original] = await search();

  await page.getByTestId('nav-gallery').click();
  await page.locator(`[data-testid="gallery-cell"][data-id="${original!.id}"]`).click();
  await page.getByTestId('variations-button').click();
  await page.getByTestId('variation-count').fill('2');
  await page.getByTestId('make-variations').click();
  await expect.poll(async () => (await search()).length, { timeout: 60_000 }).toBe(3);

  const children = (await search()).filter((i) => i.parentId === original!.id);
  expect(children).toHaveLength(2);
  for (const c of children) expect(c).toMatchObject({ seed: 321, variationStrength: 0.3 });
  expect(children[0]!.variationSeed).not.toBe(children[1]!.variationSeed);

  // The lineage shows them; one opened says how it was made, and remix brings its variation back.
  await page.reload();
  await page.locator(`[data-testid="gallery-cell"][data-id="${original!.id}"]`).click();
  await expect(page.getByTestId('lineage-children')).toHaveCount(2);
  await page.getByTestId('lineage-children').first().click();
  await expect(page.getByTestId('detail-parameters')).toContainText('at strength 0.3');
  await expect(page.getByTestId('lineage-parents')).toHaveCount(1);
  await page.getByTestId('remix-button').click();
  await expect(page.getByTestId('seed')).toHaveValue('321');
  await expect(page.getByTestId('variation-seed')).not.toHaveValue('');
  await expect(page.getByTestId('variation-strength-input')).toHaveValue('0.3');
});

test('hires fix from the Generate form: a larger picture, recorded, shown and remixed', async ({ page }) => {
  test.setTimeout(120_000);
  await openGenerate(page, host.url);
  await fillGenerateForm(page, { prompt: 'a red circle on the left on a blue background', steps: 6, seed: 77 });
  await page.getByTestId('hires-switch').click({ force: true });
  await page.getByTestId('hires-steps').fill('4');
  await page.getByTestId('hires-denoise').fill('0.4');
  await page.getByTestId('generate-button').click();
  await expect(page.getByTestId('result-image')).toBeVisible({ timeout: 60_000 });
  await expect
    .poll(async () => page.getByTestId('result-image').evaluate((i) => (i as HTMLImageElement).naturalWidth))
    .toBe(256);

  const { items } = await callHost<{ items: (Item & { hiresScale: number | null; width: number })[] }>(
    host.url,
    'gallery.search',
    { limit: 1 },
  );
  expect(items[0]).toMatchObject({ seed: 77, width: 128, hiresScale: 2 });
  await page.getByTestId('nav-gallery').click();
  await page.locator(`[data-testid="gallery-cell"][data-id="${items[0]!.id}"]`).click();
  await expect(page.getByTestId('detail-parameters')).toContainText('x2 (latent), denoising 0.4, 4 steps');
  await page.getByTestId('remix-button').click();
  await expect(page.getByTestId('hires-scale')).toHaveValue('2');
  await expect(page.getByTestId('hires-steps')).toHaveValue('4');
});

test("styles: import A1111's styles.csv in Settings, pick one in Generate, the job runs the styled prompt", async ({
  page,
}) => {
  test.setTimeout(120_000);
  await page.goto(`${host.url}#/settings`);
  const csv = 'name,prompt,negative_prompt\nOn blue,"{prompt} on a blue background",blurry\nNone,,\n';
  await page.locator('input[type="file"][accept=".csv,text/csv"]').setInputFiles({
    name: 'styles.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(csv),
  });
  await expect(page.getByText('1 styles imported')).toBeVisible();

  await openGenerate(page, host.url);
  await fillGenerateForm(page, { prompt: 'a red circle', steps: 4, seed: 9 });
  await page.getByTestId('style-picker').click();
  await page.getByRole('option', { name: 'On blue' }).click();
  await page.keyboard.press('Escape');
  await page.getByTestId('generate-button').click();
  await expect(page.getByTestId('result-image')).toBeVisible({ timeout: 60_000 });
  const { items } = await callHost<{ items: { prompt: string; negativePrompt: string }[] }>(
    host.url,
    'gallery.search',
    { limit: 1 },
  );
  expect(items[0]).toMatchObject({ prompt: 'a red circle on a blue background', negativePrompt: 'blurry' });

  // Prompt history: the prompt that ran, picked back into the form with its negative.
  await page.getByTestId('prompt').fill('something else');
  await page.getByTestId('prompt-history').click();
  await page.getByRole('option', { name: 'a red circle on a blue background' }).click();
  await expect(page.getByTestId('prompt')).toHaveValue('a red circle on a blue background');
  await expect(page.getByTestId('negative-prompt')).toHaveValue('blurry');
});

test('upscale a gallery item: Lanczos x2 from the detail, the result is its child at twice the size', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await openGenerate(page, host.url);
  await fillGenerateForm(page, { prompt: 'a yellow star on a purple background', steps: 4, seed: 99 });
  await page.getByTestId('generate-button').click();
  await expect(page.getByTestId('result-image')).toBeVisible({ timeout: 60_000 });
  const search = async () => (await callHost<{ items: Item[] }>(host.url, 'gallery.search', { limit: 50 })).items;
  const original = (await search()).find((i) => i.seed === 99)!;

  await page.getByTestId('nav-gallery').click();
  await page.locator(`[data-testid="gallery-cell"][data-id="${original.id}"]`).click();
  await page.getByTestId('upscale-button').click();
  await page.getByTestId('upscale-scale').fill('2');
  await page.getByTestId('upscale-start').click();
  await expect
    .poll(async () => (await search()).filter((i) => i.parentId === original.id).length, { timeout: 60_000 })
    .toBe(1);
  const child = (await search()).find((i) => i.parentId === original.id)!;
  expect(child).toMatchObject({ source: 'upscale', seed: 99 });
  const img = await callHost<{ image: string }>(host.url, 'gallery.get', { id: child.id });
  const size = await page.evaluate(async (src) => {
    const el = new Image();
    el.src = src;
    await el.decode();
    return [el.naturalWidth, el.naturalHeight];
  }, `/media/${img.image}`);
  expect(size).toEqual([original.width * 2, original.height * 2]);
});

test('an X/Y plot from the Generate form: four cells, then the labelled grid in the gallery with the cells as its children', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await openGenerate(page, host.url);
  await fillGenerateForm(page, { prompt: 'a green square on a yellow background', steps: 4, seed: 7 });
  await page.getByTestId('plot-switch').click();
  await page.getByTestId('plot-x-name').click();
  await page.getByRole('option', { name: 'seed', exact: true }).click();
  await page.getByTestId('plot-x-values').fill('1-2');
  await page.getByTestId('plot-y-name').click();
  await page.getByRole('option', { name: 'steps', exact: true }).click();
  await page.getByTestId('plot-y-values').fill('3, 5');
  await expect(page.getByTestId('plot')).toContainText('4 cells');
  await page.getByTestId('plot-start').click();
  const search = async () => (await callHost<{ items: Item[] }>(host.url, 'gallery.search', { limit: 100 })).items;
  await expect
    .poll(async () => (await search()).filter((i) => i.source === 'plot').length, { timeout: 90_000 })
    .toBe(1);
  const grid = (await search()).find((i) => i.source === 'plot')!;
  const cells = (await search()).filter((i) => i.parentId === grid.id);
  expect(cells.map((c) => c.seed).sort()).toEqual([1, 1, 2, 2]);
  // The cells were this window's jobs: they are in its session strip.
  await expect(page.getByTestId('session-thumb')).toHaveCount(4);

  await page.getByTestId('nav-gallery').click();
  await page.locator(`[data-testid="gallery-cell"][data-id="${grid.id}"]`).click();
  await expect(page.getByTestId('lineage-children')).toHaveCount(4);
});
