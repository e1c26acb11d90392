/**
 * The headless host: the built renderer over HTTP and the contract over a
 * WebSocket at /ws. Bound to loopback by default; anywhere else needs a token.
 */
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
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
  /** Where failures of single requests are logged. */
  logger?: { error(message: string): void };
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
  if (res.headersSent) return void res.destroy();
  res.writeHead(status, { ...baseHeaders(), 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text);
}

/** The request's path and query; null for a target the URL parser rejects (`http://[/`). */
function requestTarget(req: http.IncomingMessage): URL | null {
  try {
    return new URL(req.url ?? '/', 'http://placeholder');
  } catch {
    return null;
  }
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
  const logger = opts.logger ?? console;
  if (!fs.existsSync(path.join(opts.rendererDir, 'index.html'))) {
    throw new Error(`The renderer is not built (${opts.rendererDir}/index.html is missing): run \`npm run build\`.`);
  }

  /** Serves one file, or a clean error: the file may vanish or be a folder by the time it is opened. */
  const sendFile = (req: http.IncomingMessage, res: http.ServerResponse, file: string, cache: string) => {
    fs.stat(file, (statErr, st) => {
      if (statErr || !st.isFile()) return sendText(res, 404, 'Not found.');
      const stream = fs.createReadStream(file);
      stream.once('error', () => {
        if (!res.headersSent) sendText(res, 404, 'Not found.');
        else res.destroy();
      });
      stream.once('open', () => {
        res.writeHead(200, {
          ...baseHeaders(),
          'Content-Type': mimeType(file),
          'Content-Length': st.size,
          'Cache-Control': cache,
        });
        if (req.method === 'HEAD') {
          stream.destroy();
          res.end();
        } else stream.pipe(res);
      });
    });
  };

  const handleRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const hostCheck = checkHost(req, policy);
    if (!hostCheck.ok) return sendText(res, hostCheck.status, hostCheck.reason);
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'Method not allowed.');
    const url = requestTarget(req);
    if (!url) return sendText(res, 400, 'Bad request.');
    if (url.pathname.startsWith('/media/')) {
      if (policy.token !== null && !tokensEqual(tokenFromRequest(req), policy.token))
        return sendText(res, 401, 'A valid token is required.');
      resolveMedia(studio.gallery.store, url.pathname.slice('/media'.length)).then(
        (media) =>
          media ? sendFile(req, res, media, 'private, max-age=31536000, immutable') : sendText(res, 404, 'Not found.'),
        () => sendText(res, 404, 'Not found.'),
      );
      return;
    }
    const file =
      url.pathname === '/' ? path.join(opts.rendererDir, 'index.html') : resolveInside(opts.rendererDir, url.pathname);
    if (!file) return sendText(res, 404, 'Not found.');
    sendFile(req, res, file, file.endsWith('index.html') ? 'no-cache' : 'public, max-age=31536000, immutable');
  };

  // No request, however malformed, may end the process: a failure is that request's 4xx/5xx.
  const server = http.createServer((req, res) => {
    try {
      handleRequest(req, res);
    } catch (err) {
      logger.error(`host: request ${JSON.stringify(req.url)} failed: ${(err as Error).message}`);
      if (!res.headersSent) sendText(res, 500, 'Internal error.');
      else res.destroy();
    }
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const refuseUpgrade = (socket: Duplex, status: number, reason: string) => {
    socket.end(
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${reason}`,
    );
  };
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    try {
      const url = requestTarget(req);
      if (!url) return refuseUpgrade(socket, 400, 'Bad request.');
      const verdict =
        url.pathname === '/ws' ? checkUpgrade(req, policy) : { ok: false as const, status: 404, reason: 'Not found.' };
      if (!verdict.ok) return refuseUpgrade(socket, verdict.status, verdict.reason);
      wss.handleUpgrade(req, socket, head, (ws) => attachSocket(ws, studio.router, studio.hub));
    } catch (err) {
      logger.error(`host: upgrade ${JSON.stringify(req.url)} failed: ${(err as Error).message}`);
      socket.destroy();
    }
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
