/**
 * A StudioBridge over the headless host's WebSocket: the same envelopes as
 * the Electron preload. Reconnects with backoff; calls in flight when the
 * socket drops fail with a readable error instead of hanging.
 */
import {
  zEventEnvelope,
  zResultEnvelope,
  type EventEnvelope,
  type ResultEnvelope,
  type StudioBridge,
} from '../../src-shared/contract.js';

interface Pending {
  resolve: (result: ResultEnvelope) => void;
}

export function wsUrlFromLocation(loc: Location): string {
  const proto = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  const token = new URLSearchParams(loc.search).get('token');
  return `${proto}//${loc.host}/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`;
}

export function createWsBridge(url: string): StudioBridge {
  const pending = new Map<number, Pending>();
  const listeners = new Set<(e: EventEnvelope) => void>();
  let socket: WebSocket | null = null;
  let opened: Promise<WebSocket> | null = null;
  let nextId = 1;
  let retryMs = 250;

  const failAll = (message: string) => {
    for (const [id, p] of pending) p.resolve({ kind: 'result', id, ok: false, error: { code: 'INTERNAL', message } });
    pending.clear();
  };

  const connect = (): Promise<WebSocket> => {
    opened ??= new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.onopen = () => {
        socket = ws;
        retryMs = 250;
        resolve(ws);
      };
      ws.onmessage = (msg) => {
        let data: unknown;
        try {
          data = JSON.parse(String(msg.data));
        } catch {
          return;
        }
        const result = zResultEnvelope.safeParse(data);
        if (result.success) {
          pending.get(result.data.id)?.resolve(result.data);
          pending.delete(result.data.id);
          return;
        }
        const event = zEventEnvelope.safeParse(data);
        if (event.success) for (const l of listeners) l(event.data);
      };
      ws.onclose = () => {
        const wasOpen = socket === ws;
        socket = null;
        opened = null;
        failAll('The connection to the studio was lost; retrying.');
        if (!wasOpen) reject(new Error('Cannot connect to the studio host.'));
        setTimeout(() => void connect().catch(() => {}), retryMs);
        retryMs = Math.min(retryMs * 2, 5000);
      };
    });
    return opened;
  };

  void connect().catch(() => {});

  return {
    async invoke(channel, input) {
      const id = nextId++;
      let ws: WebSocket;
      try {
        ws = socket ?? (await connect());
      } catch {
        return {
          kind: 'result',
          id,
          ok: false,
          error: { code: 'INTERNAL', message: 'Cannot connect to the studio host.' },
        };
      }
      return new Promise<ResultEnvelope>((resolve) => {
        pending.set(id, { resolve });
        ws.send(JSON.stringify({ kind: 'call', id, channel, input }));
      });
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
