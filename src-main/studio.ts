/**
 * The composition root: builds every service once and the router over them.
 * Both shells (Electron and the headless host) start the studio through here.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { Router, consoleLogger, type Handlers, type Logger } from './ipc/router.js';
import { EventHub } from './ipc/event-hub.js';
import { SettingsStore } from './settings/settings-store.js';
import { collectSystemInfo } from './system/system-info.js';
import { resolveStudioPaths, type StudioPaths } from './paths.js';
import type { SystemInfo } from '../src-shared/domain/system.js';

const require = createRequire(import.meta.url);

export interface StudioOptions {
  shell: SystemInfo['shell'];
  paths?: StudioPaths;
  logger?: Logger;
}

export interface Studio {
  paths: StudioPaths;
  router: Router;
  hub: EventHub;
  settings: SettingsStore;
  close(): Promise<void>;
}

export function appVersion(): string {
  try {
    return (require('../package.json') as { version: string }).version;
  } catch {
    return (require('../../package.json') as { version: string }).version;
  }
}

export async function startStudio(opts: StudioOptions): Promise<Studio> {
  const paths = opts.paths ?? resolveStudioPaths();
  fs.mkdirSync(paths.dataDir, { recursive: true });
  fs.mkdirSync(paths.modelsDir, { recursive: true });
  const settings = new SettingsStore(paths.dataDir);
  const hub = new EventHub();
  const logger = opts.logger ?? consoleLogger;
  const modelsDir = () => settings.get().modelsDir ?? paths.modelsDir;

  const handlers: Handlers = {
    'system.info': () =>
      collectSystemInfo({ paths, modelsDir: modelsDir(), shell: opts.shell, appVersion: appVersion(), sqliteVersion: null }),
    'settings.get': () => settings.get(),
    'settings.set': (patch) => settings.set(patch),
  };

  return {
    paths,
    router: new Router(handlers, logger),
    hub,
    settings,
    close: async () => {},
  };
}
