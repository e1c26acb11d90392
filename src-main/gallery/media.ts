/**
 * Gallery files for the renderer (host route /media/..., Electron's
 * studio-media:// protocol): only images/ and thumbs/ inside the gallery
 * folder, never anything outside it (.., encodings, absolute paths, symlinks).
 */
import fs from 'node:fs';
import path from 'node:path';
import { resolveInside } from '../path-inside.js';
import type { GalleryStore } from './gallery-store.js';

const MEDIA_PATH = /^\/?(images|thumbs)\/[0-9a-f]{2}\/[0-9a-f]{64}\.(png|jpg|webp)$/;

/** Absolute file for a media path, creating a missing thumbnail; null when refused or absent. */
export async function resolveMedia(store: GalleryStore, urlPath: string): Promise<string | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (!MEDIA_PATH.test(decoded)) return null;
  const rel = decoded.replace(/^\//, '');
  if (rel.startsWith('thumbs/') && !store.files.exists(rel)) {
    const hash = rel.slice(10, 74);
    const image = ['png', 'jpg', 'webp']
      .map((e) => `images/${hash.slice(0, 2)}/${hash}.${e}`)
      .find((p) => store.files.exists(p));
    if (!image) return null;
    await store.files.thumbnail(image).catch(() => null);
  }
  if (anySymlink(store.dir, rel)) return null;
  return resolveInside(store.dir, rel);
}

/** The gallery writes only plain files and folders: a link on the way (even to the database beside it) is refused. */
function anySymlink(root: string, rel: string): boolean {
  let p = root;
  for (const part of rel.split('/')) {
    p = path.join(p, part);
    if (fs.lstatSync(p, { throwIfNoEntry: false })?.isSymbolicLink()) return true;
  }
  return false;
}
