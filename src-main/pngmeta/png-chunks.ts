/**
 * PNG text chunks: tEXt (Latin-1) and iTXt (UTF-8), read and written on an
 * encoded PNG without re-encoding the pixels. New chunks go before IEND.
 */
import zlib from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of data) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export interface PngChunk {
  type: string;
  data: Buffer;
}

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length > 8 && Buffer.from(bytes.subarray(0, 8)).equals(SIGNATURE);
}

export function readChunks(bytes: Uint8Array): PngChunk[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (!isPng(buf)) throw new Error('not a PNG file');
  const chunks: PngChunk[] = [];
  let offset = 8;
  while (offset + 12 <= buf.length) {
    const length = buf.readUInt32BE(offset);
    const type = buf.toString('latin1', offset + 4, offset + 8);
    if (offset + 12 + length > buf.length) throw new Error(`truncated PNG chunk ${type}`);
    chunks.push({ type, data: buf.subarray(offset + 8, offset + 8 + length) });
    offset += 12 + length;
    if (type === 'IEND') return chunks;
  }
  throw new Error('truncated PNG (it ends before its IEND chunk)');
}

function encodeChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

export function isLatin1(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) return false;
  return true;
}

/** tEXt when the text is Latin-1 (as A1111 writes it), iTXt (UTF-8, uncompressed) otherwise. */
export function textChunk(keyword: string, text: string): PngChunk {
  if (isLatin1(text))
    return {
      type: 'tEXt',
      data: Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0]), Buffer.from(text, 'latin1')]),
    };
  return {
    type: 'iTXt',
    data: Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0, 0, 0, 0, 0]), Buffer.from(text, 'utf8')]),
  };
}

/** Adds text chunks before IEND, replacing existing text chunks with the same keywords. */
export function withTextChunks(png: Uint8Array, entries: Record<string, string>): Buffer {
  const keys = new Set(Object.keys(entries));
  const added = Object.entries(entries).map(([k, v]) => textChunk(k, v));
  return withChunks(png, added, (c) => ['tEXt', 'iTXt', 'zTXt'].includes(c.type) && keys.has(keywordOf(c)));
}

/** Adds chunks before IEND, first dropping those `replaced` selects. */
export function withChunks(
  png: Uint8Array,
  added: PngChunk[],
  replaced: (c: PngChunk) => boolean = () => false,
): Buffer {
  const chunks = readChunks(png).filter((c) => !replaced(c));
  const iend = chunks.findIndex((c) => c.type === 'IEND');
  chunks.splice(iend < 0 ? chunks.length : iend, 0, ...added);
  return Buffer.concat([SIGNATURE, ...chunks.map((c) => encodeChunk(c.type, c.data))]);
}

/** Removes every text chunk (tEXt, iTXt, zTXt) and EXIF: for privacy exports. */
export function withoutMetadata(png: Uint8Array): Buffer {
  const chunks = readChunks(png).filter((c) => !['tEXt', 'iTXt', 'zTXt', 'eXIf'].includes(c.type));
  return Buffer.concat([SIGNATURE, ...chunks.map((c) => encodeChunk(c.type, c.data))]);
}

function keywordOf(chunk: PngChunk): string {
  const end = chunk.data.indexOf(0);
  return chunk.data.toString('latin1', 0, end < 0 ? chunk.data.length : end);
}

/** Inflated text is capped: a few kilobytes of zTXt can expand to gigabytes (a "zip bomb"). */
export const MAX_TEXT_CHUNK_BYTES = 1024 * 1024;
/** All text chunks of one file together. */
export const MAX_TEXT_TOTAL_BYTES = 8 * 1024 * 1024;

export interface TextChunks {
  texts: Record<string, string>;
  /** Why some chunks were not read (too large once inflated, or past the total). */
  cut: string[];
}

/**
 * Every text chunk's keyword -> text (tEXt, iTXt, zTXt; compressed ones
 * inflated), each at most MAX_TEXT_CHUNK_BYTES and all together at most
 * MAX_TEXT_TOTAL_BYTES; what is over is left out and named in `cut`.
 */
export function readTextChunksWithLimits(png: Uint8Array): TextChunks {
  const texts: Record<string, string> = {};
  const cut: string[] = [];
  let total = 0;
  const inflate = (data: Buffer) => zlib.inflateSync(data, { maxOutputLength: MAX_TEXT_CHUNK_BYTES });
  for (const c of readChunks(png)) {
    if (c.type !== 'tEXt' && c.type !== 'zTXt' && c.type !== 'iTXt') continue;
    const sep = c.data.indexOf(0);
    if (sep < 0) continue;
    const keyword = c.data.toString('latin1', 0, sep);
    let body: Buffer;
    let encoding: BufferEncoding = 'latin1';
    try {
      if (c.type === 'tEXt') {
        body = c.data.subarray(sep + 1);
      } else if (c.type === 'zTXt') {
        body = inflate(c.data.subarray(sep + 2));
      } else {
        const compressed = c.data[sep + 1] === 1;
        const langEnd = c.data.indexOf(0, sep + 3);
        const transEnd = c.data.indexOf(0, langEnd + 1);
        const raw = c.data.subarray(transEnd + 1);
        body = compressed ? inflate(raw) : raw;
        encoding = 'utf8';
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
        cut.push(`text chunk "${keyword}" is larger than ${MAX_TEXT_CHUNK_BYTES / 1024} KiB once inflated; not read`);
      // Otherwise a damaged chunk: skipped, the image itself stays readable.
      continue;
    }
    if (body.length > MAX_TEXT_CHUNK_BYTES || total + body.length > MAX_TEXT_TOTAL_BYTES) {
      cut.push(`text chunk "${keyword}" (${body.length} bytes) is past the metadata size limit; not read`);
      continue;
    }
    total += body.length;
    texts[keyword] = body.toString(encoding);
  }
  return { texts, cut };
}

/** The text chunks within the limits (see readTextChunksWithLimits). */
export function readTextChunks(png: Uint8Array): Record<string, string> {
  return readTextChunksWithLimits(png).texts;
}
