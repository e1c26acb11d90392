import { expect, test } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { callHost } from './helpers/contract-client';
import { imagePixels } from './helpers/generate-form';
import { spawnHostWithModels, TINY_SD, type SpawnedHost } from './helpers/host';

/**
 * Same seed, same picture as the tool that made it: an AUTOMATIC1111 PNG
 * dropped into the gallery and remixed runs A1111's own sampler, schedule and
 * noise rules (the exact family), and says so.
 */
const root = path.resolve(import.meta.dirname, '..');

let host: SpawnedHost;
test.beforeAll(async () => {
  host = await spawnHostWithModels({ 'tiny-sd': TINY_SD }, 'tiny-sd');
});
test.afterAll(async () => host?.close());

async function a1111Png(parameters: string): Promise<string> {
  const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#336699' } })
    .png()
    .toBuffer();
  // A tEXt chunk `parameters` before IEND, as A1111 writes it.
  const body = Buffer.concat([Buffer.from('parameters\0', 'latin1'), Buffer.from(parameters, 'latin1')]);
  const chunk = Buffer.alloc(12 + body.length);
  chunk.writeUInt32BE(body.length, 0);
  Buffer.from('tEXt', 'latin1').copy(chunk, 4);
  body.copy(chunk, 8);
  const { crc32 } = await import('node:zlib');
  chunk.writeUInt32BE(crc32(Buffer.concat([Buffer.from('tEXt', 'latin1'), body])) >>> 0, 8 + body.length);
  const iend = png.length - 12;
  return Buffer.concat([png.subarray(0, iend), chunk, png.subarray(iend)]).toString('base64');
}

type Item = { id: number; sampler: string | null; rng: string | null; seed: number | null; source: string };

for (const c of [
  {
    name: 'DPM++ 2M Karras',
    text: 'a red circle on a blue background\nNegative prompt: blurry\nSteps: 6, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 7, Seed: 12345, Size: 64x64, Model: tiny-sd, RNG: CPU',
    id: 'a1111:dpmpp_2m:karras',
    sampler: 'DPM++ 2M',
    schedule: 'Karras',
    ensd: '0',
    seed: 12345,
  },
  {
    name: 'Euler a with ENSD 31337',
    text: 'a green square\nSteps: 5, Sampler: Euler a, Schedule type: Automatic, CFG scale: 6, Seed: 777, Size: 64x64, Model: tiny-sd, RNG: CPU, ENSD: 31337',
    id: 'a1111:euler_a:automatic:ensd=31337',
    sampler: 'Euler a',
    schedule: 'Automatic',
    ensd: '31337',
    seed: 777,
  },
]) {
  test(`an A1111 PNG (${c.name}, CPU RNG) imported and remixed runs A1111's own sampler`, async ({ page }) => {
    test.setTimeout(120_000);
    const imported = await callHost<{ imported: { id: number; source: string }[] }>(host.url, 'gallery.import', {
      files: [{ name: `${c.seed}.png`, data: await a1111Png(c.text) }],
    });
    expect(imported.imported[0]).toMatchObject({ source: 'a1111' });
    const importedId = imported.imported[0]!.id;

    await page.goto(`${host.url}#/gallery`);
    await page.locator(`[data-testid="gallery-cell"][data-id="${importedId}"]`).click();
    await expect(page.getByTestId('detail-parameters')).toContainText('Reproduced as AUTOMATIC1111 samples it');
    await page.getByTestId('remix-button').click();

    // The form shows the exact family with A1111's names.
    await expect(page.getByTestId('sampler-family').getByRole('radio', { name: 'A1111 exact' })).toBeChecked();
    await expect(page.getByTestId('sampler-select')).toHaveValue(c.sampler);
    await expect(page.getByTestId('schedule-select')).toHaveValue(c.schedule);
    await expect(page.getByTestId('ensd')).toHaveValue(c.ensd);
    await page.screenshot({ path: path.join(import.meta.dirname, 'artifacts', `remix-a1111-${c.seed}.png`) });
    await page.getByTestId('generate-button').click();
    await expect(page.getByTestId('result-image')).toBeVisible({ timeout: 60_000 });

    // The job ran the exact recipe: its record in the gallery, as the engine handed it over.
    const { items } = await callHost<{ items: Item[] }>(host.url, 'gallery.search', { limit: 10 });
    const made = items.find((i) => i.source === 'latent-studio' && i.seed === c.seed)!;
    expect(made).toMatchObject({ sampler: c.id, rng: 'cpu', seed: c.seed });

    // And it is the picture the command line makes with the same recipe.
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'studio-parity-')), 'cli.png');
    const prompt = c.text.split('\n')[0]!;
    const cfg = /CFG scale: ([\d.]+)/.exec(c.text)![1]!;
    const steps = /Steps: (\d+)/.exec(c.text)![1]!;
    const negative = /Negative prompt: (.*)/.exec(c.text)?.[1] ?? '';
    const r = spawnSync(
      process.execPath,
      [
        path.join(root, 'bin', 'studio.js'),
        'generate',
        ...['--model', TINY_SD, '--prompt', prompt, '--negative', negative, '--sampler', c.id],
        ...['--seed', String(c.seed), '--steps', steps, '--cfg', cfg, '--rng', 'cpu'],
        ...['--width', '64', '--height', '64', '--quiet', '--out', out],
      ],
      { encoding: 'utf8' },
    );
    expect(r.status, r.stderr).toBe(0);
    const cli = await sharp(out).removeAlpha().raw().toBuffer();
    const shown = await imagePixels(page, 'result-image');
    expect(Buffer.from(shown.data).equals(cli)).toBe(true);
  });
}
