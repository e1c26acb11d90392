/**
 * An index over an ONNX file's graph: every node (small, read whole) and every
 * initializer's name, shape, type and where its bytes lie (inline in the
 * protobuf, or in an external data file), found by walking the wire format
 * through a small window. A 3.4 GB UNet is indexed without its weights ever
 * entering the JS heap; one tensor is read when asked for.
 *
 * ModelProto.graph (7) -> GraphProto.node (1), initializer (5) -> TensorProto
 * dims (1), data_type (2), float_data (4), name (8), raw_data (9),
 * external_data (13), data_location (14).
 */
import { WeightFileError } from './errors.js';
import fs from 'node:fs';
import path from 'node:path';
import { bfloat16ToFloat32, float16ToFloat32 } from '../runtime/float16.js';
import { FileCursor, fields, WIRE_LEN } from './protobuf.js';

export const ONNX_FLOAT = 1;
export const ONNX_FLOAT16 = 10;
export const ONNX_BFLOAT16 = 16;

export type TensorData =
  | { kind: 'inline'; offset: number; length: number }
  | { kind: 'external'; file: string; offset: number; length: number };

export interface InitializerInfo {
  name: string;
  dims: number[];
  dataType: number;
  data: TensorData;
  /** The initializer field's byte range in the model file (key included). */
  start: number;
  end: number;
}

export interface NodeInfo {
  name: string;
  opType: string;
  inputs: string[];
  outputs: string[];
  /** Integer attributes (Gemm's transB, ...). */
  ints: Record<string, number>;
  start: number;
  end: number;
}

export interface OnnxGraphIndex {
  file: string;
  size: number;
  /** Byte range of ModelProto.graph: key start, payload start, payload end. */
  graphKey: number;
  graphStart: number;
  graphEnd: number;
  nodes: NodeInfo[];
  initializers: Map<string, InitializerInfo>;
}

function parseNode(buf: Buffer, start: number, end: number): NodeInfo {
  const node: NodeInfo = { name: '', opType: '', inputs: [], outputs: [], ints: {}, start, end };
  for (const f of fields(buf)) {
    if (!f.bytes) continue;
    if (f.field === 1) node.inputs.push(f.bytes.toString('utf8'));
    else if (f.field === 2) node.outputs.push(f.bytes.toString('utf8'));
    else if (f.field === 3) node.name = f.bytes.toString('utf8');
    else if (f.field === 4) node.opType = f.bytes.toString('utf8');
    else if (f.field === 5) {
      let name = '';
      let i: number | null = null;
      for (const a of fields(f.bytes)) {
        if (a.field === 1 && a.bytes) name = a.bytes.toString('utf8');
        if (a.field === 3 && a.bytes === null) i = a.value;
      }
      if (name && i !== null) node.ints[name] = i;
    }
  }
  return node;
}

function parseInitializer(cursor: FileCursor, end: number, start: number, dir: string): InitializerInfo {
  const t: InitializerInfo = {
    name: '',
    dims: [],
    dataType: 0,
    data: { kind: 'inline', offset: 0, length: 0 },
    start,
    end,
  };
  const external: Record<string, string> = {};
  let isExternal = false;
  while (cursor.pos < end) {
    const key = cursor.varint();
    const field = Math.floor(key / 8);
    const wire = key & 7;
    if (field === 1 && wire === 0) t.dims.push(cursor.varint());
    else if (field === 1 && wire === WIRE_LEN) {
      for (const d of fields(cursor.bytes(cursor.varint()))) t.dims.push(d.value);
    } else if (field === 2 && wire === 0) t.dataType = cursor.varint();
    else if (field === 8 && wire === WIRE_LEN) t.name = cursor.bytes(cursor.varint()).toString('utf8');
    else if ((field === 9 || field === 4) && wire === WIRE_LEN) {
      const payload = cursor.skip(wire);
      t.data = { kind: 'inline', offset: payload, length: cursor.pos - payload };
    } else if (field === 13 && wire === WIRE_LEN) {
      let k = '';
      let v = '';
      for (const e of fields(cursor.bytes(cursor.varint()))) {
        if (e.field === 1 && e.bytes) k = e.bytes.toString('utf8');
        if (e.field === 2 && e.bytes) v = e.bytes.toString('utf8');
      }
      external[k] = v;
    } else if (field === 14 && wire === 0) isExternal = cursor.varint() === 1;
    else cursor.skip(wire);
  }
  if (isExternal) {
    const location = external.location ?? '';
    if (!location || path.isAbsolute(location) || location.split(/[\\/]/).includes('..')) {
      throw new WeightFileError(
        `initializer ${t.name}: external data location ${JSON.stringify(location)} is not allowed`,
      );
    }
    t.data = {
      kind: 'external',
      file: path.join(dir, location),
      offset: Number(external.offset ?? 0),
      length: Number(external.length ?? 0),
    };
  }
  return t;
}

export function indexOnnxGraph(file: string): OnnxGraphIndex {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const cursor = new FileCursor(fd, size);
    const dir = path.dirname(file);
    while (cursor.pos < size) {
      const keyPos = cursor.pos;
      const key = cursor.varint();
      const field = Math.floor(key / 8);
      const wire = key & 7;
      if (field !== 7 || wire !== WIRE_LEN) {
        cursor.skip(wire);
        continue;
      }
      const length = cursor.varint();
      const graphStart = cursor.pos;
      const graphEnd = graphStart + length;
      if (graphEnd > size) throw new WeightFileError(`${file}: the graph runs past the end of the file (truncated?)`);
      const index: OnnxGraphIndex = {
        file,
        size,
        graphKey: keyPos,
        graphStart,
        graphEnd,
        nodes: [],
        initializers: new Map(),
      };
      while (cursor.pos < graphEnd) {
        const start = cursor.pos;
        const k = cursor.varint();
        const f = Math.floor(k / 8);
        const w = k & 7;
        if (f === 1 && w === WIRE_LEN) {
          const len = cursor.varint();
          const buf = cursor.bytes(len);
          index.nodes.push(parseNode(buf, start, cursor.pos));
        } else if (f === 5 && w === WIRE_LEN) {
          const len = cursor.varint();
          const end = cursor.pos + len;
          const t = parseInitializer(cursor, end, start, dir);
          index.initializers.set(t.name, t);
        } else cursor.skip(w);
      }
      return index;
    }
    throw new WeightFileError(`${file}: no graph in this ONNX file`);
  } catch (err) {
    if (err instanceof WeightFileError) throw err;
    throw new WeightFileError(`${path.basename(file)}: not a readable ONNX file (${(err as Error).message})`);
  } finally {
    fs.closeSync(fd);
  }
}

const BYTES_PER: Record<number, number> = { [ONNX_FLOAT]: 4, [ONNX_FLOAT16]: 2, [ONNX_BFLOAT16]: 2 };

export const numel = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

/** The raw bytes of one initializer. */
export function readTensorBytes(t: InitializerInfo, modelFile: string): Buffer {
  const { file, offset, length } = t.data.kind === 'inline' ? { file: modelFile, ...t.data } : t.data;
  const want = numel(t.dims) * (BYTES_PER[t.dataType] ?? 0);
  if (!BYTES_PER[t.dataType])
    throw new WeightFileError(`initializer ${t.name} has data type ${t.dataType}, not a float`);
  if (length !== want) throw new WeightFileError(`initializer ${t.name}: ${length} bytes for ${want} expected`);
  const out = Buffer.alloc(length);
  const fd = fs.openSync(file, 'r');
  try {
    if (fs.readSync(fd, out, 0, length, offset) !== length)
      throw new WeightFileError(`initializer ${t.name} is truncated`);
  } finally {
    fs.closeSync(fd);
  }
  return out;
}

/** One initializer's values as float32. */
export function readTensor(t: InitializerInfo, modelFile: string): Float32Array {
  const raw = readTensorBytes(t, modelFile);
  if (t.dataType === ONNX_FLOAT) return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
  const halves = new Uint16Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
  return t.dataType === ONNX_FLOAT16 ? float16ToFloat32(halves) : bfloat16ToFloat32(halves);
}
