/**
 * The LoRA merge's arithmetic, W + U @ D (and W + dW for LoHa and LoKr), run by ONNX Runtime: a rank-32
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

/**
 * What the graph adds to w: a low-rank product u @ d, or a whole change
 * `delta` [O, I] (LoHa, LoKr), or one given as [I, O] and transposed in the
 * graph (a weight MatMul holds transposed).
 */
type Change = 'low-rank' | 'dense' | 'dense-transposed';

/** ModelProto bytes of a graph of these nodes, inputs and output (opset 17). */
function modelProto(nodes: Buffer[], inputs: Buffer[], output: Buffer): Uint8Array {
  const graph = Buffer.concat([
    ...nodes.map((n) => lenField(1, n)),
    stringField(2, 'lora_merge'),
    ...inputs.map((i) => lenField(11, i)),
    lenField(12, output),
  ]);
  const opset = Buffer.concat([stringField(1, ''), varintField(2, 17)]);
  return Buffer.concat([varintField(1, 8), lenField(8, opset), lenField(7, graph)]);
}

/** ModelProto bytes: out = w + change, with w and out [O, I] in `stored`, the change's inputs in float32. */
function mergeGraph(stored: StoredFloat, change: Change): Uint8Array {
  const half = stored === ONNX_FLOAT16;
  const delta =
    change === 'low-rank'
      ? [node('MatMul', ['u', 'd'], 'delta')]
      : change === 'dense-transposed'
        ? [node('Transpose', ['dt'], 'delta')] // no perm: reverses the axes
        : [];
  const deltaName = change === 'dense' ? 'dt' : 'delta';
  const nodes = half
    ? [
        node('Cast', ['w'], 'wf', ONNX_FLOAT),
        ...delta,
        node('Add', ['wf', deltaName], 'sum'),
        node('Cast', ['sum'], 'out', ONNX_FLOAT16),
      ]
    : [...delta, node('Add', ['w', deltaName], 'out')];
  const inputs =
    change === 'low-rank'
      ? [valueInfo('u', ONNX_FLOAT, ['O', 'R']), valueInfo('d', ONNX_FLOAT, ['R', 'I'])]
      : [valueInfo('dt', ONNX_FLOAT, change === 'dense' ? ['O', 'I'] : ['I', 'O'])];
  return modelProto(nodes, [valueInfo('w', stored, ['O', 'I']), ...inputs], valueInfo('out', stored, ['O', 'I']));
}

/** ModelProto bytes: out = u @ d, float32 (a LoHa's or LoKr's factor products). */
function productGraph(): Uint8Array {
  return modelProto(
    [node('MatMul', ['u', 'd'], 'out')],
    [valueInfo('u', ONNX_FLOAT, ['O', 'R']), valueInfo('d', ONNX_FLOAT, ['R', 'I'])],
    valueInfo('out', ONNX_FLOAT, ['O', 'I']),
  );
}

const sessions = new Map<string, Promise<ort.InferenceSession>>();

/** A session of one of these graphs, made once per process (they hold no weights). */
function graphSession(key: string, graph: () => Uint8Array): Promise<ort.InferenceSession> {
  let s = sessions.get(key);
  if (!s) {
    s = ort.InferenceSession.create(graph(), { executionProviders: ['cpu'] });
    sessions.set(key, s);
  }
  return s;
}

/** `w`'s raw bytes as the tensor ORT takes (a copy aligned for the typed array view). */
function storedTensor(w: Buffer, stored: StoredFloat, rows: number, cols: number): ort.Tensor {
  const aligned = new Uint8Array(w.length);
  aligned.set(w);
  return stored === ONNX_FLOAT16
    ? new ort.Tensor('float16', new Uint16Array(aligned.buffer), [rows, cols])
    : new ort.Tensor('float32', new Float32Array(aligned.buffer), [rows, cols]);
}

async function runMerge(stored: StoredFloat, change: Change, feeds: Record<string, ort.Tensor>): Promise<Buffer> {
  const out = await (await graphSession(`${stored}:${change}`, () => mergeGraph(stored, change))).run(feeds);
  const data = out.out!.data as Uint16Array | Float32Array;
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * w + u @ d for w [rows, cols] as its raw bytes in `stored` precision (float32
 * or float16), u [rows, rank] and d [rank, cols] in float32; the result's raw
 * bytes in the same precision.
 */
export function addLowRank(
  w: Buffer,
  stored: StoredFloat,
  u: Float32Array,
  d: Float32Array,
  rows: number,
  cols: number,
  rank: number,
): Promise<Buffer> {
  return runMerge(stored, 'low-rank', {
    w: storedTensor(w, stored, rows, cols),
    u: new ort.Tensor('float32', u, [rows, rank]),
    d: new ort.Tensor('float32', d, [rank, cols]),
  });
}

/**
 * w + delta for w [rows, cols] as raw bytes in `stored` precision and a whole
 * change in float32: [rows, cols], or [cols, rows] when `transposed` (then
 * transposed by ORT, which is several times faster at it than a JS loop, as
 * it is at the fp16 casts).
 */
export function addDense(
  w: Buffer,
  stored: StoredFloat,
  delta: Float32Array,
  rows: number,
  cols: number,
  transposed: boolean,
): Promise<Buffer> {
  return runMerge(stored, transposed ? 'dense-transposed' : 'dense', {
    w: storedTensor(w, stored, rows, cols),
    dt: new ort.Tensor('float32', delta, transposed ? [cols, rows] : [rows, cols]),
  });
}

/** u @ d for u [rows, rank] and d [rank, cols], float32. */
export async function lowRankProduct(
  u: Float32Array,
  d: Float32Array,
  rows: number,
  cols: number,
  rank: number,
): Promise<Float32Array> {
  const out = await (await graphSession('product', productGraph)).run({
    u: new ort.Tensor('float32', u, [rows, rank]),
    d: new ort.Tensor('float32', d, [rank, cols]),
  });
  return out.out!.data as Float32Array;
}
