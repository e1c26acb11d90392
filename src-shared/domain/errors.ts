/**
 * Errors cross every boundary (IPC, WebSocket, worker threads) as plain data:
 * `{code, message}`. Callers branch on `code`, never on `instanceof`, which
 * fails across realms. Messages name the thing and the fix; they never carry
 * stack traces or absolute paths.
 */
import { z } from 'zod';

export const ERROR_CODES = [
  'INVALID_INPUT',
  'UNKNOWN_CHANNEL',
  'NOT_FOUND',
  'MODEL_NOT_FOUND',
  'UNSUPPORTED_MODEL',
  'BROKEN_MODEL',
  'BAD_SIZE',
  'EP_UNAVAILABLE',
  'CANCELLED',
  'BUSY',
  'UNAUTHORIZED',
  'INTERNAL',
] as const;

export const zErrorCode = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof zErrorCode>;

export const zStudioErrorData = z.object({ code: zErrorCode, message: z.string() });
export type StudioErrorData = z.infer<typeof zStudioErrorData>;

export class StudioError extends Error {
  override readonly name = 'StudioError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  toData(): StudioErrorData {
    return { code: this.code, message: this.message };
  }
}

/** True for anything shaped like a StudioError, including one rebuilt from data. */
export function isStudioError(value: unknown): value is StudioError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { name?: unknown }).name === 'StudioError' &&
    zErrorCode.safeParse((value as { code?: unknown }).code).success
  );
}

export function fromErrorData(data: StudioErrorData): StudioError {
  return new StudioError(data.code, data.message);
}
