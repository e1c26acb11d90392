/**
 * The LoRA merge's arithmetic, W + U @ D, run by ONNX Runtime: a rank-32
 * LoRA on every Linear of an SD 1.5 UNet is some 20 billion multiply-adds,
 * half a minute in a JavaScript loop and about a second in ORT's threaded
 * kernels. W stays in the model's own precision and layout (fp16 weights are
 * widened and narrowed by Cast nodes, not element by element in JS). The
 * graph is built here as ONNX protobuf bytes, with symbolic dimensions so one
 * session per precision serves every parameter.
 */
import * as ort from 'onnxruntime-node';
import { ONNX_FLOAT, ONNX_FLOAT16 } from './onnx-graph.js';
import { lenField, stringField, varintField } from './protobuf.js';

export type StoredFloat = typeof ONNX_FLOAT | typeof ONNX_FLOAT16;

function valueInfo(name: string, elemType: number, dims: string[]): Buffer {
  const shape = Buffer.concat(dims.map((d) => lenField(1, stringField(2, d))));
  const tensorType = Buffer.concat([varintField(1, elemType), lenField(2, shape)]);
  return Buffer.concat([stringField(1, name), lenField(2, lenField(1, tensorType))]);
}

function node(op: string, inputs: string[], output: string, castTo?: number): Buffer {
  // AttributeProto: name = 1, i = 3, type = 20 (INT = 2).
  const attr =
    castTo === undefined
      ? []
      : [lenField(5, Buffer.concat([stringField(1, 'to'), varintField(3, castTo), varintField(20, 2)]))];
  return Buffer.concat([
    ...inputs.map((i) => stringField(1, i)),
    stringField(2, output),
    stringField(3, `${op}_${output}`),
    stringField(4, op),
    ...attr,
  ]);
}

/** ModelProto bytes: out = w + u @ d, with w and out [O, I] in `stored`, u [O, R] and d [R, I] in float32. */
function mergeGraph(stored: StoredFloat): Uint8Array {
  const half = stored === ONNX_FLOAT16;
  const nodes = half
    ? [
        node('Cast', ['w'], 'wf', ONNX_FLOAT),
        node('MatMul', ['u', 'd'], 'delta'),
        node('Add', ['wf', 'delta'], 'sum'),
        node('Cast', ['sum'], 'out', ONNX_FLOAT16),
      ]
    : [node('MatMul', ['u', 'd'], 'delta'), node('Add', ['w', 'delta'], 'out')];
  const graph = Buffer.concat([
    ...nodes.map((n) => lenField(1, n)),
    stringField(2, 'lora_merge'),
    lenField(11, valueInfo('w', stored, ['O', 'I'])),
    lenField(11, valueInfo('u', ONNX_FLOAT, ['O', 'R'])),
    lenField(11, valueInfo('d', ONNX_FLOAT, ['R', 'I'])),
    lenField(12, valueInfo('out', stored, ['O', 'I'])),
  ]);
  const opset = Buffer.concat([stringField(1, ''), varintField(2, 17)]);
  return Buffer.concat([varintField(1, 8), lenField(8, opset), lenField(7, graph)]);
}

const sessions = new Map<StoredFloat, Promise<ort.InferenceSession>>();

/** The merge session for a precision, made once per process (it holds no weights). */
function mergeSession(stored: StoredFloat): Promise<ort.InferenceSession> {
  let s = sessions.get(stored);
  if (!s) {
    s = ort.InferenceSession.create(mergeGraph(stored), { executionProviders: ['cpu'] });
    sessions.set(stored, s);
  }
  return s;
}

/**
 * w + u @ d for w [rows, cols] as its raw bytes in `stored` precision (float32
 * or float16), u [rows, rank] and d [rank, cols] in float32; the result's raw
 * bytes in the same precision.
 */
export async function addLowRank(
  w: Buffer,
  stored: StoredFloat,
  u: Float32Array,
  d: Float32Array,
  rows: number,
  cols: number,
  rank: number,
): Promise<Buffer> {
  const s = await mergeSession(stored);
  // A copy aligned for the typed array view ORT takes.
  const aligned = new Uint8Array(w.length);
  aligned.set(w);
  const wTensor =
    stored === ONNX_FLOAT16
      ? new ort.Tensor('float16', new Uint16Array(aligned.buffer), [rows, cols])
      : new ort.Tensor('float32', new Float32Array(aligned.buffer), [rows, cols]);
  const out = await s.run({
    w: wTensor,
    u: new ort.Tensor('float32', u, [rows, rank]),
    d: new ort.Tensor('float32', d, [rank, cols]),
  });
  const data = out.out!.data as Uint16Array | Float32Array;
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** u @ d for u [rows, rank] and d [rank, cols], float32 (the same graph, added to zeros). */
export async function lowRankProduct(
  u: Float32Array,
  d: Float32Array,
  rows: number,
  cols: number,
  rank: number,
): Promise<Float32Array> {
  const bytes = await addLowRank(Buffer.alloc(rows * cols * 4), ONNX_FLOAT, u, d, rows, cols, rank);
  return new Float32Array(bytes.buffer, bytes.byteOffset, rows * cols);
}
