/**
 * Just enough of protobuf's wire format to read ONNX files of any size and
 * write patched copies: a cursor that reads a file through a small window (so
 * multi-gigabyte weight fields are skipped, never loaded), field iteration
 * over small in-memory messages, and the encoders for writing.
 */
import fs from 'node:fs';

export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_I32 = 5;

/** Sequential reads over a file with a small window, so large fields can be skipped. */
export class FileCursor {
  private buf = Buffer.alloc(0);
  private bufStart = 0;
  pos = 0;
  constructor(
    private readonly fd: number,
    readonly size: number,
  ) {}

  private ensure(n: number): void {
    if (this.pos >= this.bufStart && this.pos + n <= this.bufStart + this.buf.length) return;
    if (this.pos + n > this.size) throw new Error('unexpected end of file');
    const len = Math.max(n, 1 << 16);
    const chunk = Buffer.alloc(Math.min(len, this.size - this.pos));
    const read = fs.readSync(this.fd, chunk, 0, chunk.length, this.pos);
    this.buf = chunk.subarray(0, read);
    this.bufStart = this.pos;
    if (read < n) throw new Error('unexpected end of file');
  }

  byte(): number {
    this.ensure(1);
    return this.buf[this.pos++ - this.bufStart]!;
  }

  varint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return result;
      mul *= 128;
    }
    throw new Error('bad varint');
  }

  bytes(n: number): Buffer {
    this.ensure(n);
    const out = Buffer.from(this.buf.subarray(this.pos - this.bufStart, this.pos - this.bufStart + n));
    this.pos += n;
    return out;
  }

  /** Skips a field's value; returns where a length-delimited payload started (else -1). */
  skip(wire: number): number {
    if (wire === WIRE_VARINT) this.varint();
    else if (wire === WIRE_I64) this.pos += 8;
    else if (wire === WIRE_LEN) {
      const len = this.varint(); // read first: `pos += varint()` would use the pos from before the read
      const start = this.pos;
      this.pos += len;
      if (this.pos > this.size) throw new Error('field runs past the end of the file');
      return start;
    } else if (wire === WIRE_I32) this.pos += 4;
    else throw new Error(`unsupported wire type ${wire}`);
    return -1;
  }
}

export interface Field {
  field: number;
  wire: number;
  /** The varint's value, or the payload's length. */
  value: number;
  /** Length-delimited payload. */
  bytes: Buffer | null;
  /** The whole field as encoded (key included), for copying it unchanged. */
  raw: Buffer;
}

/** Fields of a small message held in memory. */
export function* fields(buf: Buffer): Generator<Field> {
  let p = 0;
  const varint = () => {
    let r = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (p >= buf.length) throw new Error('truncated message');
      const b = buf[p++]!;
      r += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return r;
      mul *= 128;
    }
    throw new Error('bad varint');
  };
  while (p < buf.length) {
    const start = p;
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key & 7;
    let value = 0;
    let bytes: Buffer | null = null;
    if (wire === WIRE_VARINT) value = varint();
    else if (wire === WIRE_LEN) {
      value = varint();
      if (p + value > buf.length) throw new Error('truncated message');
      bytes = buf.subarray(p, p + value);
      p += value;
    } else if (wire === WIRE_I64) p += 8;
    else if (wire === WIRE_I32) p += 4;
    else throw new Error(`unsupported wire type ${wire}`);
    yield { field, wire, value, bytes, raw: buf.subarray(start, p) };
  }
}

export function encodeVarint(n: number): Buffer {
  const out: number[] = [];
  while (n > 127) {
    out.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
}

export const lenField = (num: number, payload: Uint8Array): Buffer =>
  Buffer.concat([encodeVarint(num * 8 + WIRE_LEN), encodeVarint(payload.length), payload]);
export const varintField = (num: number, v: number): Buffer =>
  Buffer.concat([encodeVarint(num * 8 + WIRE_VARINT), encodeVarint(v)]);
export const stringField = (num: number, s: string): Buffer => lenField(num, Buffer.from(s, 'utf8'));
