/**
 * The one IPC contract. Every channel is declared here once, with a zod schema
 * for its input and its output; every event stream with the schema of its
 * payload. The main-side router, the renderer's client and both transports
 * (Electron IPC, WebSocket) are derived from these declarations, so a channel
 * name never appears as a string anywhere else.
 */
import { z } from 'zod';
import { zSettings, zSettingsPatch } from './domain/settings.js';
import { zSystemInfo } from './domain/system.js';
import { zStudioErrorData } from './domain/errors.js';
import { engineChannels, engineEvents } from './domain/engine.js';
import { modelChannels, modelEvents } from './domain/models.js';
import { galleryChannels, galleryEvents } from './domain/gallery.js';
import { styleChannels } from './domain/styles.js';
import { plotChannels, plotEvents } from './domain/plots.js';

/** Input of channels that take no arguments: `{}` (and nothing else). */
export const zNoInput = z.object({}).strict();

export const channels = {
  'system.info': { input: zNoInput, output: zSystemInfo },
  'settings.get': { input: zNoInput, output: zSettings },
  'settings.set': { input: zSettingsPatch, output: zSettings },
  ...modelChannels,
  ...engineChannels,
  ...galleryChannels,
  ...styleChannels,
  ...plotChannels,
} as const;

export const events = {
  ...engineEvents,
  ...modelEvents,
  ...galleryEvents,
  ...plotEvents,
} as const;

export type Channels = typeof channels;
export type ChannelName = keyof Channels;
export type ChannelInput<K extends ChannelName> = z.input<Channels[K]['input']>;
export type ChannelParsedInput<K extends ChannelName> = z.output<Channels[K]['input']>;
export type ChannelOutput<K extends ChannelName> = z.output<Channels[K]['output']>;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<K extends EventName> = z.output<Events[K]>;
/** How a service announces an event; it never sees the transports. */
export type Emit = <K extends EventName>(event: K, payload: EventPayload<K>) => void;

export function isChannelName(name: unknown): name is ChannelName {
  return typeof name === 'string' && Object.hasOwn(channels, name);
}

// ---- Envelopes: identical on both transports --------------------------------

export const zCallEnvelope = z.object({
  kind: z.literal('call'),
  id: z.number().int().nonnegative(),
  channel: z.string().max(100),
  input: z.unknown(),
});
export type CallEnvelope = z.infer<typeof zCallEnvelope>;

export const zResultEnvelope = z.discriminatedUnion('ok', [
  z.object({ kind: z.literal('result'), id: z.number(), ok: z.literal(true), value: z.unknown() }),
  z.object({ kind: z.literal('result'), id: z.number(), ok: z.literal(false), error: zStudioErrorData }),
]);
export type ResultEnvelope = z.infer<typeof zResultEnvelope>;

export const zEventEnvelope = z.object({
  kind: z.literal('event'),
  event: z.string(),
  payload: z.unknown(),
});
export type EventEnvelope = z.infer<typeof zEventEnvelope>;

/** What a renderer may ask for, whichever transport carries it. */
export interface StudioBridge {
  invoke(channel: string, input: unknown): Promise<ResultEnvelope>;
  /** Returns an unsubscribe function. */
  subscribe(listener: (event: EventEnvelope) => void): () => void;
  /** The path of a file dropped on the window (Electron only: a browser never tells a page where a file is). */
  pathForFile?(file: object): string;
}
