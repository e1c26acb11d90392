/**
 * The one check that keeps every file route (the host's static files, the
 * gallery's media, Electron's media protocol) inside its folder.
 */
import fs from 'node:fs';
import path from 'node:path';

/**
 * Resolves a URL path to a file strictly inside `root`, or null. Decoding,
 * `..`, absolute paths, NUL bytes and symlinks that lead outside are all refused.
 */
export function resolveInside(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const rel = path.posix.normalize(decoded).replace(/^\/+/, '');
  if (rel.startsWith('..') || path.isAbsolute(rel)) return null;
  const candidate = path.resolve(root, rel);
  let real: string;
  let realRoot: string;
  try {
    real = fs.realpathSync(candidate);
    realRoot = fs.realpathSync(root);
  } catch {
    return null;
  }
  if (real !== realRoot && !real.startsWith(realRoot + path.sep)) return null;
  return real;
}
