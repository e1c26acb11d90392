import { type Emit, events, type EventEnvelope, type EventName, type EventPayload } from '../../src-shared/contract.js';

type Listener = (event: EventEnvelope) => void;

/** Fan-out of contract events to every connected transport. */
export class EventHub {
  private readonly listeners = new Set<Listener>();

  /** Bound, so services can be handed `hub.emit` alone. */
  readonly emit: Emit = <K extends EventName>(event: K, payload: EventPayload<K>): void => {
    // Validate in the hub so both transports carry only contract-shaped events.
    const checked = events[event].parse(payload);
    const envelope: EventEnvelope = { kind: 'event', event, payload: checked };
    for (const listener of this.listeners) {
      try {
        listener(envelope);
      } catch {
        // A broken subscriber (closed socket) must not stop the others.
      }
    }
  };

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
