/**
 * The Electron shell: one secure window over the same studio services the
 * headless host uses. The renderer reaches main only through the preload bridge.
 */
import {
  app,
  BrowserWindow,
  ipcMain,
  net,
  protocol,
  safeStorage,
  session,
  shell,
  type IpcMainInvokeEvent,
} from 'electron';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startStudio, type Studio } from '../studio.js';
import { appRoot } from '../paths.js';
import { CONTENT_SECURITY_POLICY } from '../host/csp.js';
import { resolveMedia } from '../gallery/media.js';
import { BRIDGE_EVENT, BRIDGE_INVOKE, secureWindowOptions } from './window-options.js';

const rendererIndex = () => path.join(appRoot(), 'dist', 'renderer', 'index.html');
let nextCallId = 1;

/** Only our own top-level page may call the studio. */
function fromOurPage(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null) return false;
  return frame.url.startsWith(pathToFileURL(rendererIndex()).href);
}

function hardenSession(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
  // No remote content: only the app's own files, data/blob URLs and devtools.
  ses.webRequest.onBeforeRequest((details, callback) => {
    const allowed = /^(file|data|blob|devtools|studio-media):/.test(details.url);
    callback({ cancel: !allowed });
  });
}

function createWindow(studio: Studio): BrowserWindow {
  const win = new BrowserWindow(secureWindowOptions(path.join(appRoot(), 'dist', 'main', 'preload.cjs')));
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (e) => e.preventDefault());
  win.webContents.on('will-attach-webview', (e) => e.preventDefault());
  const unsubscribe = studio.hub.subscribe((envelope) => {
    if (!win.isDestroyed()) win.webContents.send(BRIDGE_EVENT, envelope);
  });
  win.on('closed', unsubscribe);
  win.once('ready-to-show', () => win.show());
  void win.loadFile(rendererIndex());
  return win;
}

// Gallery images reach the renderer as studio-media://media/images/..., served
// only from inside the gallery folder (see gallery/media.ts).
protocol.registerSchemesAsPrivileged([
  { scheme: 'studio-media', privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

function registerMediaProtocol(studio: Studio): void {
  protocol.handle('studio-media', async (request) => {
    const url = new URL(request.url);
    const file = url.host === 'media' ? await resolveMedia(studio.gallery.store, url.pathname) : null;
    if (!file) return new Response('Not found', { status: 404 });
    return net.fetch(pathToFileURL(file).href);
  });
}

async function boot(): Promise<void> {
  await app.whenReady();
  hardenSession();
  const cipher = safeStorage.isEncryptionAvailable()
    ? { encrypt: (t: string) => safeStorage.encryptString(t), decrypt: (b: Buffer) => safeStorage.decryptString(b) }
    : null;
  const studio = await startStudio({ shell: 'electron', cipher });
  registerMediaProtocol(studio);
  ipcMain.handle(BRIDGE_INVOKE, (event, message: { channel?: unknown; input?: unknown }) => {
    const id = nextCallId++;
    if (!fromOurPage(event)) {
      return {
        kind: 'result',
        id,
        ok: false,
        error: { code: 'UNAUTHORIZED', message: 'Calls are accepted from the studio window only.' },
      };
    }
    return studio.router.call(id, message?.channel, message?.input);
  });
  createWindow(studio);
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow(studio);
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('will-quit', () => void studio.close());
}

app.on('web-contents-created', (_e, contents) => {
  contents.on('will-navigate', (e) => e.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
});

boot().catch((err) => {
  console.error('[studio] failed to start', err);
  app.exit(1);
});
