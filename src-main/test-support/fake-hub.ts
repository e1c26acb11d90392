import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface FakeRepo {
  /** path in repo -> bytes */
  files: Record<string, Buffer>;
  /** Publish a wrong sha256 for these paths. */
  wrongSha?: string[];
}

export interface FakeHub {
  url: string;
  /** Bytes sent per file path (all requests together). */
  served: Map<string, number>;
  /** The Range start of every download request per file path (0 without Range). */
  requests: Map<string, number[]>;
  /** Cut the connection halfway through the first download of these paths. */
  cutOnce: Set<string>;
  /** Delay each chunk (ms), to make downloads slow enough to cancel. */
  slowMs: number;
  close(): Promise<void>;
}

export function filesOf(dir: string, prefix = ''): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) Object.assign(out, filesOf(path.join(dir, e.name), rel));
    else out[rel] = fs.readFileSync(path.join(dir, e.name));
  }
  return out;
}

/** A local stand-in for the Hugging Face Hub: the revision API and resolve downloads with Range. */
export async function startFakeHub(repos: Record<string, FakeRepo>): Promise<FakeHub> {
  const served = new Map<string, number>();
  const requests = new Map<string, number[]>();
  const cutOnce = new Set<string>();
  const hub = { slowMs: 0 };
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const api = /^\/api\/models\/([^/]+\/[^/]+)\/revision\/([^/]+)$/.exec(url.pathname);
    if (api) {
      const repo = repos[api[1]!];
      if (!repo) return res.writeHead(404).end('{"error":"Repository not found"}');
      const siblings = Object.entries(repo.files).map(([p, b]) => ({
        rfilename: p,
        size: b.length,
        ...(b.length > 1024
          ? {
              lfs: {
                size: b.length,
                sha256: repo.wrongSha?.includes(p)
                  ? '0'.repeat(64)
                  : crypto.createHash('sha256').update(b).digest('hex'),
              },
            }
          : {}),
      }));
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return res.end(JSON.stringify({ id: api[1], sha: 'c0ffee1234', siblings }));
    }
    const dl = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    const repo = dl && repos[dl[1]!];
    const file = dl && decodeURIComponent(dl[3]!);
    const body = repo && file ? repo.files[file] : undefined;
    if (!body || !file) return res.writeHead(404).end('not found');
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const from = range ? Number(range[1]) : 0;
    requests.set(file, [...(requests.get(file) ?? []), from]);
    if (from >= body.length) return res.writeHead(416).end();
    const slice = body.subarray(from);
    res.writeHead(range ? 206 : 200, {
      'Content-Length': slice.length,
      ...(range ? { 'Content-Range': `bytes ${from}-${body.length - 1}/${body.length}` } : {}),
    });
    const cut = cutOnce.has(file);
    if (cut) cutOnce.delete(file);
    const limit = cut ? Math.floor(slice.length / 2) : slice.length;
    for (let o = 0; o < limit; o += 16384) {
      const chunk = slice.subarray(o, Math.min(limit, o + 16384));
      res.write(chunk);
      served.set(file, (served.get(file) ?? 0) + chunk.length);
      if (hub.slowMs) await new Promise((r) => setTimeout(r, hub.slowMs));
    }
    if (cut) {
      await new Promise((r) => setTimeout(r, 20));
      return res.socket?.destroy();
    }
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    served,
    requests,
    cutOnce,
    get slowMs() {
      return hub.slowMs;
    },
    set slowMs(v: number) {
      hub.slowMs = v;
    },
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
