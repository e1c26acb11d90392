import { expect, test } from '@playwright/test';
import path from 'node:path';
import { callHost } from './helpers/contract-client';
import { TINY_SD, spawnHost, type SpawnedHost } from './helpers/host';
import { filesOf, startFakeHub, type FakeHub } from '../src-main/test-support/fake-hub';

const shots = path.join(import.meta.dirname, 'artifacts');
let hub: FakeHub;
let host: SpawnedHost;
test.beforeAll(async () => {
  hub = await startFakeHub({ 'org/tiny-onnx': { files: filesOf(TINY_SD) } });
  host = await spawnHost([], { HF_ENDPOINT: hub.url, HF_TOKEN: '' });
});
test.afterAll(async () => {
  await host?.close();
  await hub?.close();
});

test('install a model from the hub with live progress, use it, then remove it', async ({ page }) => {
  await page.goto(`${host.url}#/models`);
  await page.getByTestId('install-repo').fill('org/tiny-onnx');
  await page.getByTestId('install-button').click();
  await expect(page.getByTestId('install-status')).toHaveText('Installed as tiny-onnx', { timeout: 60_000 });
  await expect(page.getByTestId('model-row-tiny-onnx')).toContainText('Ready');
  await page.screenshot({ path: path.join(shots, 'models-installed.png'), fullPage: true });

  // The built-in model stays the default; the new one can be picked.
  await page.getByTestId('nav-generate').click();
  await page.getByTestId('model-select').click();
  await page.getByRole('option', { name: 'tiny-onnx' }).click();
  await expect(page.getByTestId('model-select')).toHaveValue('tiny-onnx');

  await page.getByTestId('nav-models').click();
  await page.getByTestId('model-row-tiny-onnx').getByRole('button', { name: 'Remove' }).click();
  await page.getByTestId('confirm-remove').click();
  await expect(page.getByTestId('model-row-tiny-onnx')).toHaveCount(0);
});

test('an unknown repository fails with a clear message', async ({ page }) => {
  await page.goto(`${host.url}#/models`);
  await page.getByTestId('install-repo').fill('org/does-not-exist');
  await page.getByTestId('install-button').click();
  await expect(page.getByTestId('install-status').first()).toContainText('No repository org/does-not-exist');
});

test('a models folder must exist, and a new one is confirmed before use', async ({ page }) => {
  await page.goto(`${host.url}#/settings`);
  await page.getByTestId('models-dir').fill(path.join(host.home, 'no-such-folder'));
  await page.getByRole('button', { name: 'Save folder' }).click();
  await page.getByTestId('confirm-models-dir').click();
  await expect(page.getByText(/does not exist or is not a folder/)).toBeVisible();

  await page.getByTestId('models-dir').fill(host.home);
  await page.getByRole('button', { name: 'Save folder' }).click();
  await expect(page.getByText(/delete a model's folder there when you remove it/)).toBeVisible();
  await page.getByRole('button', { name: 'Cancel' }).click();
  const settings = await callHost<{ modelsDir: string | null }>(host.url, 'settings.get', {});
  expect(settings.modelsDir).toBeNull();
});
