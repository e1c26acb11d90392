/**
 * The BrowserWindow's security settings, kept apart from the code that uses
 * them so a test can read exactly what the window is created with.
 */
import type { BrowserWindowConstructorOptions } from 'electron';

export function secureWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1440,
    height: 900,
    minWidth: 960,
    minHeight: 640,
    show: false,
    backgroundColor: '#1a1b1e',
    title: 'Latent Studio',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      sandbox: true,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  };
}

/** IPC channel names the preload and main process share (not contract channels). */
export const BRIDGE_INVOKE = 'studio:invoke';
export const BRIDGE_EVENT = 'studio:event';
