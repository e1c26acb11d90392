/**
 * Who may talk to the headless host. Pure functions, tested on their own.
 */
import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_NAMES.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export function generateToken(): string {
  return crypto.randomBytes(24).toString('base64url');
}

export function tokensEqual(given: string | null, expected: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

/** The hostname part of a Host header (`127.0.0.1:7860` -> `127.0.0.1`, `[::1]:80` -> `[::1]`). */
export function hostnameOf(hostHeader: string | undefined): string | null {
  if (!hostHeader) return null;
  try {
    return new URL(`http://${hostHeader}`).hostname;
  } catch {
    return null;
  }
}

export interface AccessPolicy {
  /** Required on every WebSocket connection and media request when set. */
  token: string | null;
  /** Bound to loopback: refuse Host headers naming anything else (DNS rebinding). */
  loopbackOnly: boolean;
}

export type AccessVerdict = { ok: true } | { ok: false; status: number; reason: string };

export function tokenFromRequest(req: IncomingMessage): string | null {
  let fromQuery: string | null = null;
  try {
    fromQuery = new URL(req.url ?? '/', 'http://placeholder').searchParams.get('token');
  } catch {
    // A target the URL parser rejects carries no token.
  }
  if (fromQuery) return fromQuery;
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7);
  return null;
}

export function checkHost(req: IncomingMessage, policy: AccessPolicy): AccessVerdict {
  if (!policy.loopbackOnly) return { ok: true };
  const host = hostnameOf(req.headers.host);
  if (host && isLoopbackHost(host)) return { ok: true };
  return { ok: false, status: 421, reason: 'This studio only answers on localhost.' };
}

/** WebSocket upgrades: same origin only (or no Origin, from non-browser clients), and the token. */
export function checkUpgrade(req: IncomingMessage, policy: AccessPolicy): AccessVerdict {
  const host = checkHost(req, policy);
  if (!host.ok) return host;
  const origin = req.headers.origin;
  if (origin !== undefined) {
    let originHost: string | null = null;
    try {
      originHost = new URL(origin).host;
    } catch {
      originHost = null;
    }
    if (originHost === null || originHost !== req.headers.host) {
      return { ok: false, status: 403, reason: 'Cross-origin WebSocket connections are refused.' };
    }
  }
  if (policy.token !== null && !tokensEqual(tokenFromRequest(req), policy.token)) {
    return { ok: false, status: 401, reason: 'A valid token is required.' };
  }
  return { ok: true };
}
