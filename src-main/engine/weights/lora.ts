/**
 * LoRA files merged into a model's weights: kohya / AUTOMATIC1111 keys
 * (`lora_unet_*`, `lora_te_*` with `lora_down`, `lora_up`, `alpha`; LoCon
 * convs with k x k down and 1x1 up) and diffusers / PEFT keys (`lora_A`,
 * `lora_B`). W' = W + weight * alpha / rank * (up @ down), summed over every
 * LoRA given. Module names come from the model's own parameters, never from
 * splitting keys at underscores (`to_out_0`, `time_emb_proj` are ambiguous).
 * SDXL's kohya files name UNet modules as the original (ldm) UNet does
 * (`lora_unet_input_blocks_4_1_...`) and the two text encoders `lora_te1_` /
 * `lora_te2_`; both spellings of the UNet are looked up, as ComfyUI does.
 */
import { WeightFileError } from './errors.js';
import path from 'node:path';
import { type IndexedPart, paramValues, torchDims } from './model-parts.js';
import type { ParamChange } from './patch-writer.js';
import { SafetensorsFile } from './safetensors.js';
import { addLowRank, type StoredFloat } from './lora-matmul.js';
import { ldmKey, unetLayout } from './ldm-names.js';
import { ONNX_FLOAT, ONNX_FLOAT16, readTensorBytes } from './onnx-graph.js';

export interface LoraUse {
  file: string;
  weight: number;
}

interface LoraModule {
  key: string;
  down: string;
  up: string;
  alpha: string | null;
}

/** The LoRA's modules by their key stem (`lora_unet_..._to_q`, `unet.down_blocks....to_q`). */
function loraModules(st: SafetensorsFile): Map<string, LoraModule> {
  const modules = new Map<string, LoraModule>();
  for (const name of st.entries.keys()) {
    const m = /^(.*)\.(lora_down|lora_A)\.weight$/.exec(name);
    if (!m) continue;
    const stem = m[1]!;
    const upName = m[2] === 'lora_down' ? `${stem}.lora_up.weight` : `${stem}.lora_B.weight`;
    if (!st.has(upName)) continue;
    modules.set(stem, { key: stem, down: name, up: upName, alpha: st.has(`${stem}.alpha`) ? `${stem}.alpha` : null });
  }
  return modules;
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
        `${path.basename(lora.file)}: no LoRA weights in this file (LoHa, LoKr and other kinds are not supported)`,
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
      const downE = st.entries.get(mod.down)!;
      const upE = st.entries.get(mod.up)!;
      const rank = downE.shape[0]!;
      const inner = dims.slice(1).reduce((a, b) => a * b, 1);
      const downInner = downE.shape.slice(1).reduce((a, b) => a * b, 1);
      const upOk = upE.shape[0] === dims[0] && upE.shape[1] === rank && upE.shape.slice(2).every((d) => d === 1);
      if (!upOk || downInner !== inner) {
        throw new WeightFileError(
          `${path.basename(lora.file)}: ${mod.key} has shapes [${downE.shape}] / [${upE.shape}] that do not fit ${hit.param} [${dims}] (a LoRA for another model family?)`,
        );
      }
      const alpha = mod.alpha ? st.readFloat32(mod.alpha)[0]! : rank;
      const scale = lora.weight * (alpha / rank);
      if (scale === 0) continue;
      const perPart = plan.get(hit.part) ?? new Map<string, Contribution[]>();
      plan.set(hit.part, perPart);
      perPart.set(hit.param, [...(perPart.get(hit.param) ?? []), { st, mod, rank, scale }]);
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
  const inner = rest.reduce((a, b) => a * b, 1);
  const rank = contributions.reduce((n, c) => n + c.rank, 0);
  // up [out, R] (scaled) and down [R, inner], stacked along R.
  const up = new Float32Array(outDim * rank);
  const down = new Float32Array(rank * inner);
  let at = 0;
  for (const { st, mod, rank: r, scale } of contributions) {
    const u = st.readFloat32(mod.up);
    for (let o = 0; o < outDim; o++) for (let k = 0; k < r; k++) up[o * rank + at + k] = u[o * r + k]! * scale;
    down.set(st.readFloat32(mod.down), at * inner);
    at += r;
  }
  const w = readTensorBytes(t, part.file);
  const stored = t.dataType as StoredFloat;
  const bytes =
    site.layout === 'transposed'
      ? await addLowRank(w, stored, transpose(down, rank, inner), transpose(up, outDim, rank), inner, outDim, rank)
      : await addLowRank(w, stored, up, down, outDim, inner, rank);
  return { bytes, dataType: t.dataType };
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
  const delta = new Float32Array(base.length);
  for (const { st, mod, rank, scale } of contributions) {
    const down = st.readFloat32(mod.down);
    const up = st.readFloat32(mod.up);
    for (let o = 0; o < outDim; o++)
      for (let r = 0; r < rank; r++) {
        const u = up[o * rank + r]! * scale;
        for (let i = 0; i < inner; i++) delta[o * inner + i]! += u * down[r * inner + i]!;
      }
  }
  for (let i = 0; i < base.length; i++) delta[i]! += base[i]!;
  return delta;
}
