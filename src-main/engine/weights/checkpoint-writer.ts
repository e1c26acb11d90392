/**
 * A model folder's weights written out as a checkpoint in one of the layouts
 * the converter reads: the ldm single file (SD 1.x names, or SD 2.x's
 * OpenCLIP text tower with fused q/k/v) or a diffusers folder of
 * safetensors. For benchmarks and tests: a real-sized checkpoint of known
 * contents, streamed tensor by tensor.
 */
import fs from 'node:fs';
import path from 'node:path';
import { concatFloat32 } from '../float32.js';
import { ldmContextOf, openClipKey, sgmTextKey } from './checkpoint.js';
import { ldmKey } from './ldm-names.js';
import { type IndexedPart, indexPart, MODEL_PARTS, paramValues, torchDims } from './model-parts.js';
import { type TensorToWrite, writeSafetensorsStreamed } from './safetensors.js';

/** `sgm`: SDXL's single file (Stability's layout, as CivitAI's SDXL checkpoints come). */
export type CheckpointLayout = 'ldm' | 'ldm-openclip' | 'sgm' | 'diffusers';

export interface CheckpointWriteOptions {
  layout: CheckpointLayout;
  dtype: 'F32' | 'F16';
  /** Changes each value before it is written (tests: a checkpoint that differs from its template). */
  transform?: (key: string, values: Float32Array) => Float32Array;
}

function indexedParts(modelDir: string): IndexedPart[] {
  return MODEL_PARTS.map((p) => indexPart(modelDir, p)).filter((p): p is IndexedPart => p !== null);
}

/** Writes `out` (a file, or a folder for the diffusers layout). */
export function writeCheckpoint(modelDir: string, out: string, opts: CheckpointWriteOptions): { tensors: number } {
  const parts = indexedParts(modelDir);
  const ctx = ldmContextOf(parts);
  const apply = (key: string, read: () => Float32Array) => () =>
    opts.transform ? opts.transform(key, read()) : read();
  const files = new Map<string, TensorToWrite[]>();
  const add = (file: string, t: TensorToWrite) => {
    const list = files.get(file) ?? [];
    if (!list.some((x) => x.name === t.name)) list.push(t);
    files.set(file, list);
  };
  /** An OpenCLIP tensor: as it is, or q, k and v fused into one in_proj (written when q is reached). */
  const addOpenClip = (part: IndexedPart, name: string, k: { key: string; third: number | null }) => {
    const shape = torchDims(part.params.get(name)!);
    if (k.third === null) add('', { name: k.key, shape, values: apply(k.key, () => paramValues(part, name)) });
    else if (k.third === 0) {
      const names = ['q', 'k', 'v'].map((x) => name.replace(/\.q_proj\./, `.${x}_proj.`));
      add('', {
        name: k.key,
        shape: [shape[0]! * 3, ...shape.slice(1)],
        values: apply(k.key, () => concatFloat32(names.map((n) => paramValues(part, n)))),
      });
    }
  };
  for (const part of parts) {
    for (const [name, param] of part.params) {
      const read = () => paramValues(part, name);
      const shape = torchDims(param);
      if (opts.layout === 'diffusers') {
        const folder = part.part.startsWith('vae') ? 'vae' : part.part;
        const file = part.part.startsWith('text_encoder') ? 'model.safetensors' : 'diffusion_pytorch_model.safetensors';
        add(path.join(folder, file), { name, shape, values: apply(name, read) });
        continue;
      }
      if (opts.layout === 'sgm' && (part.part === 'text_encoder' || part.part === 'text_encoder_2')) {
        const k = sgmTextKey(part.part, name);
        if (k.transposed) {
          const [rows, cols] = shape as [number, number];
          const t = () => {
            const v = read();
            const out = new Float32Array(v.length);
            for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = v[r * cols + c]!;
            return out;
          };
          add('', { name: k.key, shape: [cols, rows], values: apply(k.key, t) });
        } else addOpenClip(part, name, k);
        continue;
      }
      if (part.part === 'text_encoder' && opts.layout === 'ldm-openclip') {
        const k = openClipKey(name);
        if (k) addOpenClip(part, name, k);
        continue;
      }
      const key = ldmKey(part.part, name, ctx);
      if (key) add('', { name: key, shape, values: apply(key, read) });
    }
  }
  let tensors = 0;
  for (const [rel, list] of files) {
    const file = rel ? path.join(out, rel) : out;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    writeSafetensorsStreamed(file, list, opts.dtype);
    tensors += list.length;
  }
  return { tensors };
}
