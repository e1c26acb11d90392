/**
 * The main-side router: contract -> services. Every input is validated with
 * the channel's zod schema before a service sees it; every failure becomes a
 * typed `{code, message}` result. Stacks and paths stay in the main process log.
 */
import { z } from 'zod';
import {
  channels,
  isChannelName,
  type ChannelName,
  type ChannelOutput,
  type ChannelParsedInput,
  type ResultEnvelope,
} from '../../src-shared/contract.js';
import { StudioError, isStudioError, type StudioErrorData } from '../../src-shared/domain/errors.js';

export type Handlers = {
  [K in ChannelName]: (input: ChannelParsedInput<K>) => Promise<ChannelOutput<K>> | ChannelOutput<K>;
};

export interface Logger {
  error(message: string, err?: unknown): void;
}

export const consoleLogger: Logger = {
  error: (message, err) => console.error(`[studio] ${message}`, err ?? ''),
};

/** Readable one-line summary of zod issues: `steps: Too big: expected number to be <=200`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

export function toErrorData(err: unknown, channel: string, logger: Logger): StudioErrorData {
  if (isStudioError(err)) return { code: err.code, message: err.message };
  logger.error(`unexpected error in ${channel}`, err);
  return { code: 'INTERNAL', message: `Internal error while handling ${channel}; details are in the studio log.` };
}

export class Router {
  constructor(
    private readonly handlers: Handlers,
    private readonly logger: Logger = consoleLogger,
  ) {}

  /** Handles one call from any transport; never throws. */
  async call(id: number, channel: unknown, rawInput: unknown): Promise<ResultEnvelope> {
    const name = typeof channel === 'string' ? channel : String(channel);
    try {
      const value = await this.dispatch(channel, rawInput);
      return { kind: 'result', id, ok: true, value };
    } catch (err) {
      return { kind: 'result', id, ok: false, error: toErrorData(err, name.slice(0, 100), this.logger) };
    }
  }

  private async dispatch(channel: unknown, rawInput: unknown): Promise<unknown> {
    if (!isChannelName(channel)) {
      throw new StudioError('UNKNOWN_CHANNEL', `No channel named ${JSON.stringify(String(channel).slice(0, 100))}.`);
    }
    return this.dispatchKnown(channel, rawInput);
  }

  private async dispatchKnown<K extends ChannelName>(channel: K, rawInput: unknown): Promise<ChannelOutput<K>> {
    const spec = channels[channel];
    const parsed = spec.input.safeParse(rawInput ?? {});
    if (!parsed.success) {
      throw new StudioError('INVALID_INPUT', `Invalid input for ${channel}: ${describeIssues(parsed.error)}`);
    }
    const handler = this.handlers[channel] as (input: unknown) => Promise<unknown> | unknown;
    const result = await handler(parsed.data);
    // Output validation catches a service that drifted from the contract before the renderer does.
    const checked = spec.output.safeParse(result);
    if (!checked.success) {
      this.logger.error(`output of ${channel} does not match the contract: ${describeIssues(checked.error)}`);
      throw new StudioError('INTERNAL', `Internal error while handling ${channel}; details are in the studio log.`);
    }
    return checked.data as ChannelOutput<K>;
  }
}
