import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SettingsStore } from './settings-store.js';
import { zSettingsPatch } from '../../src-shared/domain/settings.js';
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

describe('a settings patch', () => {
  it('names only what changes: validating it fills in no defaults for the rest', () => {
    expect(zSettingsPatch.parse({ cpuThreads: 2 })).toEqual({ cpuThreads: 2 });
    expect(zSettingsPatch.safeParse({ cpuThreads: 0 }).success).toBe(false);
    expect(zSettingsPatch.safeParse({ nonsense: 1 }).success).toBe(false);
    const paths = tempStudioPaths();
    const store = new SettingsStore(paths.dataDir);
    store.set(zSettingsPatch.parse({ theme: 'light', defaultModel: 'tiny-sd' }));
    const after = store.set(zSettingsPatch.parse({ cpuThreads: 1 }));
    expect(after).toMatchObject({ theme: 'light', defaultModel: 'tiny-sd', cpuThreads: 1 });
  });
});
