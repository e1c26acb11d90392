import { expect, test } from '@playwright/test';
import path from 'node:path';
import { callHost } from './helpers/contract-client';
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
  // Each provider is shown as the host finds it on this machine: usable, or unavailable with the reason.
  const { providers: statuses } = await callHost<{ providers: { name: string; usable: boolean }[] }>(
    host.url,
    'engine.providers',
    {},
  );
  for (const p of statuses) {
    const badge = providers.getByTestId(`provider-${p.name}`);
    await expect(badge).toHaveAttribute('data-usable', String(p.usable));
    if (!p.usable) await expect(badge).toContainText('unavailable');
  }
  await expect(providers.getByTestId('provider-cpu')).toHaveAttribute('data-usable', 'true');
  if (process.platform !== 'win32') await expect(providers.getByTestId('provider-dml')).toContainText('unavailable');
  await expect(page.getByTestId('system-info')).toContainText(host.home);

  await page.getByTestId('theme-control').getByText('Light').click();
  await expect(page.getByText('Settings saved')).toBeVisible();
  await page.getByTestId('cpu-threads').fill('1');
  await expect
    .poll(async () => (await callHost<{ cpuThreads: number | null }>(host.url, 'settings.get', {})).cpuThreads)
    .toBe(1);
  // Saving one setting keeps the others (a patch once reset every setting it did not name).
  expect((await callHost<{ theme: string }>(host.url, 'settings.get', {})).theme).toBe('light');
  await page.reload();
  await expect(page.getByTestId('theme-control').locator('input[value="light"]')).toBeChecked();
  await expect(page.getByTestId('cpu-threads')).toHaveValue('1');
  await page.screenshot({ path: path.join(shots, 'settings-light.png'), fullPage: true });
});
