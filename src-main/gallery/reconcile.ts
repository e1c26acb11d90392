/**
 * Startup reconciliation: the database and the files agree again after a
 * crash. Rows whose image is gone are removed; files no row uses (a write cut
 * short before its row was committed, temp files, thumbnails of deleted
 * images) are removed once they are older than a grace period; missing
 * init/mask files are forgotten. Only the folder's owner runs it (see
 * owner-lease.ts); the grace period also covers a writer the lease cannot see.
 */
import fs from 'node:fs';
import type { GalleryStore } from './gallery-store.js';

/** A file no row uses yet may be one another process is about to commit. */
export const ORPHAN_GRACE_MS = 10 * 60 * 1000;

export interface ReconcileReport {
  rowsWithoutFile: number;
  orphanFiles: number;
  orphanThumbs: number;
}

export function reconcile(store: GalleryStore, now = Date.now()): ReconcileReport {
  const { db, files } = store;
  const rows = db.prepare('SELECT id, image_file, init_image_file, mask_file FROM generations').all() as {
    id: number;
    image_file: string;
    init_image_file: string | null;
    mask_file: string | null;
  }[];
  const missing = new Set(rows.filter((r) => !files.exists(r.image_file)).map((r) => r.id));
  db.transaction(() => {
    const del = db.prepare('DELETE FROM generations WHERE id = ?');
    for (const id of missing) del.run(id);
    for (const r of rows) {
      if (r.init_image_file && !files.exists(r.init_image_file))
        db.prepare('UPDATE generations SET init_image_file = NULL WHERE id = ?').run(r.id);
      if (r.mask_file && !files.exists(r.mask_file))
        db.prepare('UPDATE generations SET mask_file = NULL WHERE id = ?').run(r.id);
    }
  })();
  const used = new Set<string>();
  for (const r of rows) {
    if (missing.has(r.id)) continue;
    used.add(r.image_file);
    if (r.init_image_file) used.add(r.init_image_file);
    if (r.mask_file) used.add(r.mask_file);
  }
  const old = (rel: string) => {
    const st = fs.statSync(files.abs(rel), { throwIfNoEntry: false });
    return st !== undefined && now - st.mtimeMs > ORPHAN_GRACE_MS;
  };
  let orphanFiles = 0;
  for (const f of [...files.listImages()]) {
    if (!used.has(f) && old(f)) {
      files.remove(f);
      orphanFiles++;
    }
  }
  const thumbsOfUsed = new Set([...used].map((f) => files.thumbnailRel(f)));
  let orphanThumbs = 0;
  for (const t of [...files.listThumbs()]) {
    if (!thumbsOfUsed.has(t) && old(t)) {
      files.remove(t);
      orphanThumbs++;
    }
  }
  return { rowsWithoutFile: missing.size, orphanFiles, orphanThumbs };
}
