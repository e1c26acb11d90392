/**
 * A model with LoRAs merged and textual-inversion embeddings added, as a
 * folder ONNX Runtime can load: the changed parts are patched copies, every
 * other entry links back to the base model. Variants are cached by their
 * inputs, so the same LoRA at the same weight is merged once.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { checkpointChanges, ldmSource } from './checkpoint.js';
import { WeightFileError } from './errors.js';
import { planInversions, readInversion } from './inversion.js';
import { type LoraUse, mergeLoras } from './lora.js';
import { type IndexedPart, indexPart } from './model-parts.js';
import { type ParamChange, writePatchedOnnx } from './patch-writer.js';
import { SafetensorsFile } from './safetensors.js';
import { ClipTokenizer } from '../tokenizer/clip-tokenizer.js';

export interface ModelAdditions {
  loras: LoraUse[];
  /** Textual-inversion embedding files. */
  embeddings: string[];
  /** A replacement VAE (ldm keys, with or without `first_stage_model.`). */
  vae?: string;
}

export interface ModelVariant {
  dir: string;
  /** Each embedding's trigger word and the token ids its vectors got. */
  inversions: { name: string; ids: number[] }[];
  /** LoRA keys that matched nothing, by file, for the job's warnings. */
  warnings: string[];
  /** SDXL with embeddings: the id EOS moves to in both tokenizers (ClipTokenizer.moveEos). */
  eosId: number | null;
}

export const hasAdditions = (a: ModelAdditions | undefined): a is ModelAdditions =>
  !!a && (a.loras.length > 0 || a.embeddings.length > 0 || !!a.vae);

/** A key for the variant: the base folder, its weights' sizes and times, and every addition's file and weight. */
function variantKey(baseDir: string, additions: ModelAdditions): string {
  const stamp = (f: string) => {
    const st = fs.statSync(f);
    return `${path.resolve(f)}:${st.size}:${st.mtimeMs}`;
  };
  const parts = ['unet', 'text_encoder', 'text_encoder_2', 'vae_decoder', 'vae_encoder']
    .map((p) => path.join(baseDir, p, 'model.onnx'))
    .filter((f) => fs.existsSync(f));
  const text = JSON.stringify({
    // The variant's layout: 2 since SDXL embeddings move EOS past their rows.
    layout: 2,
    base: parts.map(stamp),
    loras: additions.loras.map((l) => [stamp(l.file), l.weight]),
    embeddings: additions.embeddings.map(stamp),
    vae: additions.vae ? stamp(additions.vae) : null,
  });
  return crypto.createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** Variants kept beside the newest: a merged SD 1.5 UNet is gigabytes, and each LoRA weight tried makes one. */
const KEEP_VARIANTS = 2;

/** Removes all but the newest variants (by use); the one just made or used is always kept. */
function pruneVariants(cacheRoot: string, keep: string): void {
  const dirs = fs
    .readdirSync(cacheRoot, { withFileTypes: true })
    .filter((e) => e.isDirectory() && /^[0-9a-f]{16}$/.test(e.name) && path.join(cacheRoot, e.name) !== keep)
    .map((e) => {
      const dir = path.join(cacheRoot, e.name);
      return { dir, used: fs.statSync(path.join(dir, '.complete'), { throwIfNoEntry: false })?.mtimeMs ?? 0 };
    })
    .sort((a, b) => b.used - a.used);
  for (const old of dirs.slice(KEEP_VARIANTS - 1)) {
    try {
      fs.rmSync(old.dir, { recursive: true, force: true });
    } catch {
      // In use by another process (Windows keeps open files): it goes next time.
    }
  }
}

export async function prepareModelVariant(
  baseDir: string,
  additions: ModelAdditions,
  cacheRoot: string,
): Promise<ModelVariant> {
  const warnings: string[] = [];
  const dir = path.join(cacheRoot, variantKey(baseDir, additions));
  const te = indexPart(baseDir, 'text_encoder');
  const te2 = indexPart(baseDir, 'text_encoder_2');
  const unet = indexPart(baseDir, 'unet');
  const parts = [te, te2, unet].filter((p): p is IndexedPart => p !== null);
  const merge = mergeLoras(parts, additions.loras);
  for (const u of merge.unmatched) {
    warnings.push(
      `${path.basename(u.file)}: ${u.keys.length} key(s) matched nothing in this model: ${u.keys.slice(0, 5).join(', ')}${u.keys.length > 5 ? ', ...' : ''}`,
    );
  }
  const changes = merge.changes;
  let inversions: ModelVariant['inversions'] = [];
  let eosId: number | null = null;
  if (additions.embeddings.length) {
    if (!te) throw new Error('this model has no text encoder to add embeddings to');
    const read = additions.embeddings.map(readInversion);
    for (const inv of read) {
      if (te2 && !inv.second)
        throw new WeightFileError(
          `embedding ${inv.name} is for a model with one text encoder (SD 1.x or 2.x); this SDXL model needs an SDXL embedding (clip_l and clip_g)`,
        );
      if (!te2 && inv.second)
        throw new WeightFileError(
          `embedding ${inv.name} is an SDXL embedding (clip_l and clip_g); this model has one text encoder (an embedding for another model family?)`,
        );
    }
    const tableChanged = (part: IndexedPart, plan: ReturnType<typeof planInversions>) => {
      const partChanges = changes.get(part) ?? new Map<string, ParamChange>();
      partChanges.set(plan.change.name, plan.change.change);
      changes.set(part, partChanges);
    };
    // SDXL reads its pooled text where ArgMax(input_ids) is: EOS must stay the largest id, so it moves past the new rows.
    const eosRow = te2 ? ClipTokenizer.fromFolder(path.join(baseDir, 'tokenizer')).eosId : undefined;
    const plan = planInversions(te, read, eosRow);
    tableChanged(te, plan);
    eosId = plan.eosId;
    if (te2) {
      // Both tokenizers hand the same ids to their encoders: the new rows must get the same ids in both tables.
      const plan2 = planInversions(
        te2,
        read.map((inv) => inv.second!),
        eosRow,
      );
      if (JSON.stringify([plan2.ids, plan2.eosId]) !== JSON.stringify([plan.ids, plan.eosId]))
        throw new WeightFileError("this model's two text encoders have token tables of different sizes");
      tableChanged(te2, plan2);
    }
    inversions = plan.ids;
  }
  if (additions.vae) {
    const vaeParts = (['vae_decoder', 'vae_encoder'] as const)
      .map((p) => indexPart(baseDir, p))
      .filter((p): p is IndexedPart => p !== null);
    const vae = checkpointChanges(ldmSource(SafetensorsFile.open(additions.vae)), vaeParts);
    if (vae.missing.length) {
      throw new WeightFileError(
        `${path.basename(additions.vae)} is not a VAE for this model: it lacks ${vae.missing.slice(0, 3).join(', ')}${vae.missing.length > 3 ? ', ...' : ''}`,
      );
    }
    for (const [part, partChanges] of vae.changes) {
      parts.push(part);
      changes.set(part, partChanges);
    }
  }
  const done = path.join(dir, '.complete');
  if (!fs.existsSync(done)) {
    const partial = `${dir}.partial-${process.pid}`;
    fs.rmSync(partial, { recursive: true, force: true });
    fs.mkdirSync(partial, { recursive: true });
    try {
      for (const entry of fs.readdirSync(baseDir)) {
        const part = parts.find((p) => p.part === entry && changes.has(p));
        if (part)
          // A cache: a variant lost to a crash is merged again, so it is not flushed to disk.
          await writePatchedOnnx(part.index, part.params, changes.get(part)!, path.join(partial, entry, 'model.onnx'), {
            durable: false,
            referenceBase: true,
          });
        else fs.symlinkSync(path.resolve(baseDir, entry), path.join(partial, entry));
      }
      fs.writeFileSync(path.join(partial, '.complete'), '');
      fs.rmSync(dir, { recursive: true, force: true });
      fs.renameSync(partial, dir);
    } catch (err) {
      fs.rmSync(partial, { recursive: true, force: true });
      throw err;
    }
  } else {
    // Marks the variant as just used, for pruning.
    const now = new Date();
    fs.utimesSync(done, now, now);
  }
  pruneVariants(cacheRoot, dir);
  return { dir, inversions, warnings, eosId };
}
