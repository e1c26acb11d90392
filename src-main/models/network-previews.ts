/**
 * Preview pictures kept beside LoRA and embedding files, as A1111 and CivitAI
 * helpers save them (`NAME.preview.png`, `NAME.png`, `.jpg`, `.jpeg`, `.webp`),
 * turned into small thumbnails for the Generate page's pickers. A preview
 * that cannot be read gives no thumbnail, never an error: it is decoration.
 */
import fs from 'node:fs';
import path from 'node:path';

/** The names a preview of `stem` may have, in the order they are looked for. */
export const previewNames = (stem: string) =>
  ['.preview.png', '.preview.jpg', '.preview.jpeg', '.preview.webp', '.png', '.jpg', '.jpeg', '.webp'].map(
    (ext) => `${stem}${ext}`,
  );

/** Thumbnails are this many pixels on their longer side. */
const THUMB = 64;
/** A preview larger than this is not read (a picker's thumbnail is not worth it). */
const MAX_PREVIEW_BYTES = 16 * 2 ** 20;

/** By file, size and time: a listing made again reads no picture that has not changed. */
const cache = new Map<string, string | null>();

/** The preview beside a file of `dir` named `stem`, as a small JPEG data URL, or null when there is none. */
export async function previewThumbnail(dir: string, stem: string): Promise<string | null> {
  for (const name of previewNames(stem)) {
    const file = path.join(dir, name);
    const st = fs.statSync(file, { throwIfNoEntry: false });
    if (!st?.isFile()) continue;
    if (st.size > MAX_PREVIEW_BYTES) return null;
    const key = `${file}:${st.size}:${st.mtimeMs}`;
    if (!cache.has(key)) cache.set(key, await thumbnailOf(file));
    return cache.get(key)!;
  }
  return null;
}

async function thumbnailOf(file: string): Promise<string | null> {
  try {
    // Loaded when a preview exists: a command-line generate that only resolves LoRA names never pays for it.
    const sharp = (await import('sharp')).default;
    const jpeg = await sharp(file, { limitInputPixels: 64e6 })
      .resize(THUMB, THUMB, { fit: 'cover' })
      .jpeg({ quality: 80 })
      .toBuffer();
    return `data:image/jpeg;base64,${jpeg.toString('base64')}`;
  } catch {
    return null;
  }
}
