/**
 * The gallery database: better-sqlite3 in the data folder, WAL, foreign keys,
 * and migrations applied in one transaction each. A database written by a
 * newer Latent Studio is refused rather than damaged.
 */
import Database from 'better-sqlite3';
import path from 'node:path';
import { StudioError } from '../../src-shared/domain/errors.js';
import { loraTags } from '../../src-shared/domain/network-tags.js';
import { ensureWritableDir } from '../fs-atomic.js';
import { MIGRATIONS } from './migrations.js';

export type Db = Database.Database;

export function openDatabase(file: string, migrations: readonly string[] = MIGRATIONS): Db {
  ensureWritableDir(path.dirname(file), 'gallery folder');
  // The desktop app in development loads a better-sqlite3 build for Electron's ABI (scripts/electron-native.mjs).
  const nativeBinding = process.env.STUDIO_SQLITE_BINDING;
  const db = new Database(file, nativeBinding ? { nativeBinding } : {});
  try {
    // Refuse a newer database before changing anything in it (even its journal mode).
    // Another process (the app beside a command-line import) may hold the lock: wait for it, do not fail.
    db.pragma('busy_timeout = 5000');
    checkNotNewer(db, migrations);
    // SQLite answers "database is locked" at once, without waiting, where waiting could deadlock: a process
    // switching a new gallery to WAL while another migrates it. Both steps are safe to repeat: try again.
    whileBusy(() => db.pragma('journal_mode = WAL'));
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    whileBusy(() => migrate(db, migrations));
    // The gallery's LoRA filter reads prompt tags with the engine's own parser (one place for the syntax).
    db.function('uses_lora', { deterministic: true }, (prompt, name) =>
      typeof prompt === 'string' && loraTags(prompt).some((t) => t.name.toLowerCase() === name) ? 1 : 0,
    );
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** Runs `step` again while SQLite says the database is busy, for up to 10 s. */
function whileBusy<T>(step: () => T): T {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      return step();
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if ((code !== 'SQLITE_BUSY' && code !== 'SQLITE_LOCKED') || Date.now() > deadline) throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20 + Math.random() * 30);
    }
  }
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function checkNotNewer(db: Db, migrations: readonly string[]): void {
  const current = schemaVersion(db);
  if (current > migrations.length) {
    throw new StudioError(
      'INTERNAL',
      `The gallery database was written by a newer Latent Studio (schema ${current}, this version knows ${migrations.length}). Update the app; the database was left untouched.`,
    );
  }
}

export function migrate(db: Db, migrations: readonly string[]): void {
  checkNotNewer(db, migrations);
  if (schemaVersion(db) === migrations.length) return;
  // One write transaction taken up front (BEGIN IMMEDIATE), the version read again inside it: two
  // processes opening a new or old gallery at once migrate it once, never twice.
  db.transaction(() => {
    for (let v = schemaVersion(db); v < migrations.length; v++) {
      db.exec(migrations[v]!);
      db.pragma(`user_version = ${v + 1}`);
    }
  }).immediate();
}

export function sqliteVersion(db: Db): string {
  return (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
}
