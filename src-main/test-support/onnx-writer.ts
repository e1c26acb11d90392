/** Writes a minimal ONNX ModelProto that declares inputs and outputs only (for registry tests). */
const TYPES: Record<string, number> = { float32: 1, int32: 6, int64: 7, float16: 10 };

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 127) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
}
const field = (num: number, payload: Buffer) => Buffer.concat([varint(num * 8 + 2), varint(payload.length), payload]);
const intField = (num: number, v: number) => Buffer.concat([varint(num * 8), varint(v)]);

export interface Io {
  name: string;
  type: keyof typeof TYPES;
  shape: (number | string)[];
}

function valueInfo(io: Io): Buffer {
  const dims = io.shape.map((d) => field(1, typeof d === 'number' ? intField(1, d) : field(2, Buffer.from(d))));
  const tensor = Buffer.concat([intField(1, TYPES[io.type]!), field(2, Buffer.concat(dims))]);
  return Buffer.concat([field(1, Buffer.from(io.name)), field(2, field(1, tensor))]);
}

export interface Node {
  op: string;
  inputs: string[];
  outputs: string[];
}

/** A ModelProto (IR 8, opset 17) with the given graph inputs, outputs and nodes; runnable when the nodes make sense. */
export function onnxWithIo(inputs: Io[], outputs: Io[], nodes: Node[] = []): Buffer {
  const nodeProtos = nodes.map((n) =>
    field(
      1,
      Buffer.concat([
        ...n.inputs.map((i) => field(1, Buffer.from(i))),
        ...n.outputs.map((o) => field(2, Buffer.from(o))),
        field(4, Buffer.from(n.op)),
      ]),
    ),
  );
  const graph = Buffer.concat([
    ...nodeProtos,
    field(2, Buffer.from('g')),
    ...inputs.map((i) => field(11, valueInfo(i))),
    ...outputs.map((o) => field(12, valueInfo(o))),
  ]);
  const opset = field(8, Buffer.concat([field(1, Buffer.from('')), intField(2, 17)]));
  return Buffer.concat([intField(1, 8), opset, field(7, graph)]);
}
