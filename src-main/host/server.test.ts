import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startStudio, type Studio } from '../studio.js';
import { startHost, type RunningHost } from './server.js';
import { tempStudioPaths } from '../test-support/temp-home.js';

/** Opens a socket, sends one frame, resolves with the first reply. */
function callOnce(url: string, frame: string, headers: Record<string, string> = {}): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => ws.send(frame));
    ws.on('message', (data) => {
      resolve(JSON.parse(data.toString()));
      ws.close();
    });
    ws.on('error', reject);
  });
}

/** Resolves with the HTTP status of a refused upgrade. */
function refusedStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => reject(new Error('connection was accepted')));
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => {});
  });
}

describe('headless host', () => {
  const paths = tempStudioPaths();
  const rendererDir = path.join(paths.root, 'renderer');
  let studio: Studio;
  let host: RunningHost;

  beforeAll(async () => {
    fs.mkdirSync(rendererDir, { recursive: true });
    fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>t</title>');
    studio = await startStudio({ shell: 'host', paths, logger: { error() {} } });
    host = await startHost(studio, { port: 0, rendererDir });
  });
  afterAll(async () => {
    await host.close();
    await studio.close();
    paths.remove();
  });

  const wsUrl = () => `ws://127.0.0.1:${host.port}/ws`;

  it('binds to loopback without a token by default', () => {
    expect(host.host).toBe('127.0.0.1');
    expect(host.token).toBeNull();
  });

  it('answers system.info over a real WebSocket', async () => {
    const reply = await callOnce(wsUrl(), JSON.stringify({ kind: 'call', id: 7, channel: 'system.info', input: {} }));
    expect(reply).toMatchObject({ kind: 'result', id: 7, ok: true, value: { shell: 'host', dataDir: paths.dataDir } });
  });

  it('answers a malformed input with a validation error, and stays up', async () => {
    const bad = await callOnce(
      wsUrl(),
      JSON.stringify({ kind: 'call', id: 8, channel: 'settings.set', input: { theme: 3 } }),
    );
    expect(bad).toMatchObject({ id: 8, ok: false, error: { code: 'INVALID_INPUT' } });
    const garbage = await callOnce(wsUrl(), '{{{not json');
    expect(garbage).toMatchObject({ id: -1, ok: false, error: { code: 'INVALID_INPUT' } });
    const after = await callOnce(wsUrl(), JSON.stringify({ kind: 'call', id: 9, channel: 'settings.get', input: {} }));
    expect(after).toMatchObject({ id: 9, ok: true });
  });

  it('refuses a models folder that does not exist, and keeps the old one', async () => {
    const call = (input: unknown) =>
      studio.router.call(1, 'settings.set', input).then((r) => (r.ok ? r.value : r.error));
    expect(await call({ modelsDir: path.join(paths.root, 'typo') })).toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/does not exist/),
    });
    expect(studio.settings.get().modelsDir).toBeNull();
    fs.mkdirSync(path.join(paths.root, 'elsewhere'));
    expect(await call({ modelsDir: path.join(paths.root, 'elsewhere') })).toMatchObject({
      modelsDir: path.join(paths.root, 'elsewhere'),
    });
    await call({ modelsDir: null });
  });

  it('refuses cross-origin upgrades and foreign Host headers', async () => {
    expect(await refusedStatus(wsUrl(), { Origin: 'https://evil.example' })).toBe(403);
    expect(await refusedStatus(wsUrl(), { Host: 'evil.example' })).toBe(421);
    const sameOrigin = await callOnce(
      wsUrl(),
      JSON.stringify({ kind: 'call', id: 1, channel: 'settings.get', input: {} }),
      {
        Origin: `http://127.0.0.1:${host.port}`,
      },
    );
    expect(sameOrigin).toMatchObject({ ok: true });
  });

  it('serves the renderer with a CSP and refuses paths outside it', async () => {
    const res = await fetch(`http://127.0.0.1:${host.port}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    for (const p of ['/../settings.json', '/%2e%2e/%2e%2e/etc/passwd', '/..%2fdata%2fsettings.json']) {
      const r = await fetch(`http://127.0.0.1:${host.port}${p}`);
      expect(r.status, p).toBe(404);
    }
  });

  it('serves gallery media and refuses paths outside the gallery', async () => {
    const { makePng } = await import('../test-support/images.js');
    const { imported } = await studio.gallery.importFiles([{ name: 'a.png', bytes: await makePng(77) }]);
    const item = studio.gallery.store.get(imported[0]!.id);
    const ok = await fetch(`http://127.0.0.1:${host.port}/media/${item.image}`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('image/png');
    expect((await fetch(`http://127.0.0.1:${host.port}/media/${item.thumbnail}`)).headers.get('content-type')).toBe(
      'image/webp',
    );
    for (const p of [
      '/media/../settings.json',
      '/media/%2e%2e/gallery/gallery.db',
      '/media/images/..%2f..%2fsettings.json',
      '/media//etc/passwd',
      '/media/gallery.db',
    ]) {
      const r = await fetch(`http://127.0.0.1:${host.port}${p}`);
      expect(r.status, p).toBe(404);
    }
  });

  it('answers malformed request targets with 400 and stays up, on plain requests and upgrades', async () => {
    const raw = (text: string) =>
      new Promise<string>((resolve) => {
        const socket = net.connect(host.port, '127.0.0.1', () => socket.write(text));
        let got = '';
        socket.on('data', (d) => (got += d));
        socket.on('close', () => resolve(got));
        socket.on('error', () => resolve(got));
        setTimeout(() => socket.destroy(), 2000);
      });
    const lines = [
      'GET http://[/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
      'GET http://[::1/media/x HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
      'GET http://[/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      'NOT EVEN HTTP\r\n\r\n',
    ];
    for (const line of lines) expect(await raw(line)).toMatch(/^HTTP\/1\.1 400/);
    expect((await fetch(`http://127.0.0.1:${host.port}/`)).status).toBe(200);
  });

  it('a media file that turned into a folder, or vanished, is a 404 for that request only', async () => {
    const { makePng } = await import('../test-support/images.js');
    const { imported } = await studio.gallery.importFiles([{ name: 'b.png', bytes: await makePng(78) }]);
    const item = studio.gallery.store.get(imported[0]!.id);
    const file = studio.gallery.store.files.abs(item.image);
    fs.rmSync(file);
    fs.mkdirSync(file);
    expect((await fetch(`http://127.0.0.1:${host.port}/media/${item.image}`)).status).toBe(404);
    fs.rmdirSync(file);
    expect((await fetch(`http://127.0.0.1:${host.port}/media/${item.image}`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${host.port}/`)).status).toBe(200);
  });

  it('requires a token off loopback, generating one when none is given', async () => {
    const open = await startHost(studio, { host: '0.0.0.0', port: 0, rendererDir });
    try {
      expect(open.tokenGenerated).toBe(true);
      expect(open.token).toMatch(/^[A-Za-z0-9_-]{20,}$/);
      const url = `ws://127.0.0.1:${open.port}/ws`;
      expect(await refusedStatus(url)).toBe(401);
      expect(await refusedStatus(`${url}?token=wrong`)).toBe(401);
      const ok = await callOnce(
        `${url}?token=${open.token}`,
        JSON.stringify({ kind: 'call', id: 2, channel: 'settings.get', input: {} }),
      );
      expect(ok).toMatchObject({ ok: true });
      // Media needs the token too.
      expect((await fetch(`http://127.0.0.1:${open.port}/media/images/00/${'0'.repeat(64)}.png`)).status).toBe(401);
    } finally {
      await open.close();
    }
  });
});
