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
    if (type === 'IEND') break;
  }
  return chunks;
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
  const chunks = readChunks(png).filter((c) => !(['tEXt', 'iTXt', 'zTXt'].includes(c.type) && keys.has(keywordOf(c))));
  const iend = chunks.findIndex((c) => c.type === 'IEND');
  const added = Object.entries(entries).map(([k, v]) => textChunk(k, v));
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

/** Every text chunk's keyword -> text (tEXt, iTXt, zTXt; compressed ones inflated). */
export function readTextChunks(png: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of readChunks(png)) {
    const sep = c.data.indexOf(0);
    if (sep < 0) continue;
    const keyword = c.data.toString('latin1', 0, sep);
    try {
      if (c.type === 'tEXt') {
        out[keyword] = c.data.toString('latin1', sep + 1);
      } else if (c.type === 'zTXt') {
        out[keyword] = zlib.inflateSync(c.data.subarray(sep + 2)).toString('latin1');
      } else if (c.type === 'iTXt') {
        const compressed = c.data[sep + 1] === 1;
        const langEnd = c.data.indexOf(0, sep + 3);
        const transEnd = c.data.indexOf(0, langEnd + 1);
        const body = c.data.subarray(transEnd + 1);
        out[keyword] = (compressed ? zlib.inflateSync(body) : body).toString('utf8');
      }
    } catch {
      // A damaged chunk is skipped; the image itself stays readable.
    }
  }
  return out;
}
