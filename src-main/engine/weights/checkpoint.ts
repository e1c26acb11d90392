/**
 * Single-file checkpoints (CompVis / ldm layout, as AUTOMATIC1111 and CivitAI
 * share them) turned into ONNX model folders: the graphs come from a template
 * model of the same family, every weight from the file, cast to the
 * template's precision. Every template weight must receive a value, or the
 * conversion fails naming what is missing; nothing half-written is left.
 */
import { WeightFileError } from './errors.js';
import fs from 'node:fs';
import path from 'node:path';
import { type LdmContext, ldmKey, unetLayout } from './ldm-names.js';
import { type IndexedPart, indexPart, MODEL_PARTS, torchDims } from './model-parts.js';
import { numel, ONNX_FLOAT, ONNX_FLOAT16 } from './onnx-graph.js';
import { type ParamChange, writePatchedOnnx } from './patch-writer.js';
import { SafetensorsFile, sha256From } from './safetensors.js';
import type { ModelPart, Param } from './param-map.js';
import { StudioError } from '../../../src-shared/domain/errors.js';

/** `custom`: the SD 1.x layout at another width (small models such as the built-in one). */
export type CheckpointFamily = 'sd1' | 'sd2' | 'sdxl' | 'custom' | 'vae' | 'unknown';

/** The checkpoint's family from its keys: what the file is, before any conversion. */
export function checkpointFamily(st: SafetensorsFile): CheckpointFamily {
  const keys = [...st.entries.keys()];
  if (keys.some((k) => k.startsWith('conditioner.embedders.'))) return 'sdxl';
  if (keys.some((k) => k.startsWith('cond_stage_model.model.'))) return 'sd2';
  if (keys.some((k) => k.startsWith('model.diffusion_model.'))) {
    const width = st.entries.get('cond_stage_model.transformer.text_model.embeddings.token_embedding.weight')?.shape[1];
    return width === undefined || width === 768 ? 'sd1' : 'custom';
  }
  if (keys.some((k) => /^(first_stage_model\.)?(encoder|decoder)\.conv_in\.weight$/.test(k))) return 'vae';
  return 'unknown';
}

export function ldmContextOf(parts: IndexedPart[]): LdmContext {
  const unet = parts.find((p) => p.part === 'unet');
  const vae = parts.find((p) => p.part === 'vae_decoder');
  const upLevels = vae
    ? new Set([...vae.params.keys()].map((n) => /^decoder\.up_blocks\.(\d+)\./.exec(n)?.[1]).filter(Boolean)).size
    : 0;
  return { unet: unetLayout(unet ? unet.params.keys() : []), vaeUpLevels: upLevels };
}

/** Drops size-1 dims so a conv-shaped [C, C, 1, 1] matches a Linear [C, C]. */
const core = (dims: readonly number[]) => dims.filter((d) => d !== 1).join('x');

/** Where one template parameter's value is in the source: a tensor, or one third of a fused q/k/v tensor. */
interface SourceTensor {
  key: string;
  shape: number[];
  read: () => Float32Array;
  /** The safetensors dtype and the raw bytes, for copying without conversion when the model stores the same. */
  dtype: string;
  readRaw: () => Buffer;
}

/** A checkpoint's weights, looked up by the template's diffusers names. */
export interface WeightSource {
  family: CheckpointFamily;
  /** A 9-channel UNet input (an inpainting checkpoint): it needs an inpainting model as its template. */
  inpainting: boolean;
  /** The value for a parameter, or the name it was looked for under (for the missing-keys message). */
  find(part: ModelPart, name: string, ctx: LdmContext): SourceTensor | string;
}

const tensorOf = (st: SafetensorsFile, key: string): SourceTensor => ({
  key,
  shape: st.entries.get(key)!.shape,
  read: () => st.readFloat32(key),
  dtype: st.entries.get(key)!.dtype,
  readRaw: () => st.readRaw(key),
});

/** Rows [k*n/3, (k+1)*n/3) of a fused [3C, ...] in_proj tensor. */
function thirdOf(st: SafetensorsFile, key: string, k: number): SourceTensor {
  const [rows, ...rest] = st.entries.get(key)!.shape as [number, ...number[]];
  const shape = [rows / 3, ...rest];
  const size = numel(shape);
  const e = st.entries.get(key)!;
  const bytes = (e.end - e.begin) / (rows * numel(rest));
  return {
    key: `${key}[${k}/3]`,
    shape,
    read: () => st.readFloat32(key).slice(k * size, (k + 1) * size),
    dtype: e.dtype,
    readRaw: () => st.readRaw(key).subarray(k * size * bytes, (k + 1) * size * bytes),
  };
}

const OPENCLIP_ROOT = 'cond_stage_model.model.';
/** SDXL's single files (Stability's sgm layout): CLIP ViT-L as transformers names it, OpenCLIP bigG as SD 2.x's. */
const SGM_CLIP_L = 'conditioner.embedders.0.transformer.';
const SGM_OPENCLIP = 'conditioner.embedders.1.model.';
const OPENCLIP_NAMES: [RegExp, (m: RegExpExecArray) => string][] = [
  [/^text_model\.embeddings\.token_embedding\.weight$/, () => 'token_embedding.weight'],
  [/^text_model\.embeddings\.position_embedding\.weight$/, () => 'positional_embedding'],
  [/^text_model\.final_layer_norm\.(weight|bias)$/, (m) => `ln_final.${m[1]}`],
  [/^text_model\.encoder\.layers\.(\d+)\.layer_norm1\.(.*)$/, (m) => `transformer.resblocks.${m[1]}.ln_1.${m[2]}`],
  [/^text_model\.encoder\.layers\.(\d+)\.layer_norm2\.(.*)$/, (m) => `transformer.resblocks.${m[1]}.ln_2.${m[2]}`],
  [
    /^text_model\.encoder\.layers\.(\d+)\.self_attn\.out_proj\.(.*)$/,
    (m) => `transformer.resblocks.${m[1]}.attn.out_proj.${m[2]}`,
  ],
  [/^text_model\.encoder\.layers\.(\d+)\.mlp\.fc1\.(.*)$/, (m) => `transformer.resblocks.${m[1]}.mlp.c_fc.${m[2]}`],
  [/^text_model\.encoder\.layers\.(\d+)\.mlp\.fc2\.(.*)$/, (m) => `transformer.resblocks.${m[1]}.mlp.c_proj.${m[2]}`],
  [
    /^text_model\.encoder\.layers\.(\d+)\.self_attn\.[qkv]_proj\.(weight|bias)$/,
    (m) => `transformer.resblocks.${m[1]}.attn.in_proj_${m[2]}`,
  ],
];

/**
 * SD 2.x's OpenCLIP text tower (`cond_stage_model.model.*`) key for a
 * parameter named as transformers' CLIPTextModel names it (diffusers' SD 2
 * text encoders); q, k and v are thirds of one fused `in_proj` there.
 */
export function openClipKey(name: string, root = OPENCLIP_ROOT): { key: string; third: number | null } | null {
  for (const [re, to] of OPENCLIP_NAMES) {
    const m = re.exec(name);
    if (!m) continue;
    const qkv = /self_attn\.([qkv])_proj\./.exec(name);
    return { key: root + to(m), third: qkv ? 'qkv'.indexOf(qkv[1]!) : null };
  }
  return null;
}

function openClipTensor(st: SafetensorsFile, name: string, root = OPENCLIP_ROOT): SourceTensor | string {
  const k = openClipKey(name, root);
  if (!k) return `${root}(${name})`;
  if (!st.has(k.key)) return k.key;
  return k.third === null ? tensorOf(st, k.key) : thirdOf(st, k.key, k.third);
}

/** A [rows, cols] tensor read as [cols, rows]: OpenCLIP keeps its text projection as x @ P, a Linear holds P^T. */
function transposedOf(st: SafetensorsFile, key: string): SourceTensor {
  const [rows, cols] = st.entries.get(key)!.shape as [number, number];
  const read = () => {
    const v = st.readFloat32(key);
    const out = new Float32Array(v.length);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = v[r * cols + c]!;
    return out;
  };
  // No raw copy: the bytes are in the other order.
  return { key: `${key}^T`, shape: [cols, rows], read, dtype: 'transposed', readRaw: () => Buffer.alloc(0) };
}

/**
 * Where SDXL's sgm single file keeps a text encoder parameter: the first encoder under its transformers name;
 * the second as OpenCLIP (fused q/k/v, projection transposed), or under its own name for an export whose
 * modules are named its own way.
 */
export function sgmTextKey(part: 'text_encoder' | 'text_encoder_2', name: string) {
  if (part === 'text_encoder') return { key: SGM_CLIP_L + name, third: null, transposed: false };
  if (name === 'text_projection.weight')
    return { key: `${SGM_OPENCLIP}text_projection`, third: null, transposed: true };
  return { ...(openClipKey(name, SGM_OPENCLIP) ?? { key: SGM_OPENCLIP + name, third: null }), transposed: false };
}

function sgmTextTensor(st: SafetensorsFile, part: 'text_encoder' | 'text_encoder_2', name: string) {
  const k = sgmTextKey(part, name);
  if (!st.has(k.key)) return k.key;
  if (k.transposed) return transposedOf(st, k.key);
  return k.third === null ? tensorOf(st, k.key) : thirdOf(st, k.key, k.third);
}

/** A CompVis / ldm single-file checkpoint (SD 1.x, SD 2.x), or a VAE file with or without `first_stage_model.`. */
export function ldmSource(st: SafetensorsFile): WeightSource {
  const family = checkpointFamily(st);
  const convIn = st.entries.get('model.diffusion_model.input_blocks.0.0.weight');
  return {
    family,
    inpainting: convIn?.shape[1] === 9,
    find(part, name, ctx) {
      if (part === 'text_encoder' && family === 'sd2') return openClipTensor(st, name);
      if (family === 'sdxl' && (part === 'text_encoder' || part === 'text_encoder_2'))
        return sgmTextTensor(st, part, name);
      const key = ldmKey(part, name, ctx);
      if (key === null) return `${part}:${name}`;
      if (st.has(key)) return tensorOf(st, key);
      const alt = key.startsWith('first_stage_model.') ? key.slice('first_stage_model.'.length) : null;
      return alt && st.has(alt) ? tensorOf(st, alt) : key;
    },
  };
}

/** diffusers' older VAE attention names, as many shared VAE folders still carry them. */
const OLD_VAE_ATTENTION: [RegExp, string][] = [
  [/\.to_q\./, '.query.'],
  [/\.to_k\./, '.key.'],
  [/\.to_v\./, '.value.'],
  [/\.to_out\.0\./, '.proj_attn.'],
];

/**
 * A diffusers folder whose parts hold `*.safetensors` (`unet/diffusion_pytorch_model.safetensors`,
 * `text_encoder/model.safetensors`, `vae/...`; `.fp16` variants too): the names are the template's own.
 */
export function diffusersSource(dir: string): WeightSource {
  const open = (sub: string) => {
    const d = path.join(dir, sub);
    if (!fs.existsSync(d)) return null;
    const files = fs.readdirSync(d).filter((f) => f.endsWith('.safetensors'));
    const pick = files.find((f) => !f.includes('.fp16.')) ?? files[0];
    return pick ? SafetensorsFile.open(path.join(d, pick)) : null;
  };
  const folders: Record<ModelPart, SafetensorsFile | null> = {
    unet: open('unet'),
    text_encoder: open('text_encoder'),
    text_encoder_2: open('text_encoder_2'),
    vae_encoder: null,
    vae_decoder: null,
  };
  folders.vae_encoder = folders.vae_decoder = open('vae');
  if (!folders.unet)
    throw new WeightFileError(`${path.basename(dir)}: not a diffusers model folder (no unet/*.safetensors)`);
  const ctxWidth = folders.text_encoder?.entries.get('text_model.embeddings.token_embedding.weight')?.shape[1];
  return {
    family: ctxWidth === 1024 ? 'sd2' : ctxWidth === 768 || ctxWidth === undefined ? 'sd1' : 'custom',
    inpainting: folders.unet.entries.get('conv_in.weight')?.shape[1] === 9,
    find(part, name) {
      const st = folders[part];
      const where = `${part === 'vae_encoder' || part === 'vae_decoder' ? 'vae' : part}/${name}`;
      if (!st) return where;
      if (st.has(name)) return tensorOf(st, name);
      const old = OLD_VAE_ATTENTION.reduce((n, [re, to]) => n.replace(re, to), name);
      return st.has(old) ? tensorOf(st, old) : where;
    },
  };
}

/**
 * New values for every parameter of `parts` from the source; the names of
 * those the source lacks. Shapes are checked (size-1 dims aside).
 */
export function checkpointChanges(
  source: WeightSource,
  parts: IndexedPart[],
): { changes: Map<IndexedPart, Map<string, ParamChange>>; missing: string[] } {
  const ctx = ldmContextOf(parts);
  const changes = new Map<IndexedPart, Map<string, ParamChange>>();
  const missing: string[] = [];
  for (const part of parts) {
    const out = new Map<string, ParamChange>();
    for (const [name, param] of part.params) {
      const found = source.find(part.part, name, ctx);
      if (typeof found === 'string') {
        missing.push(found);
        continue;
      }
      const want = torchDims(param);
      if (numel(found.shape) !== numel(want) || core(found.shape) !== core(want)) {
        throw new WeightFileError(
          `${found.key} has shape [${found.shape.join(', ')}], the model needs [${want.join(', ')}] (a checkpoint of another size or family?)`,
        );
      }
      out.set(name, { values: found.read, dims: param.dims, ...rawCopy(part, param, found) });
    }
    changes.set(part, out);
  }
  return { changes, missing };
}

const STORED_DTYPE: Record<string, number> = { F32: ONNX_FLOAT, F16: ONNX_FLOAT16 };

/**
 * When the file holds a weight in the precision the model stores it in, its
 * bytes are copied (transposed for a Linear held by MatMul) with no float
 * conversion: most of a same-precision conversion's work.
 */
function rawCopy(part: IndexedPart, param: Param, found: SourceTensor): Pick<ParamChange, 'stored'> {
  const t = part.index.initializers.get(param.sites[0]!.initializer)!;
  const layouts = new Set(param.sites.map((s) => s.layout));
  if (STORED_DTYPE[found.dtype] !== t.dataType || layouts.size !== 1) return {};
  const transposed = layouts.has('transposed');
  return {
    stored: async () => {
      const raw = found.readRaw();
      if (!transposed) return { bytes: raw, dataType: t.dataType };
      const [rows, cols] = torchDims(param) as [number, number];
      return { bytes: transposeBytes(raw, rows, cols, t.dataType === ONNX_FLOAT16 ? 2 : 4), dataType: t.dataType };
    },
  };
}

/** A [rows, cols] matrix of `size`-byte elements as [cols, rows]. */
function transposeBytes(raw: Buffer, rows: number, cols: number, size: number): Buffer {
  const out = Buffer.alloc(raw.length);
  if (size === 2) {
    const from = new Uint16Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
    const to = new Uint16Array(out.buffer, out.byteOffset, from.length);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) to[c * rows + r] = from[r * cols + c]!;
  } else {
    const from = new Uint32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
    const to = new Uint32Array(out.buffer, out.byteOffset, from.length);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) to[c * rows + r] = from[r * cols + c]!;
  }
  return out;
}

/** A checkpoint file or diffusers folder as a weight source; what cannot be converted says why. */
export function openCheckpoint(fileOrDir: string): WeightSource {
  const what = path.basename(fileOrDir);
  if (fs.existsSync(fileOrDir) && fs.statSync(fileOrDir).isDirectory()) return diffusersSource(fileOrDir);
  if (/\.(ckpt|pt|pth|bin)$/i.test(fileOrDir))
    throw new WeightFileError(
      `${what}: pickled checkpoints are not read (they can run code); use its .safetensors version`,
    );
  const source = ldmSource(SafetensorsFile.open(fileOrDir));
  if (source.family === 'vae')
    throw new WeightFileError(`${what} is a VAE, not a whole model: put it in the models folder's vae/`);
  if (source.family === 'unknown')
    throw new WeightFileError(`${what} is not a Stable Diffusion checkpoint in the single-file layout`);
  return source;
}

/**
 * The model families (as the models registry names them) a checkpoint family
 * converts onto; a `custom` checkpoint fits a custom model only if every weight matches ({@link fitsTemplate}).
 */
export const TEMPLATE_FAMILIES: Record<string, readonly string[]> = {
  sd1: ['sd1'],
  sd2: ['sd2', 'sd2-v'],
  sdxl: ['sdxl'],
  custom: ['custom'],
};

/** Whether every weight of the template finds a value of the right shape in the source. */
export function fitsTemplate(source: WeightSource, templateDir: string): boolean {
  try {
    const parts = MODEL_PARTS.map((p) => indexPart(templateDir, p)).filter((p): p is IndexedPart => p !== null);
    return parts.length > 0 && checkpointChanges(source, parts).missing.length === 0;
  } catch {
    return false;
  }
}

function copyTree(from: string, to: string, skip: (rel: string) => boolean, rel = ''): void {
  for (const e of fs.readdirSync(path.join(from, rel), { withFileTypes: true })) {
    const r = path.join(rel, e.name);
    if (skip(r)) continue;
    if (e.isDirectory()) {
      fs.mkdirSync(path.join(to, r), { recursive: true });
      copyTree(from, to, skip, r);
    } else fs.copyFileSync(path.join(from, r), path.join(to, r));
  }
}

export interface ConvertProgress {
  part: string;
  done: number;
  total: number;
}

/** Where a converted model came from, kept in its folder: A1111's model hash is the checkpoint file's sha256. */
export const CHECKPOINT_RECORD = 'checkpoint.json';

export interface ConvertOptions {
  onProgress?: (p: ConvertProgress) => void;
  /** Checked between tensors; a cancelled conversion throws CANCELLED and leaves nothing behind. */
  signal?: { aborted: boolean };
  /** The checkpoint file's sha256 (hex), recorded so the model's hash is the one A1111 shows for the file. */
  sha256?: string;
}

/** Where a conversion writes before the rename: hidden, so a models folder never lists a half-written model. */
export const partialDirOf = (outDir: string) => path.join(path.dirname(outDir), `.${path.basename(outDir)}.partial`);

/** A file's sha256 (hex). */
export const fileSha256 = (file: string) => sha256From(file, 0);

/**
 * Writes `outDir`: the template's folder with every weight taken from the
 * checkpoint (a single file or a diffusers folder). `signal` is checked
 * between tensors; a cancelled or failed conversion leaves nothing behind.
 */
export async function convertCheckpoint(
  file: string,
  templateDir: string,
  outDir: string,
  { onProgress, signal, sha256 }: ConvertOptions = {},
): Promise<{ family: CheckpointFamily; parameters: number }> {
  const source = openCheckpoint(file);
  if (fs.existsSync(outDir)) throw new WeightFileError(`${outDir} already exists`);
  const parts = MODEL_PARTS.map((p) => indexPart(templateDir, p)).filter((p): p is IndexedPart => p !== null);
  if (!parts.some((p) => p.part === 'unet'))
    throw new WeightFileError(`${templateDir} is not a model folder (no unet/model.onnx)`);
  const { changes, missing } = checkpointChanges(source, parts);
  if (missing.length) {
    throw new WeightFileError(
      `${path.basename(file)} lacks ${missing.length} weight(s) the model needs: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}`,
    );
  }
  const partial = partialDirOf(outDir);
  fs.rmSync(partial, { recursive: true, force: true });
  fs.mkdirSync(partial, { recursive: true });
  const total = parts.reduce((n, p) => n + changes.get(p)!.size, 0);
  let done = 0;
  try {
    // Everything but the parts' graphs and weights, which are written below: the parts' config.json files say
    // the VAE's scaling factor and the UNet's size and layout (SDXL's VAE scale is not SD 1.x's default).
    copyTree(templateDir, partial, (rel) => {
      const [top, file] = rel.split(path.sep);
      return MODEL_PARTS.some((p) => p === top) && file !== undefined && /\.onnx(_data)?$|^weights\.pb$/.test(file);
    });
    for (const part of parts) {
      /** Each weight as the writer reaches it: progress, and the place a cancel takes effect. */
      const tick = () => {
        if (signal?.aborted) throw new StudioError('CANCELLED', 'Conversion cancelled');
        onProgress?.({ part: part.part, done: done++, total });
      };
      const counted = new Map<string, ParamChange>(
        [...changes.get(part)!].map(([name, change]) => [
          name,
          {
            ...change,
            values: () => {
              tick();
              return change.values();
            },
            ...(change.stored
              ? {
                  stored: () => {
                    tick();
                    return change.stored!();
                  },
                }
              : {}),
          },
        ]),
      );
      await writePatchedOnnx(part.index, part.params, counted, path.join(partial, part.part, 'model.onnx'));
    }
    if (sha256) {
      const record = { file: path.basename(file), sha256, family: source.family, template: path.basename(templateDir) };
      fs.writeFileSync(path.join(partial, CHECKPOINT_RECORD), `${JSON.stringify(record, null, 2)}\n`);
    }
    onProgress?.({ part: 'done', done: total, total });
    fs.renameSync(partial, outDir);
  } catch (err) {
    fs.rmSync(partial, { recursive: true, force: true });
    throw err;
  }
  return { family: source.family, parameters: total };
}
