/**
 * The inputs and outputs an ONNX file declares, read straight from its
 * protobuf without creating a session or reading the weights: the model
 * registry can describe a 3 GB UNet in milliseconds.
 *
 * ModelProto.graph (7) -> GraphProto.input (11) / output (12) -> ValueInfoProto
 * name (1), type (2) -> TypeProto.tensor_type (1) -> elem_type (1), shape (2)
 * -> dim (1) -> dim_value (1) | dim_param (2). Every other field is skipped.
 */
import fs from 'node:fs';
import path from 'node:path';
import { StudioError } from '../../src-shared/domain/errors.js';
import { FileCursor, fields } from '../engine/index.js';

export interface OnnxIo {
  name: string;
  type: string;
  /** Fixed sizes as numbers, symbolic ones as their names. */
  shape: (number | string)[];
}

export interface OnnxSignature {
  inputs: OnnxIo[];
  outputs: OnnxIo[];
}

const ELEM_TYPES: Record<number, string> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  16: 'bfloat16',
};

function parseValueInfo(buf: Buffer): OnnxIo {
  const io: OnnxIo = { name: '', type: 'unknown', shape: [] };
  for (const f of fields(buf)) {
    if (f.field === 1 && f.bytes) io.name = f.bytes.toString('utf8');
    if (f.field === 2 && f.bytes) {
      for (const t of fields(f.bytes)) {
        if (t.field !== 1 || !t.bytes) continue; // tensor_type
        for (const tt of fields(t.bytes)) {
          if (tt.field === 1) io.type = ELEM_TYPES[tt.value] ?? `type${tt.value}`;
          if (tt.field === 2 && tt.bytes) {
            for (const d of fields(tt.bytes)) {
              if (d.field !== 1 || !d.bytes) continue;
              let dim: number | string = '?';
              for (const x of fields(d.bytes)) {
                if (x.field === 1) dim = x.value;
                if (x.field === 2 && x.bytes) dim = x.bytes.toString('utf8');
              }
              io.shape.push(dim);
            }
          }
        }
      }
    }
  }
  return io;
}

/** The graph's inputs and outputs; a file that is not a readable ONNX model is BROKEN_MODEL, naming the file. */
export function readOnnxSignature(file: string): OnnxSignature {
  try {
    return readSignature(file);
  } catch (err) {
    throw new StudioError(
      'BROKEN_MODEL',
      `${path.basename(path.dirname(file))}/${path.basename(file)} is not a readable ONNX model (${(err as Error).message})`,
    );
  }
}

function readSignature(file: string): OnnxSignature {
  const fd = fs.openSync(file, 'r');
  try {
    const cursor = new FileCursor(fd, fs.fstatSync(fd).size);
    const sig: OnnxSignature = { inputs: [], outputs: [] };
    let sawGraph = false;
    while (cursor.pos < cursor.size) {
      const key = cursor.varint();
      const field = Math.floor(key / 8);
      const wire = key & 7;
      if (field === 7 && wire === 2) {
        sawGraph = true;
        const length = cursor.varint();
        const end = cursor.pos + length;
        if (end > cursor.size) throw new Error('bad graph length');
        while (cursor.pos < end) {
          const k = cursor.varint();
          const f = Math.floor(k / 8);
          const w = k & 7;
          if ((f === 11 || f === 12) && w === 2) {
            const io = parseValueInfo(cursor.bytes(cursor.varint()));
            (f === 11 ? sig.inputs : sig.outputs).push(io);
          } else {
            cursor.skip(w);
          }
        }
      } else {
        cursor.skip(wire);
      }
    }
    if (!sawGraph) throw new Error('no graph in the file');
    return sig;
  } finally {
    fs.closeSync(fd);
  }
}
