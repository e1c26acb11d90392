/**
 * The renderer's typed client. Calls are typed from the contract; an error
 * result is thrown as a StudioError carrying its code. The bridge is the
 * Electron preload's `window.studio` when present, the host's WebSocket otherwise.
 */
import {
  events,
  type ChannelInput,
  type ChannelName,
  type ChannelOutput,
  type EventName,
  type EventPayload,
  type StudioBridge,
} from '../../src-shared/contract.js';
import { fromErrorData } from '../../src-shared/domain/errors.js';
import { createWsBridge, wsUrlFromLocation } from './ws-bridge.js';

export class StudioClient {
  constructor(private readonly bridge: StudioBridge) {}

  async invoke<K extends ChannelName>(channel: K, input: ChannelInput<K>): Promise<ChannelOutput<K>> {
    const result = await this.bridge.invoke(channel, input);
    if (!result.ok) throw fromErrorData(result.error);
    return result.value as ChannelOutput<K>;
  }

  /** Where a dropped file is on disk, when the shell can tell (Electron); null in a browser. */
  pathForFile(file: File): string | null {
    try {
      return this.bridge.pathForFile?.(file) || null;
    } catch {
      return null;
    }
  }

  on<K extends EventName>(event: K, listener: (payload: EventPayload<K>) => void): () => void {
    return this.bridge.subscribe((envelope) => {
      if (envelope.event !== event) return;
      const parsed = events[event].safeParse(envelope.payload);
      if (parsed.success) listener(parsed.data as EventPayload<K>);
    });
  }
}

declare global {
  interface Window {
    studio?: StudioBridge;
  }
}

export function createClient(): StudioClient {
  const bridge = window.studio ?? createWsBridge(wsUrlFromLocation(window.location));
  return new StudioClient(bridge);
}

export const client = createClient();
