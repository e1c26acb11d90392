import WebSocket from 'ws';

/** Calls one contract channel over the host's WebSocket, as the renderer does. */
export async function callHost<T>(hostUrl: string, channel: string, input: unknown): Promise<T> {
  const url = new URL('ws', hostUrl.replace(/^http/, 'ws'));
  const token = new URL(hostUrl).searchParams.get('token');
  if (token) url.searchParams.set('token', token);
  const ws = new WebSocket(url);
  try {
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return await new Promise<T>((resolve, reject) => {
      ws.on('message', (data) => {
        const msg = JSON.parse(String(data)) as {
          kind: string;
          id: number;
          ok: boolean;
          value?: T;
          error?: { message: string };
        };
        if (msg.kind !== 'result' || msg.id !== 1) return;
        if (msg.ok) resolve(msg.value as T);
        else reject(new Error(msg.error?.message));
      });
      ws.send(JSON.stringify({ kind: 'call', id: 1, channel, input }));
    });
  } finally {
    ws.close();
  }
}
