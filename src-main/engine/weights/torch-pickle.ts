/**
 * PyTorch `.pt` files (the zip layout `torch.save` has written since 1.6),
 * read without running anything: the zip's `data.pkl` goes through a small
 * pickle machine that knows only the few globals a saved tensor dict needs
 * (tensor and parameter rebuilders, the storage types, OrderedDict). Any other
 * global (`os.system`, `builtins.eval`, ...) is refused, so a hostile file
 * cannot run code, which is why A1111 warns about `.pt` files and we need not.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { WeightFileError } from './errors.js';
import { bfloat16ToFloat32, float16ToFloat32 } from '../runtime/float16.js';

/** Past this a `.pt` is no embedding (they are kilobytes); kept small so the whole file may be read. */
const MAX_PT_BYTES = 256 * 1024 * 1024;
const MAX_PICKLE_BYTES = 16 * 1024 * 1024;

interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

/** The central directory of a zip held in memory. */
function zipEntries(buf: Buffer, what: string): Map<string, ZipEntry> {
  // End-of-central-directory record: signature 0x06054b50, within the last 64 KiB + 22 bytes.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new WeightFileError(`${what}: not a PyTorch zip file (older .pt files cannot be read safely)`);
  let count = buf.readUInt16LE(eocd + 10);
  let dirOffset = buf.readUInt32LE(eocd + 16);
  if (dirOffset === 0xffffffff || count === 0xffff) {
    // zip64: the locator sits just before the EOCD and points at the zip64 EOCD record.
    const loc = eocd - 20;
    if (loc < 0 || buf.readUInt32LE(loc) !== 0x07064b50) throw new WeightFileError(`${what}: damaged zip64 directory`);
    const z64 = Number(buf.readBigUInt64LE(loc + 8));
    if (z64 + 56 > buf.length || buf.readUInt32LE(z64) !== 0x06064b50)
      throw new WeightFileError(`${what}: damaged zip64 directory`);
    count = Number(buf.readBigUInt64LE(z64 + 32));
    dirOffset = Number(buf.readBigUInt64LE(z64 + 48));
  }
  const out = new Map<string, ZipEntry>();
  let p = dirOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== 0x02014b50)
      throw new WeightFileError(`${what}: damaged zip directory`);
    const method = buf.readUInt16LE(p + 10);
    let compressedSize = buf.readUInt32LE(p + 20);
    let size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    let localOffset = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    // zip64 extra field (id 1): the 0xffffffff fields, in order size, compressed size, offset.
    for (let e = p + 46 + nameLen; e + 4 <= p + 46 + nameLen + extraLen; ) {
      const id = buf.readUInt16LE(e);
      const len = buf.readUInt16LE(e + 2);
      if (id === 1) {
        let q = e + 4;
        const next = () => {
          const v = Number(buf.readBigUInt64LE(q));
          q += 8;
          return v;
        };
        if (size === 0xffffffff) size = next();
        if (compressedSize === 0xffffffff) compressedSize = next();
        if (localOffset === 0xffffffff) localOffset = next();
      }
      e += 4 + len;
    }
    out.set(name, { name, method, compressedSize, size, localOffset });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

function zipRead(buf: Buffer, e: ZipEntry, what: string, limit = Number.POSITIVE_INFINITY): Buffer {
  const h = e.localOffset;
  if (h + 30 > buf.length || buf.readUInt32LE(h) !== 0x04034b50)
    throw new WeightFileError(`${what}: damaged zip entry ${e.name}`);
  const start = h + 30 + buf.readUInt16LE(h + 26) + buf.readUInt16LE(h + 28);
  if (start + e.compressedSize > buf.length) throw new WeightFileError(`${what}: truncated (entry ${e.name})`);
  if (e.size > limit) throw new WeightFileError(`${what}: entry ${e.name} is too large`);
  const raw = buf.subarray(start, start + e.compressedSize);
  if (e.method === 0) return raw;
  if (e.method === 8) return zlib.inflateRawSync(raw, { maxOutputLength: Math.max(1, e.size) });
  throw new WeightFileError(`${what}: zip entry ${e.name} uses compression method ${e.method}`);
}

/** A tensor as the pickle describes it; its bytes stay in the zip until read. */
export class PickledTensor {
  constructor(
    readonly storage: { key: string; dtype: string },
    readonly offset: number,
    readonly shape: number[],
    readonly stride: number[],
  ) {}
}

/** The storage class names torch pickles, by the element type they hold. */
const STORAGE_DTYPES: Record<string, string> = {
  FloatStorage: 'F32',
  HalfStorage: 'F16',
  BFloat16Storage: 'BF16',
  DoubleStorage: 'F64',
};
const DTYPE_BYTES: Record<string, number> = { F32: 4, F16: 2, BF16: 2, F64: 8 };

type PyValue = unknown;
class PyGlobal {
  constructor(readonly name: string) {}
}
const MARK = Symbol('mark');

/** The globals a tensor dict may name; everything else is refused. */
function callGlobal(g: PyGlobal, args: PyValue[], what: string): PyValue {
  switch (g.name) {
    case 'collections.OrderedDict':
      return new Map<PyValue, PyValue>();
    case 'torch._utils._rebuild_tensor_v2':
    case 'torch._utils._rebuild_tensor': {
      const [storage, offset, shape, stride] = args as [PickledTensor['storage'], number, number[], number[]];
      if (!storage || typeof storage !== 'object' || !('key' in storage))
        throw new WeightFileError(`${what}: a tensor without storage`);
      return new PickledTensor(storage, Number(offset), [...shape].map(Number), [...stride].map(Number));
    }
    case 'torch._utils._rebuild_parameter':
    case 'torch._utils._rebuild_parameter_with_state':
      return args[0];
    default:
      throw new WeightFileError(`${what}: refused to read: it asks to run ${g.name}, which a weights file never needs`);
  }
}

const ALLOWED_GLOBALS = new Set([
  'collections.OrderedDict',
  'torch._utils._rebuild_tensor_v2',
  'torch._utils._rebuild_tensor',
  'torch._utils._rebuild_parameter',
  'torch._utils._rebuild_parameter_with_state',
  ...Object.keys(STORAGE_DTYPES).map((s) => `torch.${s}`),
]);

/** Runs the pickle opcodes a `torch.save` of dicts, lists, numbers, strings and tensors uses. */
function unpickle(data: Buffer, what: string): PyValue {
  const stack: PyValue[] = [];
  const memo = new Map<number, PyValue>();
  let p = 0;
  const popMark = (): PyValue[] => {
    const i = stack.lastIndexOf(MARK);
    if (i < 0) throw new WeightFileError(`${what}: damaged pickle (no mark)`);
    const items = stack.splice(i);
    return items.slice(1);
  };
  const need = (n: number) => {
    if (p + n > data.length) throw new WeightFileError(`${what}: damaged pickle (ends early)`);
  };
  const u8 = () => {
    need(1);
    return data[p++]!;
  };
  const u32 = () => {
    need(4);
    p += 4;
    return data.readUInt32LE(p - 4);
  };
  const str = (n: number) => {
    need(n);
    p += n;
    return data.toString('utf8', p - n, p);
  };
  const line = () => {
    const end = data.indexOf(0x0a, p);
    if (end < 0) throw new WeightFileError(`${what}: damaged pickle`);
    const s = data.toString('utf8', p, end);
    p = end + 1;
    return s;
  };
  const pop = () => {
    if (!stack.length) throw new WeightFileError(`${what}: damaged pickle (empty stack)`);
    return stack.pop();
  };
  const top = () => stack[stack.length - 1];
  const setItems = (target: PyValue, items: PyValue[]) => {
    for (let i = 0; i + 1 < items.length; i += 2) {
      if (target instanceof Map) target.set(items[i], items[i + 1]);
      else if (target && typeof target === 'object')
        (target as Record<string, PyValue>)[String(items[i])] = items[i + 1];
    }
  };
  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        u8();
        break;
      case 0x95: // FRAME
        need(8);
        p += 8;
        break;
      case 0x2e: // STOP
        return pop();
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push([]);
        break;
      case 0x28: // MARK
        stack.push(MARK);
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        need(2);
        stack.push(data.readUInt16LE(p));
        p += 2;
        break;
      case 0x4a: // BININT
        need(4);
        stack.push(data.readInt32LE(p));
        p += 4;
        break;
      case 0x8a: {
        // LONG1
        const n = u8();
        need(n);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(data[p + i]!);
        if (n > 0 && data[p + n - 1]! & 0x80) v -= 1n << BigInt(8 * n);
        p += n;
        stack.push(Number(v));
        break;
      }
      case 0x47: // BINFLOAT (big-endian)
        need(8);
        stack.push(data.readDoubleBE(p));
        p += 8;
        break;
      case 0x58: // BINUNICODE
        stack.push(str(u32()));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(str(u8()));
        break;
      case 0x43: {
        // SHORT_BINBYTES
        const n = u8();
        need(n);
        stack.push(Buffer.from(data.subarray(p, p + n)));
        p += n;
        break;
      }
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
        stack.push(memo.get(u8()));
        break;
      case 0x6a: // LONG_BINGET
        stack.push(memo.get(u32()));
        break;
      case 0x85: // TUPLE1
        stack.push([pop()]);
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        stack.push([pop(), b]);
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        stack.push([pop(), b, c]);
        break;
      }
      case 0x74: // TUPLE
        stack.push(popMark());
        break;
      case 0x6c: // LIST
        stack.push(popMark());
        break;
      case 0x61: {
        // APPEND
        const v = pop();
        (top() as PyValue[]).push(v);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        const list = top();
        if (!Array.isArray(list)) throw new WeightFileError(`${what}: damaged pickle (append to a non-list)`);
        list.push(...items);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: // SETITEMS
        setItems(stack[stack.lastIndexOf(MARK) - 1], popMark());
        break;
      case 0x63: {
        // GLOBAL "module\nname\n"
        const name = `${line()}.${line()}`;
        if (!ALLOWED_GLOBALS.has(name))
          throw new WeightFileError(
            `${what}: refused to read: it asks to run ${name}, which a weights file never needs`,
          );
        stack.push(new PyGlobal(name));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = `${pop()}.${pop()}`.split('.').reverse().join('.');
        throw new WeightFileError(`${what}: refused to read: it asks for ${name} (protocol 4 pickles are not read)`);
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        const fn = pop();
        if (!(fn instanceof PyGlobal)) throw new WeightFileError(`${what}: damaged pickle (call of a non-function)`);
        stack.push(callGlobal(fn, args as PyValue[], what));
        break;
      }
      case 0x81: {
        // NEWOBJ
        const args = pop();
        const cls = pop();
        if (!(cls instanceof PyGlobal)) throw new WeightFileError(`${what}: damaged pickle`);
        stack.push(callGlobal(cls, args as PyValue[], what));
        break;
      }
      case 0x62: {
        // BUILD: object state; a tensor's or OrderedDict's extra state is not needed.
        pop();
        break;
      }
      case 0x51: {
        // BINPERSID: ('storage', StorageType, key, location, numel)
        const pid = pop() as PyValue[];
        const type = pid?.[1];
        const dtype = type instanceof PyGlobal ? STORAGE_DTYPES[type.name.replace(/^torch\./, '')] : undefined;
        if (!Array.isArray(pid) || pid[0] !== 'storage' || !dtype)
          throw new WeightFileError(`${what}: a tensor of a type the studio does not read`);
        stack.push({ key: String(pid[2]), dtype });
        break;
      }
      default:
        throw new WeightFileError(`${what}: damaged or unsupported pickle (opcode 0x${op.toString(16)})`);
    }
  }
}

export interface TorchFile {
  /** The unpickled object: Maps for dicts, arrays for lists and tuples, PickledTensor for tensors. */
  root: unknown;
  /** A tensor's values as float32 (F32, F16, BF16, F64), contiguous in its shape. */
  readFloat32(t: PickledTensor): Float32Array;
}

/** Opens a `.pt` file written by `torch.save` (zip layout). */
export function readTorchFile(file: string): TorchFile {
  const what = path.basename(file);
  let buf: Buffer;
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) throw new WeightFileError(`${what}: not a regular file`);
    if (st.size > MAX_PT_BYTES) throw new WeightFileError(`${what}: too large for a .pt embedding`);
    buf = fs.readFileSync(file);
  } catch (err) {
    if (err instanceof WeightFileError) throw err;
    throw new WeightFileError(`${what}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const entries = zipEntries(buf, what);
  const pkl = [...entries.values()].find((e) => /(^|\/)data\.pkl$/.test(e.name));
  if (!pkl) throw new WeightFileError(`${what}: not a PyTorch file (no data.pkl)`);
  const prefix = pkl.name.slice(0, -'data.pkl'.length);
  const root = unpickle(zipRead(buf, pkl, what, MAX_PICKLE_BYTES), what);
  return {
    root,
    readFloat32(t) {
      const e = entries.get(`${prefix}data/${t.storage.key}`);
      if (!e) throw new WeightFileError(`${what}: tensor data ${t.storage.key} is missing`);
      const raw = zipRead(buf, e, what);
      const size = DTYPE_BYTES[t.storage.dtype]!;
      const n = t.shape.reduce((a, b) => a * b, 1);
      const out = new Float32Array(n);
      const at = (i: number) => {
        // Element i of the contiguous result, found through the tensor's strides.
        let rest = i;
        let off = t.offset;
        for (let d = t.shape.length - 1; d >= 0; d--) {
          off += (rest % t.shape[d]!) * t.stride[d]!;
          rest = Math.floor(rest / t.shape[d]!);
        }
        if ((off + 1) * size > raw.length) throw new WeightFileError(`${what}: truncated tensor data`);
        return off * size;
      };
      if (t.storage.dtype === 'F32') for (let i = 0; i < n; i++) out[i] = raw.readFloatLE(at(i));
      else if (t.storage.dtype === 'F64') for (let i = 0; i < n; i++) out[i] = raw.readDoubleLE(at(i));
      else {
        const halves = new Uint16Array(n);
        for (let i = 0; i < n; i++) halves[i] = raw.readUInt16LE(at(i));
        return t.storage.dtype === 'F16' ? float16ToFloat32(halves) : bfloat16ToFloat32(halves);
      }
      return out;
    },
  };
}
