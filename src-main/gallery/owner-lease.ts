/**
 * Which process owns a gallery folder. The app (or `studio serve`) takes the
 * lease for as long as it runs; only the owner reconciles files and rows, so
 * a second app, a command-line import or a search beside it never removes
 * what the other is writing. A lease whose process is gone is taken over.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

interface LeaseRecord {
  pid: number;
  host: string;
  since: string;
}

export interface Lease {
  readonly file: string;
  release(): void;
}

function alive(record: LeaseRecord): boolean {
  // On another machine (a shared folder) we cannot tell: assume it is alive.
  if (record.host !== os.hostname()) return true;
  if (record.pid === process.pid) return true;
  try {
    process.kill(record.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readRecord(file: string): LeaseRecord | null {
  try {
    const r = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LeaseRecord>;
    return typeof r.pid === 'number' && typeof r.host === 'string' ? (r as LeaseRecord) : null;
  } catch {
    return null;
  }
}

/** Takes the folder's lease, or returns null when a live process holds it. */
export function acquireLease(dir: string): Lease | null {
  const file = path.join(dir, 'owner.lock');
  const record: LeaseRecord = { pid: process.pid, host: os.hostname(), since: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify(record), { flag: 'wx' });
      let released = false;
      return {
        file,
        release() {
          if (released) return;
          released = true;
          if (readRecord(file)?.pid === process.pid) fs.rmSync(file, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return null; // read-only folder: no owner, no repair
      const holder = readRecord(file);
      // A half-written lock is younger than a second; treat it as held.
      if (!holder && Date.now() - (fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0) < 1000) return null;
      if (holder && alive(holder)) return null;
      fs.rmSync(file, { force: true }); // stale: its process is gone
    }
  }
  return null;
}
