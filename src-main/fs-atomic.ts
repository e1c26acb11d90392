import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { StudioError } from '../src-shared/domain/errors.js';

/**
 * Writes a file so that readers see either the old content or the new, never
 * a torn one: temp file in the same folder, fsync, rename, fsync the folder.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${crypto.randomBytes(6).toString('hex')}.tmp`);
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  try {
    const dfd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(dfd);
    } finally {
      fs.closeSync(dfd);
    }
  } catch {
    // Directory fsync is not supported everywhere (Windows); the rename is still atomic.
  }
}

/**
 * Makes sure a folder the studio writes to exists and is writable, with an
 * error that says so (rather than SQLite's "unable to open database file").
 */
export function ensureWritableDir(dir: string, what: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new StudioError(
      'INTERNAL',
      `The ${what} ${dir} cannot be written (${code}): check that the folder and its parents exist and are writable, or point STUDIO_HOME elsewhere.`,
    );
  }
}
