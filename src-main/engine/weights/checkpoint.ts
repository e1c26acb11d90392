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
import { numel } from './onnx-graph.js';
import { type ParamChange, writePatchedOnnx } from './patch-writer.js';
import { SafetensorsFile } from './safetensors.js';

/** The checkpoint's family from its keys: what the file is, before any conversion. */
export function checkpointFamily(st: SafetensorsFile): 'sd1' | 'sd2' | 'sdxl' | 'vae' | 'unknown' {
  const keys = [...st.entries.keys()];
  if (keys.some((k) => k.startsWith('conditioner.embedders.'))) return 'sdxl';
  if (keys.some((k) => k.startsWith('cond_stage_model.model.'))) return 'sd2';
  if (keys.some((k) => k.startsWith('model.diffusion_model.'))) return 'sd1';
  if (keys.some((k) => /^(first_stage_model\.)?(encoder|decoder)\.conv_in\.weight$/.test(k))) return 'vae';
  return 'unknown';
}

function ldmContext(parts: IndexedPart[]): LdmContext {
  const unet = parts.find((p) => p.part === 'unet');
  const vae = parts.find((p) => p.part === 'vae_decoder');
  const upLevels = vae
    ? new Set([...vae.params.keys()].map((n) => /^decoder\.up_blocks\.(\d+)\./.exec(n)?.[1]).filter(Boolean)).size
    : 0;
  return { unet: unetLayout(unet ? unet.params.keys() : []), vaeUpLevels: upLevels };
}

/** Drops size-1 dims so a conv-shaped [C, C, 1, 1] matches a Linear [C, C]. */
const core = (dims: readonly number[]) => dims.filter((d) => d !== 1).join('x');

/**
 * New values for every parameter of `parts` from the file. `optionalPrefix`
 * also accepts keys without their leading part (a VAE file without
 * `first_stage_model.`).
 */
export function checkpointChanges(
  st: SafetensorsFile,
  parts: IndexedPart[],
): { changes: Map<IndexedPart, Map<string, ParamChange>>; missing: string[] } {
  const ctx = ldmContext(parts);
  const changes = new Map<IndexedPart, Map<string, ParamChange>>();
  const missing: string[] = [];
  for (const part of parts) {
    const out = new Map<string, ParamChange>();
    for (const [name, param] of part.params) {
      const key = ldmKey(part.part, name, ctx);
      const alt = key?.startsWith('first_stage_model.') ? key.slice('first_stage_model.'.length) : null;
      const found = key && st.has(key) ? key : alt && st.has(alt) ? alt : null;
      if (!found) {
        missing.push(key ?? `${part.part}:${name}`);
        continue;
      }
      const entry = st.entries.get(found)!;
      const want = torchDims(param);
      if (numel(entry.shape) !== numel(want) || core(entry.shape) !== core(want)) {
        throw new WeightFileError(
          `${found} has shape [${entry.shape.join(', ')}], the model needs [${want.join(', ')}] (a checkpoint of another size or family?)`,
        );
      }
      out.set(name, { values: () => st.readFloat32(found), dims: param.dims });
    }
    changes.set(part, out);
  }
  return { changes, missing };
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

/** Writes `outDir`: the template's folder with every weight taken from the checkpoint. */
export function convertCheckpoint(
  file: string,
  templateDir: string,
  outDir: string,
  onProgress?: (p: ConvertProgress) => void,
): { family: string; parameters: number } {
  const st = SafetensorsFile.open(file);
  const family = checkpointFamily(st);
  if (family === 'sdxl')
    throw new WeightFileError(`${path.basename(file)} is an SDXL checkpoint; SDXL is not supported yet`);
  if (family === 'sd2')
    throw new WeightFileError(
      `${path.basename(file)} is an SD 2.x checkpoint (OpenCLIP); only SD 1.x checkpoints convert so far`,
    );
  if (family !== 'sd1')
    throw new WeightFileError(`${path.basename(file)} is not a Stable Diffusion checkpoint in the single-file layout`);
  if (fs.existsSync(outDir)) throw new WeightFileError(`${outDir} already exists`);
  const parts = MODEL_PARTS.map((p) => indexPart(templateDir, p)).filter((p): p is IndexedPart => p !== null);
  if (!parts.some((p) => p.part === 'unet'))
    throw new WeightFileError(`${templateDir} is not a model folder (no unet/model.onnx)`);
  const { changes, missing } = checkpointChanges(st, parts);
  if (missing.length) {
    throw new WeightFileError(
      `${path.basename(file)} lacks ${missing.length} weight(s) the model needs: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}`,
    );
  }
  const partial = `${outDir}.partial`;
  fs.rmSync(partial, { recursive: true, force: true });
  fs.mkdirSync(partial, { recursive: true });
  try {
    copyTree(templateDir, partial, (rel) => MODEL_PARTS.some((p) => rel === p));
    parts.forEach((part, i) => {
      onProgress?.({ part: part.part, done: i, total: parts.length });
      writePatchedOnnx(part.index, part.params, changes.get(part)!, path.join(partial, part.part, 'model.onnx'));
    });
    onProgress?.({ part: 'done', done: parts.length, total: parts.length });
    fs.renameSync(partial, outDir);
  } catch (err) {
    fs.rmSync(partial, { recursive: true, force: true });
    throw err;
  }
  return { family, parameters: parts.reduce((n, p) => n + p.params.size, 0) };
}
