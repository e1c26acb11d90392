import fs from 'node:fs';
import path from 'node:path';
import { zSettings, type Settings, type SettingsPatch } from '../../src-shared/domain/settings.js';
import { writeFileAtomic } from '../fs-atomic.js';

/**
 * Settings persisted as JSON in the data folder. A damaged file is kept aside
 * (settings.json.broken) and defaults are used, so a bad edit never stops the app.
 */
export class SettingsStore {
  private current: Settings;
  readonly file: string;
  /** Set when the file on disk could not be read and was moved aside. */
  readonly recoveredFrom: string | null = null;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'settings.json');
    let raw: unknown = {};
    if (fs.existsSync(this.file)) {
      try {
        raw = JSON.parse(fs.readFileSync(this.file, 'utf8'));
      } catch {
        raw = undefined;
      }
    }
    const parsed = zSettings.safeParse(raw ?? {});
    if (raw === undefined || !parsed.success) {
      const aside = `${this.file}.broken`;
      fs.renameSync(this.file, aside);
      this.recoveredFrom = aside;
      this.current = zSettings.parse({});
    } else {
      this.current = parsed.data;
    }
  }

  get(): Settings {
    return { ...this.current };
  }

  set(patch: SettingsPatch): Settings {
    const next = zSettings.parse({ ...this.current, ...patch });
    writeFileAtomic(this.file, `${JSON.stringify(next, null, 2)}\n`);
    this.current = next;
    return this.get();
  }
}
