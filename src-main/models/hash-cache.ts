/**
 * Short hashes of big files (models, checkpoints, LoRAs), computed once in the
 * background and kept in a JSON file under keys that change with the files
 * (path, size, time). One computation per key at a time; a failed write of
 * the cache only means computing again next start.
 */
import fs from 'node:fs';
import { writeFileAtomic } from '../fs-atomic.js';

export class HashCache {
  private readonly hashes: Record<string, string>;
  private readonly pending = new Map<string, Promise<string | null>>();

  constructor(private readonly file: string) {
    let loaded: Record<string, string> = {};
    try {
      loaded = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>;
    } catch {
      // No cache yet, or a damaged one: start empty.
    }
    this.hashes = loaded;
  }

  /** The hash once known; null while `compute` runs in the background. */
  cached(key: string, compute: () => Promise<string>): string | null {
    if (this.hashes[key]) return this.hashes[key]!;
    void this.get(key, compute);
    return null;
  }

  get(key: string, compute: () => Promise<string>): Promise<string | null> {
    if (this.hashes[key]) return Promise.resolve(this.hashes[key]!);
    let p = this.pending.get(key);
    if (!p) {
      p = compute().then(
        (h) => {
          this.hashes[key] = h;
          try {
            writeFileAtomic(this.file, JSON.stringify(this.hashes, null, 1));
          } catch {
            // Only a cache (a full disk, a read-only folder): computed again next start.
          }
          return h;
        },
        () => null,
      );
      this.pending.set(key, p);
      void p.finally(() => this.pending.delete(key));
    }
    return p;
  }
}
