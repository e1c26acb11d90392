/**
 * safetensors files (LoRAs, checkpoints, embeddings, VAEs): an 8-byte header
 * length, a JSON header naming each tensor's dtype, shape and byte range, then
 * the data. Only the header is read up front; each tensor is read when asked
 * for, as float32 whatever its stored float type.
 */
import { WeightFileError } from './errors.js';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { bfloat16ToFloat32, float16ToFloat32, float32ToFloat16 } from '../runtime/float16.js';

const DTYPE_BYTES: Record<string, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};
const FLOAT_DTYPES = new Set(['F64', 'F32', 'F16', 'BF16']);
/** A header larger than this is no header (the format caps it at 100 MB). */
const MAX_HEADER = 100 * 1024 * 1024;

export interface SafetensorsEntry {
  name: string;
  dtype: string;
  shape: number[];
  /** Absolute byte range in the file. */
  begin: number;
  end: number;
}

export class SafetensorsFile {
  readonly entries = new Map<string, SafetensorsEntry>();
  readonly metadata: Record<string, string> = {};
  /** Where the tensor data starts (after the 8-byte length and the header). */
  dataStart = 0;

  private constructor(readonly file: string) {}

  /** Reads and checks the header: every tensor's range inside the file and consistent with its shape. */
  static open(file: string): SafetensorsFile {
    const st = new SafetensorsFile(file);
    const what = path.basename(file);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch (err) {
      throw new WeightFileError(`${what}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    if (!stat.isFile()) throw new WeightFileError(`${what}: not a regular file`);
    const fd = fs.openSync(file, 'r');
    try {
      const lenBuf = Buffer.alloc(8);
      if (fs.readSync(fd, lenBuf, 0, 8, 0) !== 8) throw new WeightFileError(`${what}: too short to be safetensors`);
      const headerLen = Number(lenBuf.readBigUInt64LE(0));
      if (headerLen < 2 || headerLen > MAX_HEADER || 8 + headerLen > stat.size) {
        throw new WeightFileError(`${what}: not a safetensors file (bad header length)`);
      }
      const header = Buffer.alloc(headerLen);
      fs.readSync(fd, header, 0, headerLen, 8);
      let json: Record<string, unknown>;
      try {
        json = JSON.parse(header.toString('utf8')) as Record<string, unknown>;
      } catch {
        throw new WeightFileError(`${what}: not a safetensors file (header is not JSON)`);
      }
      if (typeof json !== 'object' || json === null || Array.isArray(json)) {
        throw new WeightFileError(`${what}: not a safetensors file (header is not an object)`);
      }
      const dataStart = 8 + headerLen;
      st.dataStart = dataStart;
      for (const [name, value] of Object.entries(json)) {
        if (name === '__metadata__') {
          if (value && typeof value === 'object') Object.assign(st.metadata, value);
          continue;
        }
        const v = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
        const bytes = typeof v?.dtype === 'string' ? DTYPE_BYTES[v.dtype] : undefined;
        const shape =
          Array.isArray(v?.shape) && v.shape.every((d) => Number.isSafeInteger(d) && d >= 0)
            ? (v.shape as number[])
            : null;
        const offsets =
          Array.isArray(v?.data_offsets) && v.data_offsets.length === 2 ? (v.data_offsets as number[]) : null;
        if (!bytes || !shape || !offsets) throw new WeightFileError(`${what}: tensor ${name} has a bad header entry`);
        const [b, e] = offsets as [number, number];
        const count = shape.reduce((a, d) => a * d, 1);
        if (!(b >= 0 && e >= b && e - b === count * bytes)) {
          throw new WeightFileError(`${what}: tensor ${name} has a bad byte range`);
        }
        if (dataStart + e > stat.size)
          throw new WeightFileError(`${what}: truncated (tensor ${name} runs past the end)`);
        st.entries.set(name, { name, dtype: v.dtype as string, shape, begin: dataStart + b, end: dataStart + e });
      }
      return st;
    } finally {
      fs.closeSync(fd);
    }
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** One tensor's bytes as stored (little-endian, its own dtype). */
  readRaw(name: string): Buffer {
    const e = this.entries.get(name);
    if (!e) throw new WeightFileError(`${path.basename(this.file)}: no tensor ${name}`);
    const raw = Buffer.alloc(e.end - e.begin);
    const fd = fs.openSync(this.file, 'r');
    try {
      if (fs.readSync(fd, raw, 0, raw.length, e.begin) !== raw.length) {
        throw new WeightFileError(`${path.basename(this.file)}: truncated at tensor ${name}`);
      }
    } finally {
      fs.closeSync(fd);
    }
    return raw;
  }

  /** One tensor as float32 (F32, F16, BF16, F64). */
  readFloat32(name: string): Float32Array {
    const e = this.entries.get(name);
    if (!e) throw new WeightFileError(`${path.basename(this.file)}: no tensor ${name}`);
    if (!FLOAT_DTYPES.has(e.dtype))
      throw new WeightFileError(`${path.basename(this.file)}: tensor ${name} is ${e.dtype}, not a float`);
    const raw = this.readRaw(name);
    // Buffer.alloc gives an aligned, unshared ArrayBuffer: view it directly (the data is little-endian, as are
    // the machines the studio runs on).
    const n = raw.length / DTYPE_BYTES[e.dtype]!;
    if (e.dtype === 'F32') return new Float32Array(raw.buffer, raw.byteOffset, n);
    if (e.dtype === 'F64') return Float32Array.from(new Float64Array(raw.buffer, raw.byteOffset, n));
    const halves = new Uint16Array(raw.buffer, raw.byteOffset, n);
    return e.dtype === 'F16' ? float16ToFloat32(halves) : bfloat16ToFloat32(halves);
  }
}

/** A tensor to write: its values are asked for when the writer reaches it. */
export interface TensorToWrite {
  name: string;
  shape: number[];
  values: () => Float32Array;
}

/**
 * Writes a safetensors file in F32 or F16, one tensor at a time: the header
 * is known from the shapes, so the data streams out and a checkpoint's worth
 * of values is never held at once. Written under a temporary name and renamed.
 */
export function writeSafetensorsStreamed(
  file: string,
  tensors: readonly TensorToWrite[],
  dtype: 'F32' | 'F16' = 'F32',
  metadata?: Record<string, string>,
): void {
  const bytes = DTYPE_BYTES[dtype]!;
  const header: Record<string, unknown> = metadata ? { __metadata__: metadata } : {};
  let offset = 0;
  for (const t of tensors) {
    const size = t.shape.reduce((a, d) => a * d, 1) * bytes;
    header[t.name] = { dtype, shape: t.shape, data_offsets: [offset, offset + size] };
    offset += size;
  }
  let json = JSON.stringify(header);
  while ((8 + Buffer.byteLength(json)) % 8 !== 0) json += ' ';
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  const tmp = `${file}.partial-${process.pid}`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, len);
    fs.writeSync(fd, Buffer.from(json));
    for (const t of tensors) {
      const v = t.values();
      if (v.length !== t.shape.reduce((a, d) => a * d, 1))
        throw new WeightFileError(`${t.name}: ${v.length} values for shape [${t.shape.join(', ')}]`);
      const data = dtype === 'F16' ? float32ToFloat16(v) : v;
      fs.writeSync(fd, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    }
    fs.closeSync(fd);
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/** Writes float32 tensors as an F32 safetensors file (tests, small files). */
export function writeSafetensors(file: string, tensors: Record<string, { shape: number[]; data: Float32Array }>): void {
  writeSafetensorsStreamed(
    file,
    Object.entries(tensors).map(([name, t]) => ({ name, shape: t.shape, values: () => t.data })),
  );
}

/** The sha256 (hex) of a file from a byte offset on, read in 1 MiB pieces. */
export function sha256From(file: string, start: number): string {
  const hash = crypto.createHash('sha256');
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(1 << 20);
    for (let pos = start; ; ) {
      const n = fs.readSync(fd, buf, 0, buf.length, pos);
      if (n <= 0) break;
      hash.update(buf.subarray(0, n));
      pos += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

/**
 * The short hashes A1111 writes for its extra networks: a LoRA's is the
 * sha256 of its tensor data (the "addnet" hash, header skipped), an
 * embedding's the sha256 of the whole file; both cut to 12 hex digits.
 */
export function loraShortHash(file: string): string {
  const st = SafetensorsFile.open(file);
  return sha256From(file, st.dataStart).slice(0, 12);
}

export function fileShortHash(file: string): string {
  return sha256From(file, 0).slice(0, 12);
}
