import { expect, test } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { spawnHost, spawnHostOnCpu, type SpawnedHost } from './helpers/host';
import { callHost } from './helpers/contract-client';
import { fillGenerateForm, openGenerate } from './helpers/generate-form';

const root = path.resolve(import.meta.dirname, '..');
const shots = path.join(import.meta.dirname, 'artifacts');

test.describe('generate, then find it in the gallery and remix it', () => {
  let host: SpawnedHost;
  test.beforeAll(async () => {
    host = await spawnHostOnCpu();
  });
  test.afterAll(async () => host?.close());

  test('the result appears in the gallery, search finds it, Remix restores every parameter', async ({ page }) => {
    await openGenerate(page, host.url);
    await fillGenerateForm(page, {
      prompt: 'a lonely lighthouse at dusk',
      negative: 'blurry',
      steps: 7,
      cfg: 5.5,
      width: 128,
      height: 64,
      seed: 987654,
    });
    await page.getByTestId('sampler-select').click();
    await page.getByRole('option', { name: 'DPM++ 2M Karras', exact: true }).click();
    await page.getByTestId('generate-button').click();
    await expect(page.getByTestId('result-image')).toBeVisible({ timeout: 60_000 });

    await page.getByTestId('nav-gallery').click();
    await expect(page.getByTestId('gallery-cell')).toHaveCount(1);
    await page.getByTestId('gallery-search').fill('lighthouse');
    await expect(page.getByTestId('gallery-cell')).toHaveCount(1);
    await page.getByTestId('gallery-search').fill('submarine');
    await expect(page.getByTestId('gallery-cell')).toHaveCount(0);
    await page.getByTestId('gallery-search').fill('light*');
    await expect(page.getByTestId('gallery-cell')).toHaveCount(1);
    // Filters combine with the search.
    await page.getByTestId('filter-sampler').click();
    await page.getByRole('option', { name: 'DDIM', exact: true }).click();
    await expect(page.getByTestId('gallery-cell')).toHaveCount(0);
    await page.getByTestId('filter-sampler').click();
    await page.getByRole('option', { name: 'DPM++ 2M Karras', exact: true }).click();
    await expect(page.getByTestId('gallery-cell')).toHaveCount(1);
    await page.getByTestId('gallery-cell').first().click();
    const params = page.getByTestId('detail-parameters');
    await expect(params).toContainText('a lonely lighthouse at dusk');
    await expect(params).toContainText('987654');
    await expect(page.getByTestId('gallery-detail')).toContainText(
      'Steps: 7, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 5.5, Seed: 987654, Size: 128x64',
    );
    await page.screenshot({ path: path.join(shots, 'gallery-detail.png') });

    await page.getByTestId('remix-button').click();
    await expect(page.getByRole('heading', { level: 2, name: 'Generate' })).toBeVisible();
    await expect(page.getByTestId('prompt')).toHaveValue('a lonely lighthouse at dusk');
    await expect(page.getByTestId('negative-prompt')).toHaveValue('blurry');
    await expect(page.getByTestId('steps')).toHaveValue('7');
    await expect(page.getByTestId('cfg')).toHaveValue('5.5');
    await expect(page.getByTestId('width')).toHaveValue('128');
    await expect(page.getByTestId('height')).toHaveValue('64');
    await expect(page.getByTestId('seed')).toHaveValue('987654');
    await expect(page.getByTestId('sampler-select')).toHaveValue('DPM++ 2M Karras');
  });
  test('the grid shows new generations live, and a search that has no hits says so', async ({ page, context }) => {
    await page.goto(`${host.url}#/gallery`);
    await expect(page.getByTestId('gallery-cell').first()).toBeVisible();
    const before = await page.getByTestId('gallery-cell').count();
    // Another window generates: this grid updates without a reload.
    const other = await context.newPage();
    await openGenerate(other, host.url);
    await fillGenerateForm(other, { prompt: 'a live update', steps: 2, seed: 4242 });
    await other.getByTestId('generate-button').click();
    await expect(page.getByTestId('gallery-cell')).toHaveCount(before + 1, { timeout: 60_000 });
    await page.getByTestId('gallery-search').fill('NOT live');
    await expect(page.getByTestId('gallery-cell')).toHaveCount(before);
    await page.getByTestId('gallery-search').fill('c++ (weird');
    await expect(page.getByTestId('gallery-empty')).toHaveText(/No matches/);
  });
  test('a delete is committed at once: Undo restores it, a reload does not bring it back', async ({ page }) => {
    await page.goto(`${host.url}#/gallery`);
    await expect(page.getByTestId('gallery-cell').first()).toBeVisible();
    const before = await page.getByTestId('gallery-cell').count();
    await page.getByTestId('gallery-cell').first().click();
    await page.getByTestId('delete-button').click();
    await expect(page.getByTestId('gallery-cell')).toHaveCount(before - 1);
    await page.getByTestId('undo-delete').click();
    await expect(page.getByTestId('gallery-cell')).toHaveCount(before);
    await page.getByTestId('gallery-cell').first().click();
    await page.getByTestId('delete-button').click();
    await expect(page.getByTestId('gallery-cell')).toHaveCount(before - 1);
    await page.reload();
    await expect(page.getByTestId('gallery-cell')).toHaveCount(before - 1);
  });
});

test.describe('a large gallery', () => {
  let host: SpawnedHost;
  const COUNT = 2000;
  test.beforeAll(async () => {
    test.setTimeout(180_000);
    const src = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-e2e-import-'));
    for (let i = 0; i < COUNT; i++) {
      const png = await sharp({
        create: { width: 16, height: 16, channels: 3, background: { r: i % 256, g: (i >> 8) % 256, b: 128 } },
      })
        .png()
        .toBuffer();
      fs.writeFileSync(path.join(src, `img-${String(i).padStart(4, '0')}.png`), png);
    }
    host = await spawnHost([], {}, (home) => {
      const r = spawnSync(process.execPath, [path.join(root, 'bin', 'studio.js'), 'import', src], {
        env: { ...process.env, STUDIO_HOME: home },
        encoding: 'utf8',
      });
      if (r.status !== 0) throw new Error(`import failed: ${r.stderr}`);
    });
    fs.rmSync(src, { recursive: true, force: true });
  });
  test.afterAll(async () => host?.close());

  test(`${COUNT} items scroll to the end`, async ({ page }) => {
    test.setTimeout(120_000);
    await page.goto(`${host.url}#/gallery`);
    const grid = page.getByTestId('gallery-grid');
    await expect(page.getByTestId('gallery-cell').first()).toBeVisible();
    // Only the rows in view are in the DOM.
    expect(await page.getByTestId('gallery-cell').count()).toBeLessThan(300);
    for (let i = 0; i < 200; i++) {
      await grid.evaluate((el) => el.scrollTo(0, el.scrollHeight));
      await page.waitForTimeout(50);
      const rows = Number(await grid.getAttribute('aria-rowcount'));
      const cols = await page.getByRole('row').first().getByTestId('gallery-cell').count();
      if (rows * cols >= COUNT && (await page.getByTestId('gallery-cell').last().getAttribute('data-id')) === '1')
        break;
    }
    await expect(page.getByTestId('gallery-cell').last()).toHaveAttribute('data-id', '1');
    await page.screenshot({ path: path.join(shots, 'gallery-end.png') });
  });

  test('double-click shows a picture at full size; arrow keys step through the grid, Escape closes', async ({
    page,
  }) => {
    await page.goto(`${host.url}#/gallery`);
    const cells = page.getByTestId('gallery-cell');
    await expect(cells.nth(1)).toBeVisible();
    await expect(cells.first()).toHaveAttribute('title', /seed (\d+|-) · \d+x\d+/);
    const first = await cells.first().getAttribute('data-id');
    const second = await cells.nth(1).getAttribute('data-id');
    await cells.first().dblclick();
    await expect(page.getByTestId('lightbox-image')).toHaveAttribute('data-id', first!);
    await page.keyboard.press('ArrowRight');
    await expect(page.getByTestId('lightbox-image')).toHaveAttribute('data-id', second!);
    await page.keyboard.press('ArrowLeft');
    await expect(page.getByTestId('lightbox-image')).toHaveAttribute('data-id', first!);
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('lightbox-image')).toHaveCount(0);
  });

  test('multi-select: Ctrl-click and Shift-click pick items; tag, delete and undo them together', async ({ page }) => {
    await page.goto(`${host.url}#/gallery`);
    const cells = page.getByTestId('gallery-cell');
    await expect(cells.nth(5)).toBeVisible();
    await cells.nth(1).click({ modifiers: ['ControlOrMeta'] });
    await cells.nth(2).click({ modifiers: ['ControlOrMeta'] });
    await expect(page.getByTestId('bulk-bar')).toContainText('2 selected');
    await cells.nth(4).click({ modifiers: ['Shift'] });
    await expect(page.getByTestId('bulk-bar')).toContainText('4 selected');
    await page.getByTestId('bulk-tag').fill('Bulk');
    await page.getByTestId('bulk-tag-add').click();
    const tagged = async () =>
      (await callHost<{ items: unknown[] }>(host.url, 'gallery.search', { tag: 'bulk', limit: 50 })).items.length;
    await expect.poll(tagged).toBe(4);
    await page.getByTestId('bulk-delete').click();
    await expect.poll(tagged).toBe(0);
    await expect(page.getByTestId('bulk-bar')).toHaveCount(0);
    await page.getByTestId('undo-bulk-delete').click();
    await expect.poll(tagged).toBe(4);
  });
});
