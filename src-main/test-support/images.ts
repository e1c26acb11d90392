import sharp from 'sharp';
import { withTextChunks } from '../pngmeta/png-chunks.js';

/** A small solid PNG, optionally with text chunks; `salt` makes the bytes unique. */
export async function makePng(salt: number, chunks: Record<string, string> = {}, size = 8): Promise<Buffer> {
  const png = await sharp({
    create: {
      width: size,
      height: size,
      channels: 3,
      background: { r: salt % 256, g: (salt >> 8) % 256, b: (salt >> 16) % 256 },
    },
  })
    .png()
    .toBuffer();
  return withTextChunks(png, { ...chunks, salt: String(salt) });
}
