import { expect, test } from '@playwright/test';
import path from 'node:path';
import { spawnHost, type SpawnedHost } from './helpers/host';

const shots = path.join(import.meta.dirname, 'artifacts');
let host: SpawnedHost;

test.beforeAll(async () => {
  host = await spawnHost();
});
test.afterAll(async () => {
  await host?.close();
});

test('every page opens in the browser shell', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(host.url);
  for (const [id, heading] of [
    ['generate', 'Generate'],
    ['gallery', 'Gallery'],
    ['models', 'Models'],
    ['settings', 'Settings'],
  ] as const) {
    await page.getByTestId(`nav-${id}`).click();
    await expect(page.getByRole('heading', { level: 2, name: heading })).toBeVisible();
    await page.screenshot({ path: path.join(shots, `page-${id}.png`) });
  }
  expect(errors).toEqual([]);
});

test('the Settings page shows the real provider list and persists a change', async ({ page }) => {
  await page.goto(`${host.url}#/settings`);
  const providers = page.getByTestId('provider-list');
  await expect(providers.getByTestId('provider-cpu')).toBeVisible();
  // onnxruntime-node on linux-x64 lists WebGPU as bundled and CUDA as an optional download.
  if (process.platform === 'linux' && process.arch === 'x64') {
    await expect(providers.getByTestId('provider-webgpu')).toBeVisible();
    await expect(providers.getByTestId('provider-cuda')).toContainText('not bundled');
  }
  await expect(page.getByTestId('system-info')).toContainText(host.home);

  await page.getByTestId('theme-control').getByText('Light').click();
  await expect(page.getByText('Settings saved')).toBeVisible();
  await page.reload();
  await expect(page.getByTestId('theme-control').locator('input[value="light"]')).toBeChecked();
  await page.screenshot({ path: path.join(shots, 'settings-light.png'), fullPage: true });
});
