/**
 * LoRA files merged into a model's weights: kohya / AUTOMATIC1111 keys
 * (`lora_unet_*`, `lora_te_*` with `lora_down`, `lora_up`, `alpha`; LoCon
 * convs with k x k down and 1x1 up) and diffusers / PEFT keys (`lora_A`,
 * `lora_B`). W' = W + weight * alpha / rank * (up @ down), summed over every
 * LoRA given. LyCORIS's LoHa (`hada_w1_a` ...: the Hadamard product of two
 * low-rank products, times alpha / rank) and LoKr (`lokr_w1`, `lokr_w2` or
 * their `_a`/`_b` factors: a Kronecker product, times alpha / rank when a
 * factor is decomposed, else 1) merge the same way, as ComfyUI applies them,
 * Tucker-decomposed convs included (LoCon's `lora_mid`, `hada_t1`/`hada_t2`,
 * `lokr_t2`). DoRA files (`dora_scale`) are refused by name. Module names
 * come from the model's own parameters, never from splitting keys at
 * underscores (`to_out_0`, `time_emb_proj` are ambiguous).
 * SDXL's kohya files name UNet modules as the original (ldm) UNet does
 * (`lora_unet_input_blocks_4_1_...`) and the two text encoders `lora_te1_` /
 * `lora_te2_`; both spellings of the UNet are looked up, as ComfyUI does.
 */
import { WeightFileError } from './errors.js';
import path from 'node:path';
import { type IndexedPart, paramValues, torchDims } from './model-parts.js';
import type { ParamChange } from './patch-writer.js';
import { SafetensorsFile } from './safetensors.js';
import { addDense, addLowRank, lowRankProduct, type StoredFloat } from './lora-matmul.js';
import { ldmKey, unetLayout } from './ldm-names.js';
import { ONNX_FLOAT, ONNX_FLOAT16, readTensorBytes } from './onnx-graph.js';

export interface LoraUse {
  file: string;
  weight: number;
}

/**
 * A low-rank product `up` [out, r] @ `down` [r, inner]. A Tucker-decomposed
 * conv keeps its k x k in a core `mid` [r, r', kh, kw] between them (down
 * [r', in]): dW[o, c, k, l] = sum over m, n of up[o, m] mid[m, n, k, l]
 * down[n, c]. LyCORIS stores a Tucker LoHa's or LoKr's up as [r, out]
 * (`upTransposed`); a LoCon's `lora_up` stays [out, r].
 */
interface LowRank {
  up: string;
  down: string;
  mid: string | null;
  upTransposed: boolean;
}

/** A LyCORIS LoKr factor: one matrix, or a low-rank product. */
type Factor = { whole: string } | LowRank;

/** One module of a file, by kind: its tensors' names. */
type LoraModule = { key: string; alpha: string | null } & (
  | { kind: 'lora'; pair: LowRank }
  | { kind: 'loha'; w1: LowRank; w2: LowRank }
  | { kind: 'lokr'; w1: Factor; w2: Factor }
);

/** The modules of a LoRA, LoHa or LoKr file by their key stem (`lora_unet_..._to_q`, `unet.down_blocks....to_q`). */
function loraModules(st: SafetensorsFile): Map<string, LoraModule> {
  const modules = new Map<string, LoraModule>();
  const alphaOf = (stem: string) => (st.has(`${stem}.alpha`) ? `${stem}.alpha` : null);
  const named = (name: string) => (st.has(name) ? name : null);
  /** LoHa's and LoKr's pairs: `_a` @ `_b`, with a Tucker core `t` when there is one. */
  const lycoPair = (a: string, b: string, t: string | null): LowRank | null => {
    if (!st.has(a) || !st.has(b)) return null;
    const mid = t ? named(t) : null;
    return { up: a, down: b, mid, upTransposed: mid !== null };
  };
  for (const name of st.entries.keys()) {
    // DoRA rescales each merged weight's columns to a learnt norm: merging without it would draw something else.
    if (name.endsWith('.dora_scale'))
      throw new WeightFileError(`${path.basename(st.file)}: DoRA files (dora_scale) are not supported yet`);
    const lora = /^(.*)\.(lora_down|lora_A)\.weight$/.exec(name);
    if (lora) {
      const stem = lora[1]!;
      const up = lora[2] === 'lora_down' ? `${stem}.lora_up.weight` : `${stem}.lora_B.weight`;
      const pair = { up, down: name, mid: named(`${stem}.lora_mid.weight`), upTransposed: false };
      if (st.has(up)) modules.set(stem, { kind: 'lora', key: stem, pair, alpha: alphaOf(stem) });
      continue;
    }
    const loha = /^(.*)\.hada_w1_a$/.exec(name);
    if (loha) {
      const s = loha[1]!;
      const w1 = lycoPair(name, `${s}.hada_w1_b`, `${s}.hada_t1`);
      const w2 = lycoPair(`${s}.hada_w2_a`, `${s}.hada_w2_b`, `${s}.hada_t2`);
      if (w1 && w2) modules.set(s, { kind: 'loha', key: s, w1, w2, alpha: alphaOf(s) });
      continue;
    }
    const lokr = /^(.*)\.lokr_w1(_a)?$/.exec(name);
    if (lokr) {
      const s = lokr[1]!;
      const factor = (w: string, t: string | null): Factor | null =>
        st.has(`${s}.${w}`) ? { whole: `${s}.${w}` } : lycoPair(`${s}.${w}_a`, `${s}.${w}_b`, t && `${s}.${t}`);
      const w1 = factor('lokr_w1', null); // only the second factor carries a conv's kernel
      const w2 = factor('lokr_w2', 'lokr_t2');
      if (w1 && w2) modules.set(s, { kind: 'lokr', key: s, w1, w2, alpha: alphaOf(s) });
    }
  }
  return modules;
}

const product = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);
const badModule = (st: SafetensorsFile, why: string) => new WeightFileError(`${path.basename(st.file)}: ${why}`);

/** A pair's product [rows, cols] and its rank, from the header; throws when its tensors do not multiply. */
function pairDims(st: SafetensorsFile, p: LowRank): { rows: number; cols: number; rank: number } {
  const up = st.entries.get(p.up)!.shape;
  const down = st.entries.get(p.down)!.shape;
  const [rows, rank] = p.upTransposed ? [up[1], up[0]] : [up[0], up[1]];
  const mid = p.mid ? st.entries.get(p.mid)!.shape : null;
  const fits =
    rows !== undefined &&
    up.slice(2).every((d) => d === 1) &&
    (mid ? mid[0] === rank && mid[1] === down[0] && down.slice(2).every((d) => d === 1) : rank === down[0]);
  if (!fits)
    throw badModule(st, `${p.up} [${up}]${mid ? `, ${p.mid} [${mid}]` : ''} and ${p.down} [${down}] do not multiply`);
  const cols = (mid ? (down[1] ?? 1) * product(mid.slice(2)) : product(down.slice(1))) as number;
  return { rows: rows!, cols, rank: rank! };
}

/** A LoKr factor's [rows, cols], and its rank when it is a product. */
function factorDims(st: SafetensorsFile, f: Factor): { rows: number; cols: number; rank: number | null } {
  if ('whole' in f) {
    const shape = st.entries.get(f.whole)!.shape;
    return { rows: shape[0]!, cols: product(shape.slice(1)), rank: null };
  }
  return pairDims(st, f);
}

interface ModuleShape {
  /** The weight it changes, [out, inner] (inner: every dimension after the first). */
  out: number;
  inner: number;
  /** What a LoRA stacks along (its rank). */
  rank: number;
  /** alpha / rank, as the tools apply it. */
  scale: number;
}

/** What a module changes, from the file's header and alpha alone. Throws when its tensors do not fit together. */
function moduleShape(st: SafetensorsFile, mod: LoraModule): ModuleShape {
  const alpha = mod.alpha ? st.readFloat32(mod.alpha)[0]! : null;
  if (mod.kind === 'lora') {
    const { rows, cols, rank } = pairDims(st, mod.pair);
    return { out: rows, inner: cols, rank, scale: (alpha ?? rank) / rank };
  }
  if (mod.kind === 'loha') {
    const a = pairDims(st, mod.w1);
    const b = pairDims(st, mod.w2);
    if (a.rows !== b.rows || a.cols !== b.cols)
      throw badModule(st, `${mod.key}: its two Hadamard factors do not have one shape`);
    return { out: a.rows, inner: a.cols, rank: a.rank, scale: alpha === null ? 1 : alpha / a.rank };
  }
  const w1 = factorDims(st, mod.w1);
  const w2 = factorDims(st, mod.w2);
  // ComfyUI: alpha over the decomposed factor's rank (the second's when both are); no alpha when neither is.
  const rank = w2.rank ?? w1.rank;
  return {
    out: w1.rows * w2.rows,
    inner: w1.cols * w2.cols,
    rank: rank ?? 1,
    scale: alpha !== null && rank !== null ? alpha / rank : 1,
  };
}

/** A pair's up as [rows, rank]. */
function upMatrix(st: SafetensorsFile, p: LowRank): Float32Array {
  const up = st.readFloat32(p.up);
  if (!p.upTransposed) return up;
  const { rows, rank } = pairDims(st, p);
  return transpose(up, rank, rows);
}

/** A pair's down as [rank, cols]: with a Tucker core, the core times down (the k x k carried into the columns). */
function downMatrix(st: SafetensorsFile, p: LowRank): Float32Array {
  const down = st.readFloat32(p.down);
  if (!p.mid) return down;
  const mid = st.readFloat32(p.mid);
  const [r, r2, ...kernel] = st.entries.get(p.mid)!.shape as [number, number, ...number[]];
  const kk = product(kernel);
  const inC = down.length / r2;
  // out[m, c, k] = sum over n of mid[m, n, k] * down[n, c]
  const out = new Float32Array(r * inC * kk);
  for (let m = 0; m < r; m++)
    for (let n = 0; n < r2; n++)
      for (let c = 0; c < inC; c++) {
        const d = down[n * inC + c]!;
        const at = (m * inC + c) * kk;
        const from = (m * r2 + n) * kk;
        for (let k = 0; k < kk; k++) out[at + k]! += mid[from + k]! * d;
      }
  return out;
}

function pairValues(st: SafetensorsFile, p: LowRank): Promise<Float32Array> {
  const { rows, cols, rank } = pairDims(st, p);
  return lowRankProduct(upMatrix(st, p), downMatrix(st, p), rows, cols, rank);
}

function factorValues(st: SafetensorsFile, f: Factor): Promise<Float32Array> {
  return 'whole' in f ? Promise.resolve(st.readFloat32(f.whole)) : pairValues(st, f);
}

/**
 * A LoHa's or LoKr's whole change to the weight, [out, inner], `scale` folded
 * in; the low-rank products run in ONNX Runtime (a JavaScript loop managed
 * 0.75 GMAC/s here: a rank-16 LoHa on an SD 1.5 UNet would take half a minute).
 */
async function denseDelta(st: SafetensorsFile, mod: LoraModule, scale: number): Promise<Float32Array> {
  if (mod.kind === 'lora') throw new Error('a LoRA merges as a low-rank product');
  if (mod.kind === 'loha') {
    const m1 = await pairValues(st, mod.w1);
    const m2 = await pairValues(st, mod.w2);
    for (let i = 0; i < m1.length; i++) m1[i] = m1[i]! * m2[i]! * scale;
    return m1;
  }
  // kron(w1, w2): row i*c + j, column p*n + q is w1[i, p] * w2[j, q] (a conv's w2 flattened to [c, in*k*k]).
  const a = factorDims(st, mod.w1);
  const b = factorDims(st, mod.w2);
  const w1 = await factorValues(st, mod.w1);
  const w2 = await factorValues(st, mod.w2);
  const inner = a.cols * b.cols;
  const out = new Float32Array(a.rows * b.rows * inner);
  for (let i = 0; i < a.rows; i++)
    for (let p = 0; p < a.cols; p++) {
      const v = w1[i * a.cols + p]! * scale;
      for (let j = 0; j < b.rows; j++) {
        const row = (i * b.rows + j) * inner + p * b.cols;
        for (let q = 0; q < b.cols; q++) out[row + q] = v * w2[j * b.cols + q]!;
      }
    }
  return out;
}

/** Which kind of file it is, as the tools name them: LoHa or LoKr when it holds any such module, else LoRA. */
export function loraFormat(st: SafetensorsFile): 'LoRA' | 'LoHa' | 'LoKr' {
  const kinds = new Set([...loraModules(st).values()].map((m) => m.kind));
  return kinds.has('loha') ? 'LoHa' : kinds.has('lokr') ? 'LoKr' : 'LoRA';
}

/** Every module's key and the [out, inner] weight it changes (a file's model family is told from these). */
export function loraModuleShapes(st: SafetensorsFile): { key: string; out: number; inner: number }[] {
  return [...loraModules(st).values()].map((m) => ({ key: m.key, ...moduleShape(st, m) }));
}

/** The kohya and PEFT prefixes of each part a LoRA may change. */
const PREFIXES: Partial<Record<IndexedPart['part'], { kohya: string[]; peft: string }>> = {
  unet: { kohya: ['lora_unet_'], peft: 'unet.' },
  text_encoder: { kohya: ['lora_te_', 'lora_te1_'], peft: 'text_encoder.' },
  text_encoder_2: { kohya: ['lora_te2_'], peft: 'text_encoder_2.' },
};

/** Every way a LoRA may name a module of this part -> the module's weight parameter. */
function nameTable(part: IndexedPart): Map<string, string> {
  const table = new Map<string, string>();
  const prefixes = PREFIXES[part.part]!;
  // The UNet's modules also by their ldm names (SDXL kohya files); the layout is read from the model itself.
  const ctx = part.part === 'unet' ? { unet: unetLayout(part.params.keys()), vaeUpLevels: 0 } : null;
  const underscored = (module: string) => module.replace(/\./g, '_');
  for (const name of part.params.keys()) {
    if (!name.endsWith('.weight')) continue;
    const module = name.slice(0, -'.weight'.length);
    for (const kohya of prefixes.kohya) table.set(kohya + underscored(module), name);
    const ldm = ctx ? ldmKey('unet', name, ctx) : null;
    if (ldm) table.set(`lora_unet_${underscored(ldm.slice('model.diffusion_model.'.length, -'.weight'.length))}`, name);
    table.set(prefixes.peft + module, name);
    if (part.part !== 'text_encoder_2') table.set(`base_model.model.${module}`, name);
  }
  return table;
}

export interface LoraMerge {
  /** Per part, the parameters the LoRAs change. */
  changes: Map<IndexedPart, Map<string, ParamChange>>;
  /** Keys that matched no module of the model, by LoRA file. */
  unmatched: { file: string; keys: string[] }[];
}

/** One LoRA module's contribution to one parameter. */
interface Contribution {
  st: SafetensorsFile;
  mod: LoraModule;
  rank: number;
  scale: number;
}

/**
 * Plans the merge from the files' headers (every shape checked before any
 * weight is read), then merges each parameter only when the writer asks for
 * it: the base weight plus every LoRA's `scale * up @ down` (see merged).
 */
export function mergeLoras(parts: IndexedPart[], loras: readonly LoraUse[]): LoraMerge {
  const targets = parts.filter((p) => PREFIXES[p.part] !== undefined);
  const tables = targets.map((p) => ({ part: p, table: nameTable(p) }));
  const plan = new Map<IndexedPart, Map<string, Contribution[]>>();
  const unmatched: LoraMerge['unmatched'] = [];
  for (const lora of loras) {
    const st = SafetensorsFile.open(lora.file);
    const modules = loraModules(st);
    if (modules.size === 0) {
      throw new WeightFileError(
        `${path.basename(lora.file)}: no LoRA, LoHa or LoKr weights in this file (other LyCORIS kinds are not supported)`,
      );
    }
    const missed: string[] = [];
    let matched = 0;
    for (const mod of modules.values()) {
      const hit = tables.map((t) => ({ part: t.part, param: t.table.get(mod.key) })).find((h) => h.param);
      if (!hit?.param) {
        missed.push(mod.key);
        continue;
      }
      matched++;
      const dims = torchDims(hit.part.params.get(hit.param)!);
      const shape = moduleShape(st, mod);
      if (shape.out !== dims[0] || shape.inner !== product(dims.slice(1))) {
        throw new WeightFileError(
          `${path.basename(lora.file)}: ${mod.key} changes a [${shape.out}, ${shape.inner}] weight, which does not fit ${hit.param} [${dims}] (a LoRA for another model family?)`,
        );
      }
      const scale = lora.weight * shape.scale;
      if (scale === 0) continue;
      const perPart = plan.get(hit.part) ?? new Map<string, Contribution[]>();
      plan.set(hit.part, perPart);
      perPart.set(hit.param, [...(perPart.get(hit.param) ?? []), { st, mod, rank: shape.rank, scale }]);
    }
    if (matched === 0) {
      throw new WeightFileError(
        `${path.basename(lora.file)}: none of its ${modules.size} modules is in this model (a LoRA for another model family?)`,
      );
    }
    if (missed.length) unmatched.push({ file: lora.file, keys: missed });
  }
  const changes = new Map<IndexedPart, Map<string, ParamChange>>();
  for (const [part, perPart] of plan) {
    const out = new Map<string, ParamChange>();
    for (const [name, contributions] of perPart) {
      const t = part.index.initializers.get(part.params.get(name)!.sites[0]!.initializer)!;
      const direct = t.dataType === ONNX_FLOAT || t.dataType === ONNX_FLOAT16;
      out.set(name, {
        dims: part.params.get(name)!.dims,
        values: () => mergedValues(part, name, contributions),
        ...(direct ? { stored: () => mergedStored(part, name, contributions) } : {}),
      });
    }
    changes.set(part, out);
  }
  return { changes, unmatched };
}

/**
 * The base weight plus every LoRA's `scale * up @ down`: the ups (scale folded
 * in) and downs stacked along the rank, so several LoRAs are one MatMul, run
 * by ONNX Runtime on the weight as stored (its precision; a Linear held
 * transposed by MatMul gets W^T + down^T @ up^T, never transposing W itself).
 * LoHa and LoKr changes, full-rank, are summed and added after that.
 */
async function mergedStored(
  part: IndexedPart,
  name: string,
  contributions: Contribution[],
): Promise<{ bytes: Buffer; dataType: number }> {
  const param = part.params.get(name)!;
  const site = param.sites[0]!;
  const t = part.index.initializers.get(site.initializer)!;
  const [outDim, ...rest] = torchDims(param) as [number, ...number[]];
  const inner = product(rest);
  const stored = t.dataType as StoredFloat;
  let bytes = readTensorBytes(t, part.file);
  const lowRank = contributions.filter((c) => c.mod.kind === 'lora');
  if (lowRank.length) {
    const rank = lowRank.reduce((n, c) => n + c.rank, 0);
    // up [out, R] (scaled) and down [R, inner], stacked along R.
    const up = new Float32Array(outDim * rank);
    const down = new Float32Array(rank * inner);
    let at = 0;
    for (const { st, mod, rank: r, scale } of lowRank) {
      if (mod.kind !== 'lora') continue;
      const u = upMatrix(st, mod.pair);
      for (let o = 0; o < outDim; o++) for (let k = 0; k < r; k++) up[o * rank + at + k] = u[o * r + k]! * scale;
      down.set(downMatrix(st, mod.pair), at * inner);
      at += r;
    }
    bytes =
      site.layout === 'transposed'
        ? await addLowRank(
            bytes,
            stored,
            transpose(down, rank, inner),
            transpose(up, outDim, rank),
            inner,
            outDim,
            rank,
          )
        : await addLowRank(bytes, stored, up, down, outDim, inner, rank);
  }
  const dense = await denseSum(contributions, outDim * inner);
  // Stored transposed ([inner, out]), the [out, inner] change is transposed as it is added.
  if (dense)
    bytes =
      site.layout === 'transposed'
        ? await addDense(bytes, stored, dense, inner, outDim, true)
        : await addDense(bytes, stored, dense, outDim, inner, false);
  return { bytes, dataType: t.dataType };
}

/** The LoHa and LoKr changes to one weight summed, [out, inner]; null when there are none. */
async function denseSum(contributions: Contribution[], length: number): Promise<Float32Array | null> {
  let sum: Float32Array | null = null;
  for (const { st, mod, scale } of contributions) {
    if (mod.kind === 'lora') continue;
    const delta = await denseDelta(st, mod, scale);
    if (!sum) sum = delta;
    else for (let i = 0; i < length; i++) sum[i]! += delta[i]!;
  }
  return sum;
}

/** A [rows, cols] matrix as [cols, rows]. */
function transpose(m: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(m.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = m[r * cols + c]!;
  return out;
}

/** The merged weight in torch layout, as float32 (weights stored in another precision than float32/float16). */
async function mergedValues(part: IndexedPart, name: string, contributions: Contribution[]): Promise<Float32Array> {
  const base = paramValues(part, name);
  const outDim = torchDims(part.params.get(name)!)[0]!;
  const inner = base.length / outDim;
  const delta = (await denseSum(contributions, base.length)) ?? new Float32Array(base.length);
  for (const { st, mod, rank, scale } of contributions) {
    if (mod.kind !== 'lora') continue;
    const down = downMatrix(st, mod.pair);
    const up = upMatrix(st, mod.pair);
    for (let o = 0; o < outDim; o++)
      for (let r = 0; r < rank; r++) {
        const u = up[o * rank + r]! * scale;
        for (let i = 0; i < inner; i++) delta[o * inner + i]! += u * down[r * inner + i]!;
      }
  }
  for (let i = 0; i < base.length; i++) delta[i]! += base[i]!;
  return delta;
}
