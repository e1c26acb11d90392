import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SettingsStore } from './settings-store.js';
import { tempStudioPaths } from '../test-support/temp-home.js';

describe('SettingsStore', () => {
  const paths = tempStudioPaths();
  afterEach(() => paths.remove());

  it('starts from defaults and persists changes across instances', () => {
    const first = new SettingsStore(paths.dataDir);
    expect(first.get()).toMatchObject({ theme: 'dark', rngMode: 'cpu', providerPreference: 'auto' });
    first.set({ theme: 'light', rngMode: 'gpu' });
    const second = new SettingsStore(paths.dataDir);
    expect(second.get()).toMatchObject({ theme: 'light', rngMode: 'gpu' });
  });

  it('moves a damaged file aside and carries on with defaults', () => {
    fs.mkdirSync(paths.dataDir, { recursive: true });
    fs.writeFileSync(path.join(paths.dataDir, 'settings.json'), '{ not json');
    const store = new SettingsStore(paths.dataDir);
    expect(store.get().theme).toBe('dark');
    expect(store.recoveredFrom).toBe(path.join(paths.dataDir, 'settings.json.broken'));
    expect(fs.readFileSync(store.recoveredFrom!, 'utf8')).toBe('{ not json');
  });
});
