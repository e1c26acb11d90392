import { _electron as electron, expect, test, type ElectronApplication } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { electronPackageDir, findElectronBinary } from '../scripts/electron-binary.mjs';
import { electronSqliteBinding } from '../scripts/electron-native.mjs';
import { EMBEDDED_MODEL } from './helpers/host';
import { fillGenerateForm } from './helpers/generate-form';

const root = path.resolve(import.meta.dirname, '..');
const binary = findElectronBinary();
const skipReason =
  'no Electron binary on this machine (Electron downloads it on first launch, which needs internet); the browser specs cover the same UI';
if (!binary) console.log(`[electron.spec] skipped: ${skipReason}`);

test.describe('desktop app', () => {
  test.skip(!binary, skipReason);
  let app: ElectronApplication;
  let home: string;

  test.beforeAll(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-electron-'));
    // The embedded model is built in; everything runs on CPU.
    fs.mkdirSync(path.join(home, 'data'), { recursive: true });
    fs.writeFileSync(path.join(home, 'data', 'settings.json'), JSON.stringify({ providerPreference: 'cpu' }));
    const version = (
      JSON.parse(fs.readFileSync(path.join(electronPackageDir, 'package.json'), 'utf8')) as { version: string }
    ).version;
    const sqlite = electronSqliteBinding(version);
    test.skip(!sqlite, 'better-sqlite3 could not be built for Electron here');
    app = await electron.launch({
      executablePath: binary!,
      args: [path.join(root, 'dist', 'main', 'electron.cjs')],
      env: { ...process.env, STUDIO_HOME: home, STUDIO_SQLITE_BINDING: sqlite! },
    });
  });
  test.afterAll(async () => {
    await app?.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  test('the window is created with the secure settings', async () => {
    const window = await app.firstWindow();
    const prefs = await app.evaluate(({ BrowserWindow }) => {
      const wc = BrowserWindow.getAllWindows()[0]!.webContents;
      return (wc as unknown as { getLastWebPreferences(): Record<string, unknown> }).getLastWebPreferences();
    });
    expect(prefs).toMatchObject({ contextIsolation: true, nodeIntegration: false, sandbox: true, webSecurity: true });
    expect(await window.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
    expect(await window.evaluate(() => Object.keys((window as unknown as { studio: object }).studio).sort())).toEqual([
      'invoke',
      'subscribe',
    ]);
  });

  test('the Settings page shows the providers over Electron IPC', async () => {
    const window = await app.firstWindow();
    await window.getByTestId('nav-settings').click();
    await expect(window.getByTestId('provider-cpu')).toBeVisible();
    await window.screenshot({ path: path.join(root, 'e2e', 'artifacts', 'electron-settings.png') });
  });

  test('generate, then find the image in the gallery (studio-media protocol)', async () => {
    const window = await app.firstWindow();
    await window.getByTestId('nav-generate').click();
    await expect(window.getByTestId('model-select')).toHaveValue(EMBEDDED_MODEL);
    await fillGenerateForm(window, { prompt: 'an electron test image', steps: 4, width: 64, height: 64 });
    await window.getByTestId('generate-button').click();
    await expect(window.getByTestId('result-image')).toBeVisible({ timeout: 60_000 });
    await window.getByTestId('nav-gallery').click();
    await window.getByTestId('gallery-search').fill('electron');
    await expect(window.getByTestId('gallery-cell')).toHaveCount(1);
    await window.getByTestId('gallery-cell').first().click();
    const loaded = await window.getByTestId('detail-image').evaluate((img) => (img as HTMLImageElement).naturalWidth);
    expect(loaded).toBe(64);
    await window.screenshot({ path: path.join(root, 'e2e', 'artifacts', 'electron-gallery.png') });
  });
});
