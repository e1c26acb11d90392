/**
 * EXIF UserComment (tag 0x9286) from a raw EXIF block, where A1111 and
 * Fooocus put `parameters` in JPEG and WebP files. A minimal TIFF walk:
 * IFD0 -> Exif IFD -> UserComment, with its 8-byte charset prefix.
 */
const USER_COMMENT = 0x9286;
const EXIF_IFD = 0x8769;

export function readUserComment(exif: Uint8Array): string | null {
  let buf = Buffer.from(exif.buffer, exif.byteOffset, exif.length);
  const header = buf.indexOf('Exif\0\0', 0, 'latin1');
  if (header >= 0 && header < 16) buf = buf.subarray(header + 6);
  if (buf.length < 8) return null;
  const order = buf.toString('latin1', 0, 2);
  if (order !== 'II' && order !== 'MM') return null;
  const le = order === 'II';
  const u16 = (o: number) => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
  const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const findTag = (ifd: number, tag: number): { type: number; count: number; offset: number } | null => {
    if (ifd + 2 > buf.length) return null;
    const n = u16(ifd);
    for (let k = 0; k < n; k++) {
      const e = ifd + 2 + k * 12;
      if (e + 12 > buf.length) return null;
      if (u16(e) === tag) return { type: u16(e + 2), count: u32(e + 4), offset: u32(e + 8) };
    }
    return null;
  };
  try {
    const exifIfd = findTag(u32(4), EXIF_IFD);
    const entry = findTag(exifIfd ? exifIfd.offset : u32(4), USER_COMMENT);
    if (!entry || entry.count < 8 || entry.offset + entry.count > buf.length) return null;
    const raw = buf.subarray(entry.offset, entry.offset + entry.count);
    const charset = raw.toString('latin1', 0, 8).replace(/\0+$/, '');
    const body = raw.subarray(8);
    let text: string;
    if (charset === 'UNICODE') {
      // UTF-16; A1111 (piexif) writes it big-endian, some tools little-endian.
      const bigEndian = body.length >= 2 && body[0] === 0 && body[1] !== 0;
      text = bigEndian ? Buffer.from(body).swap16().toString('utf16le') : body.toString('utf16le');
    } else {
      text = body.toString(charset === 'ASCII' ? 'latin1' : 'utf8');
    }
    text = text.replace(/\0+$/, '');
    return text.length > 0 ? text : null;
  } catch {
    return null;
  }
}
