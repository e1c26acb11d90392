/**
 * The WebSocket transport: the same envelopes as Electron IPC, one JSON
 * message per envelope. Used by the headless host (`studio serve`).
 */
import type { WebSocket } from 'ws';
import { zCallEnvelope, type ResultEnvelope } from '../../src-shared/contract.js';
import type { Router } from './router.js';
import type { EventHub } from './event-hub.js';

export function attachSocket(socket: WebSocket, router: Router, hub: EventHub): void {
  const send = (data: unknown) => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(data));
  };
  const unsubscribe = hub.subscribe(send);
  socket.on('close', unsubscribe);
  socket.on('error', unsubscribe);
  socket.on('message', async (raw, isBinary) => {
    let message: unknown;
    try {
      message = isBinary ? undefined : JSON.parse(raw.toString());
    } catch {
      message = undefined;
    }
    const call = zCallEnvelope.safeParse(message);
    if (!call.success) {
      // Without a valid id there is nobody to answer; id -1 tells the client its frame was malformed.
      const reply: ResultEnvelope = {
        kind: 'result',
        id: -1,
        ok: false,
        error: { code: 'INVALID_INPUT', message: 'Malformed message: expected {kind:"call", id, channel, input}.' },
      };
      send(reply);
      return;
    }
    send(await router.call(call.data.id, call.data.channel, call.data.input));
  });
}
