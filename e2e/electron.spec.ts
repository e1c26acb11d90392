import { _electron as electron, expect, test, type ElectronApplication } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findElectronBinary } from '../scripts/electron-binary.mjs';

const root = path.resolve(import.meta.dirname, '..');
const binary = findElectronBinary();
const skipReason = 'no Electron binary on this machine (Electron downloads it on first launch, which needs internet); the browser specs cover the same UI';
if (!binary) console.log(`[electron.spec] skipped: ${skipReason}`);

test.describe('desktop app', () => {
  test.skip(!binary, skipReason);
  let app: ElectronApplication;
  let home: string;

  test.beforeAll(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-electron-'));
    app = await electron.launch({
      executablePath: binary!,
      args: [path.join(root, 'dist', 'main', 'electron.cjs')],
      env: { ...process.env, STUDIO_HOME: home },
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
    expect(await window.evaluate(() => Object.keys((window as unknown as { studio: object }).studio).sort())).toEqual(['invoke', 'subscribe']);
  });

  test('the Settings page shows the providers over Electron IPC', async () => {
    const window = await app.firstWindow();
    await window.getByTestId('nav-settings').click();
    await expect(window.getByTestId('provider-cpu')).toBeVisible();
    await window.screenshot({ path: path.join(root, 'e2e', 'artifacts', 'electron-settings.png') });
  });
});
