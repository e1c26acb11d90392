/**
 * Image files of the gallery, content-addressed: `images/ab/<sha256>.png`,
 * thumbnails `thumbs/ab/<sha256>.webp`. Written atomically (temp, fsync,
 * rename) before any database row points at them.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { writeFileAtomic } from '../fs-atomic.js';

export const THUMB_SIZE = 256;

export function sha256(bytes: Uint8Array): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

export class FileStore {
  readonly imagesDir: string;
  readonly thumbsDir: string;

  constructor(readonly root: string) {
    this.imagesDir = path.join(root, 'images');
    this.thumbsDir = path.join(root, 'thumbs');
    fs.mkdirSync(this.imagesDir, { recursive: true });
    fs.mkdirSync(this.thumbsDir, { recursive: true });
  }

  /** Where bytes are (or would be) stored: `images/ab/<sha256>.<ext>`. */
  relFor(bytes: Uint8Array, ext: 'png' | 'jpg' | 'webp'): string {
    const hash = sha256(bytes);
    return path.posix.join('images', hash.slice(0, 2), `${hash}.${ext}`);
  }

  /** Stores bytes under their hash; returns the path relative to the root (`images/ab/<hash>.<ext>`). */
  put(bytes: Uint8Array, ext: 'png' | 'jpg' | 'webp'): string {
    const rel = this.relFor(bytes, ext);
    const abs = this.abs(rel);
    if (!fs.existsSync(abs)) writeFileAtomic(abs, bytes);
    else fs.utimesSync(abs, new Date(), new Date()); // fresh again: reconciliation's grace period counts from now
    return rel;
  }

  /** The thumbnail path for an image, made on first use. */
  async thumbnail(imageRel: string): Promise<string> {
    const hash = path.basename(imageRel).replace(/\.\w+$/, '');
    const rel = path.posix.join('thumbs', hash.slice(0, 2), `${hash}.webp`);
    const abs = this.abs(rel);
    if (!fs.existsSync(abs)) {
      const webp = await sharp(this.abs(imageRel))
        .resize(THUMB_SIZE, THUMB_SIZE, { fit: 'inside', withoutEnlargement: true })
        .webp({ quality: 80 })
        .toBuffer();
      writeFileAtomic(abs, webp);
    }
    return rel;
  }

  thumbnailRel(imageRel: string): string {
    const hash = path.basename(imageRel).replace(/\.\w+$/, '');
    return path.posix.join('thumbs', hash.slice(0, 2), `${hash}.webp`);
  }

  abs(rel: string): string {
    return path.join(this.root, ...rel.split('/'));
  }

  exists(rel: string): boolean {
    return fs.existsSync(this.abs(rel));
  }

  remove(rel: string): void {
    fs.rmSync(this.abs(rel), { force: true });
    if (rel.startsWith('images/')) fs.rmSync(this.abs(this.thumbnailRel(rel)), { force: true });
  }

  /** Every stored image file, relative to the root (temp files of interrupted writes included). */
  *listImages(): Generator<string> {
    for (const dir of fs.readdirSync(this.imagesDir)) {
      const sub = path.join(this.imagesDir, dir);
      if (!fs.statSync(sub).isDirectory()) continue;
      for (const f of fs.readdirSync(sub)) yield path.posix.join('images', dir, f);
    }
  }

  *listThumbs(): Generator<string> {
    for (const dir of fs.readdirSync(this.thumbsDir)) {
      const sub = path.join(this.thumbsDir, dir);
      if (!fs.statSync(sub).isDirectory()) continue;
      for (const f of fs.readdirSync(sub)) yield path.posix.join('thumbs', dir, f);
    }
  }
}
