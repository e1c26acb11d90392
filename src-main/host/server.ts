/**
 * The headless host: the built renderer over HTTP and the contract over a
 * WebSocket at /ws. Bound to loopback by default; anywhere else needs a token.
 */
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { Studio } from '../studio.js';
import { attachSocket } from '../ipc/ws-transport.js';
import { CONTENT_SECURITY_POLICY } from './csp.js';
import { resolveInside } from '../path-inside.js';
import { mimeType } from './static-files.js';
import {
  checkHost,
  checkUpgrade,
  generateToken,
  isLoopbackHost,
  tokenFromRequest,
  tokensEqual,
  type AccessPolicy,
} from './security.js';
import { resolveMedia } from '../gallery/media.js';

export interface HostOptions {
  host?: string;
  port?: number;
  token?: string | null;
  rendererDir: string;
}

export interface RunningHost {
  url: string;
  port: number;
  host: string;
  /** The token clients must present, or null on loopback without one. */
  token: string | null;
  /** True when the token was generated here rather than given. */
  tokenGenerated: boolean;
  close(): Promise<void>;
}

const MAX_MESSAGE_BYTES = 96 * 1024 * 1024;

function baseHeaders(): Record<string, string> {
  return {
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}

function sendText(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, { ...baseHeaders(), 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text);
}

export async function startHost(studio: Studio, opts: HostOptions): Promise<RunningHost> {
  const host = opts.host ?? '127.0.0.1';
  const loopback = isLoopbackHost(host);
  let token = opts.token ?? null;
  let tokenGenerated = false;
  if (!loopback && !token) {
    token = generateToken();
    tokenGenerated = true;
  }
  const policy: AccessPolicy = { token, loopbackOnly: loopback };
  if (!fs.existsSync(path.join(opts.rendererDir, 'index.html'))) {
    throw new Error(`The renderer is not built (${opts.rendererDir}/index.html is missing): run \`npm run build\`.`);
  }

  const server = http.createServer((req, res) => {
    const hostCheck = checkHost(req, policy);
    if (!hostCheck.ok) return sendText(res, hostCheck.status, hostCheck.reason);
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'Method not allowed.');
    const url = new URL(req.url ?? '/', 'http://placeholder');
    if (url.pathname.startsWith('/media/')) {
      if (policy.token !== null && !tokensEqual(tokenFromRequest(req), policy.token))
        return sendText(res, 401, 'A valid token is required.');
      void resolveMedia(studio.gallery.store, url.pathname.slice('/media'.length)).then((media) => {
        if (!media) return sendText(res, 404, 'Not found.');
        res.writeHead(200, {
          ...baseHeaders(),
          'Content-Type': mimeType(media),
          'Cache-Control': 'private, max-age=31536000, immutable',
        });
        if (req.method === 'HEAD') return res.end();
        fs.createReadStream(media).pipe(res);
      });
      return;
    }
    const file =
      url.pathname === '/' ? path.join(opts.rendererDir, 'index.html') : resolveInside(opts.rendererDir, url.pathname);
    if (!file || !fs.statSync(file).isFile()) return sendText(res, 404, 'Not found.');
    res.writeHead(200, {
      ...baseHeaders(),
      'Content-Type': mimeType(file),
      'Cache-Control': file.endsWith('index.html') ? 'no-cache' : 'public, max-age=31536000, immutable',
    });
    if (req.method === 'HEAD') return res.end();
    fs.createReadStream(file).pipe(res);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://placeholder');
    const verdict =
      url.pathname === '/ws' ? checkUpgrade(req, policy) : { ok: false as const, status: 404, reason: 'Not found.' };
    if (!verdict.ok) {
      socket.write(
        `HTTP/1.1 ${verdict.status} ${http.STATUS_CODES[verdict.status] ?? ''}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${verdict.reason}`,
      );
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => attachSocket(ws, studio.router, studio.hub));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 7860, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}/`,
    port: address.port,
    host,
    token,
    tokenGenerated,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
