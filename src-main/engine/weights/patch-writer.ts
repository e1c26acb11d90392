/**
 * Writes a copy of an ONNX file with new values for some parameters. Every
 * byte that does not change is copied through a small buffer (a multi-GB
 * UNet never sits in the JS heap); changed tensors are re-encoded in the
 * initializer's own precision. A parameter that shares its initializer with
 * others (torch.onnx's de-duplication) gets an initializer of its own: the
 * Identity node that handed it the shared one is dropped and its output
 * becomes the new initializer, or the consumer's input is renamed.
 */
import { WeightFileError } from './errors.js';
import fs from 'node:fs';
import path from 'node:path';
import { float32ToFloat16 } from '../runtime/float16.js';
import {
  type InitializerInfo,
  type NodeInfo,
  numel,
  ONNX_FLOAT,
  ONNX_FLOAT16,
  type OnnxGraphIndex,
} from './onnx-graph.js';
import type { Param, ParamSite } from './param-map.js';
import { encodeVarint, fields, lenField, stringField, varintField, WIRE_LEN } from './protobuf.js';

/**
 * New values for a parameter, in torch layout, with the stored dims (a grown
 * embedding table has new ones). `values` is called once, when the writer
 * reaches the parameter: a model's worth of new weights is never held at once.
 */
export interface ParamChange {
  values: () => Float32Array | Promise<Float32Array>;
  dims: number[];
  /**
   * The new value already in the stored layout and precision of the
   * parameter's initializer (a LoRA merge computes it so): used instead of
   * `values` when given, with no conversion.
   */
  stored?: () => Promise<{ bytes: Buffer; dataType: number }>;
}

/** Torch-layout values -> the stored layout of a site (transposed for MatMul-held Linear weights). */
function toStored(values: Float32Array, change: ParamChange, site: ParamSite): Float32Array {
  if (site.layout !== 'transposed') return values;
  const [rows, cols] = change.dims as [number, number]; // stored [in, out]; values are torch [out, in]
  return transpose(values, cols, rows);
}

/** A [rows, cols] matrix as [cols, rows]. */
function transpose(m: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(m.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = m[r * cols + c]!;
  return out;
}

function tensorBytes(values: Float32Array, dataType: number): Buffer {
  if (dataType === ONNX_FLOAT) return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  if (dataType === ONNX_FLOAT16) {
    const h = float32ToFloat16(values);
    return Buffer.from(h.buffer, h.byteOffset, h.byteLength);
  }
  throw new WeightFileError(`cannot write tensors of ONNX data type ${dataType}`);
}

function encodeTensor(name: string, dims: number[], dataType: number, bytes: Buffer): Buffer {
  return Buffer.concat([
    ...dims.map((d) => varintField(1, d)),
    varintField(2, dataType),
    stringField(8, name),
    lenField(9, bytes),
  ]);
}

function encodeExternalTensor(
  name: string,
  dims: number[],
  dataType: number,
  where: { location: string; offset: number; length: number },
): Buffer {
  const entry = (k: string, v: string) => lenField(13, Buffer.concat([stringField(1, k), stringField(2, v)]));
  return Buffer.concat([
    ...dims.map((d) => varintField(1, d)),
    varintField(2, dataType),
    stringField(8, name),
    entry('location', where.location),
    entry('offset', String(where.offset)),
    entry('length', String(where.length)),
    varintField(14, 1),
  ]);
}

/**
 * A hard link to the original beside the copy: ONNX Runtime reads external
 * data only from inside the model's folder (a symlink out of it is refused).
 * False where no hard link can be made (another file system): the copy then
 * holds every weight.
 */
function linkBase(original: string, link: string): boolean {
  fs.rmSync(link, { force: true });
  try {
    fs.linkSync(original, link);
    return true;
  } catch {
    return false;
  }
}

/** Weights smaller than this stay inline in a copy that references its base (not worth a read of their own). */
const BASE_REFERENCE_MIN = 4096;

/**
 * Where changed tensors go: inline in the protobuf, or, for a model whose
 * weights are external (the 2 GB protobuf limit), appended to a data file of
 * the copy's own.
 */
class TensorSink {
  private fd: number | null = null;
  private offset = 0;
  readonly location: string;

  constructor(private readonly outFile: string) {
    this.location = `${path.basename(outFile)}.weights`;
  }

  encode(name: string, dims: number[], dataType: number, bytes: Buffer, external: boolean): Buffer {
    if (!external) return encodeTensor(name, dims, dataType, bytes);
    if (this.fd === null) this.fd = fs.openSync(path.join(path.dirname(this.outFile), this.location), 'w');
    // ONNX Runtime maps external data; keep each tensor 64-byte aligned.
    const pad = (64 - (this.offset % 64)) % 64;
    if (pad) fs.writeSync(this.fd, Buffer.alloc(pad));
    this.offset += pad;
    fs.writeSync(this.fd, bytes);
    const where = { location: this.location, offset: this.offset, length: bytes.length };
    this.offset += bytes.length;
    return encodeExternalTensor(name, dims, dataType, where);
  }

  close(durable = true): void {
    if (this.fd === null) return;
    if (durable) fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
    this.fd = null;
  }
}

/** The node with input `slot` renamed, every other field as it was. */
function renameInput(nodeBytes: Buffer, slot: number, name: string): Buffer {
  let k = 0;
  const parts: Buffer[] = [];
  for (const f of fields(nodeBytes)) {
    if (f.field === 1 && f.wire === WIRE_LEN && k++ === slot) parts.push(stringField(1, name));
    else parts.push(Buffer.from(f.raw));
  }
  return Buffer.concat(parts);
}

interface Edit {
  start: number;
  end: number;
  replacement: Buffer;
}

function readRange(fd: number, start: number, end: number): Buffer {
  const buf = Buffer.alloc(end - start);
  fs.readSync(fd, buf, 0, buf.length, start);
  return buf;
}

/**
 * Writes `outFile`: `index`'s model with `changes` (parameter name -> values in
 * torch layout and the parameter's element count). External data files the
 * copy still needs are linked beside it.
 */
export async function writePatchedOnnx(
  index: OnnxGraphIndex,
  params: Map<string, Param>,
  changes: Map<string, ParamChange>,
  outFile: string,
  /** Flush to disk before the rename (a model the user keeps); a cache that can be made again skips it. */
  {
    durable = true,
    referenceBase = false,
  }: {
    durable?: boolean;
    /**
     * Unchanged weights stay in the original file, read through a link beside
     * the copy as external data, so the copy holds only what changed (a LoRA
     * variant of a 1.7 GB UNet writes the merged layers, not the whole model).
     */
    referenceBase?: boolean;
  } = {},
): Promise<void> {
  const users = new Map<string, Set<string>>(); // initializer -> params using it
  for (const p of params.values())
    for (const s of p.sites) users.set(s.initializer, (users.get(s.initializer) ?? new Set()).add(p.name));

  const edits: Edit[] = [];
  /** Initializers re-encoded in place: their old bytes are no longer needed. */
  const replaced = new Set<string>();
  const appended: Buffer[] = [];
  const nodeBytes = new Map<NodeInfo, Buffer>();
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  const sink = new TensorSink(outFile);
  const fd = fs.openSync(index.file, 'r');
  try {
    const nodeOf = (node: NodeInfo) => nodeBytes.get(node) ?? readNodePayload(fd, node);
    for (const [name, change] of changes) {
      const param = params.get(name);
      if (!param) throw new WeightFileError(`the model has no parameter ${name}`);
      const stored = change.stored ? await change.stored() : null;
      const values = stored ? null : await change.values();
      if (values && values.length !== numel(change.dims)) {
        throw new WeightFileError(`${name}: ${values.length} values for a tensor of shape [${change.dims.join(', ')}]`);
      }
      const done = new Set<string>();
      for (const site of param.sites) {
        const t = index.initializers.get(site.initializer)!;
        if (stored && stored.dataType !== t.dataType)
          throw new WeightFileError(`${name}: merged in data type ${stored.dataType}, stored as ${t.dataType}`);
        const bytes = stored ? stored.bytes : tensorBytes(toStored(values!, change, site), t.dataType);
        const dims = change.dims;
        const tensor = (tensorName: string) =>
          sink.encode(tensorName, dims, t.dataType, bytes, t.data.kind === 'external');
        if (site.identity) {
          // The Identity's output becomes an initializer of its own.
          if (done.has(site.value)) continue;
          done.add(site.value);
          edits.push({ start: site.identity.start, end: site.identity.end, replacement: Buffer.alloc(0) });
          appended.push(lenField(5, tensor(site.value)));
        } else if ([...(users.get(site.initializer) ?? [])].some((u) => u !== name && !changes.has(u))) {
          // Others keep the shared value: this parameter gets its own initializer.
          const own = `studio::${name}`;
          if (!done.has(own)) appended.push(lenField(5, tensor(own)));
          done.add(own);
          nodeBytes.set(site.node, renameInput(nodeOf(site.node), site.slot, own));
        } else {
          if (done.has(t.name)) continue;
          done.add(t.name);
          replaced.add(t.name);
          edits.push({ start: t.start, end: t.end, replacement: lenField(5, tensor(t.name)) });
        }
      }
    }
    for (const [node, payload] of nodeBytes)
      edits.push({ start: node.start, end: node.end, replacement: lenField(1, payload) });
    if (referenceBase && linkBase(index.file, path.join(path.dirname(outFile), `${path.basename(outFile)}.base`))) {
      const link = `${path.basename(outFile)}.base`;
      for (const t of index.initializers.values()) {
        if (t.data.kind !== 'inline' || replaced.has(t.name) || t.data.length < BASE_REFERENCE_MIN) continue;
        const where = { location: link, offset: t.data.offset, length: t.data.length };
        edits.push({
          start: t.start,
          end: t.end,
          replacement: lenField(5, encodeExternalTensor(t.name, t.dims, t.dataType, where)),
        });
      }
    }
    edits.sort((a, b) => a.start - b.start);
    for (let i = 1; i < edits.length; i++) {
      if (edits[i]!.start < edits[i - 1]!.end)
        throw new WeightFileError('overlapping edits (a node both dropped and renamed)');
    }

    const oldLen = index.graphEnd - index.graphStart;
    const newLen =
      oldLen +
      edits.reduce((n, e) => n + e.replacement.length - (e.end - e.start), 0) +
      appended.reduce((n, b) => n + b.length, 0);
    sink.close(durable);
    const tmp = `${outFile}.partial`;
    const out = fs.openSync(tmp, 'w');
    try {
      const copy = (start: number, end: number) => {
        const CHUNK = 1 << 24;
        for (let p = start; p < end; p += CHUNK) fs.writeSync(out, readRange(fd, p, Math.min(end, p + CHUNK)));
      };
      copy(0, index.graphKey);
      fs.writeSync(out, Buffer.concat([encodeVarint(7 * 8 + WIRE_LEN), encodeVarint(newLen)]));
      let at = index.graphStart;
      for (const e of edits) {
        copy(at, e.start);
        fs.writeSync(out, e.replacement);
        at = e.end;
      }
      copy(at, index.graphEnd);
      for (const b of appended) fs.writeSync(out, b);
      copy(index.graphEnd, index.size);
      if (durable) fs.fsyncSync(out);
    } finally {
      fs.closeSync(out);
    }
    fs.renameSync(tmp, outFile);
  } finally {
    fs.closeSync(fd);
    sink.close();
  }
  linkExternalData(index, path.dirname(outFile), replaced);
}

function readNodePayload(fd: number, node: NodeInfo): Buffer {
  const field = readRange(fd, node.start, node.end);
  for (const f of fields(field)) if (f.bytes) return Buffer.from(f.bytes);
  throw new WeightFileError(`node ${node.name} could not be read back`);
}

/** External data files the original references, made visible beside the copy (linked, else copied). */
function linkExternalData(index: OnnxGraphIndex, outDir: string, replaced: Set<string>): void {
  const files = new Set<string>();
  for (const t of index.initializers.values()) {
    if (t.data.kind === 'external' && !replaced.has(t.name)) files.add(t.data.file);
  }
  for (const file of files) {
    const target = path.join(outDir, path.relative(path.dirname(index.file), file));
    if (path.resolve(target) === path.resolve(file) || fs.existsSync(target)) continue;
    fs.mkdirSync(path.dirname(target), { recursive: true });
    try {
      fs.linkSync(file, target);
    } catch {
      fs.copyFileSync(file, target);
    }
  }
}

/** Values of a parameter in torch layout, read from the file. */
export function readParam(
  index: OnnxGraphIndex,
  param: Param,
  read: (t: InitializerInfo) => Float32Array,
): Float32Array {
  const site = param.sites[0]!;
  const stored = read(index.initializers.get(site.initializer)!);
  if (site.layout !== 'transposed') return stored;
  const [rows, cols] = param.dims as [number, number];
  return transpose(stored, rows, cols);
}
