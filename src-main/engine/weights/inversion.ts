/**
 * Textual-inversion embeddings (AUTOMATIC1111's `.safetensors` with
 * `emb_params` [n, hidden], and its `.pt` files, read without running their
 * pickles): the vectors become new rows of the text encoder's token-embedding
 * table, and the prompt's tokens that spell the trigger word (the file's
 * stem) are replaced by the new rows' ids, one position per vector. SDXL's
 * files hold one set per text encoder (`clip_l` for CLIP ViT-L, `clip_g`
 * for OpenCLIP bigG), added to each encoder's table at the same ids.
 */
import { WeightFileError } from './errors.js';
import path from 'node:path';
import { type IndexedPart, paramValues } from './model-parts.js';
import type { ParamChange } from './patch-writer.js';
import { SafetensorsFile } from './safetensors.js';
import { PickledTensor, readTorchFile } from './torch-pickle.js';

export interface Inversion {
  /** The trigger word: the file's stem. */
  name: string;
  vectors: Float32Array;
  count: number;
  hidden: number;
  /** SDXL: the vectors for the second text encoder (`clip_g`); the ones above are `clip_l`'s. */
  second?: Inversion;
}

/** The tensor A1111's embedding files keep their vectors in (a file of one tensor is read as that). */
const VECTOR_KEYS = ['emb_params'];
const EMBEDDING_FILE = /\.(safetensors|pt|bin)$/i;

/** The trigger word of an embedding file: its name without the extension. */
export const embeddingName = (file: string) => path.basename(file).replace(EMBEDDING_FILE, '');

function inversionOf(file: string, vectors: Float32Array, shape: readonly number[]): Inversion {
  const [count, hidden] =
    shape.length === 2 ? (shape as [number, number]) : shape.length === 1 ? [1, shape[0]!] : [0, 0];
  if (!count || !hidden)
    throw new WeightFileError(
      `${path.basename(file)}: embedding vectors of shape [${shape.join(', ')}] are not [n, width]`,
    );
  return { name: embeddingName(file), vectors, count, hidden };
}

function readSafetensorsInversion(file: string): Inversion {
  const st = SafetensorsFile.open(file);
  if (st.has('clip_l') && st.has('clip_g')) {
    const l = inversionOf(file, st.readFloat32('clip_l'), st.entries.get('clip_l')!.shape);
    const g = inversionOf(file, st.readFloat32('clip_g'), st.entries.get('clip_g')!.shape);
    if (l.count !== g.count)
      throw new WeightFileError(
        `${path.basename(file)}: clip_l has ${l.count} vectors and clip_g ${g.count}; an SDXL embedding has as many of each`,
      );
    return { ...l, second: g };
  }
  const key =
    VECTOR_KEYS.map((k) => (st.has(k) ? k : null)).find(Boolean) ??
    (st.entries.size === 1 ? [...st.entries.keys()][0]! : null);
  if (!key) throw new WeightFileError(`${path.basename(file)}: no embedding vectors (emb_params) in this file`);
  return inversionOf(file, st.readFloat32(key), st.entries.get(key)!.shape);
}

/**
 * A1111's `.pt` layouts: its own (`string_to_param: {'*': tensor}`), the
 * safetensors-like `emb_params`, and the diffusers concept file (`{token: tensor}`).
 */
function readTorchInversion(file: string): Inversion {
  const pt = readTorchFile(file);
  const root = pt.root instanceof Map ? pt.root : null;
  const only = (m: unknown) => (m instanceof Map && m.size === 1 ? [...m.values()][0] : undefined);
  const tensor =
    only(root?.get('string_to_param')) ?? root?.get('emb_params') ?? (root && root.size === 1 ? only(root) : undefined);
  if (!(tensor instanceof PickledTensor))
    throw new WeightFileError(
      `${path.basename(file)}: no embedding vectors (string_to_param or emb_params) in this file`,
    );
  return inversionOf(file, pt.readFloat32(tensor), tensor.shape);
}

export function readInversion(file: string): Inversion {
  if (/\.safetensors$/i.test(file)) return readSafetensorsInversion(file);
  if (/\.(pt|bin)$/i.test(file)) return readTorchInversion(file);
  throw new WeightFileError(`${path.basename(file)}: embeddings are read from .safetensors, .pt or .bin files`);
}

/** Follows a value back through shape-only ops (Cast, Reshape, ...) to where it comes from. */
function sourceOf(te: IndexedPart, value: string): string {
  const producer = new Map(te.index.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  let v = value;
  for (let i = 0; i < 8; i++) {
    const n = producer.get(v);
    if (!n || !['Cast', 'Reshape', 'Unsqueeze', 'Squeeze', 'Flatten', 'Identity'].includes(n.opType)) return v;
    v = n.inputs[0]!;
  }
  return v;
}

/**
 * The token-embedding table: the initializer the Gather on `input_ids` reads.
 * Found from the graph itself, so text encoders with names of their own (the
 * embedded model's) work as well as CLIP exports.
 */
export function tokenEmbeddingParam(te: IndexedPart): string {
  for (const node of te.index.nodes) {
    if (node.opType !== 'Gather' || sourceOf(te, node.inputs[1] ?? '') !== 'input_ids') continue;
    const t = te.index.initializers.get(node.inputs[0]!);
    if (t?.dims.length !== 2) continue;
    const mapped = [...te.params.values()].find((p) => p.sites.some((s) => s.node === node && s.slot === 0));
    if (mapped) return mapped.name;
    // A text encoder whose modules are not named as CLIP's: the table is a parameter all the same.
    const name = 'token_embedding.weight';
    te.params.set(name, {
      name,
      dims: t.dims,
      sites: [{ initializer: t.name, value: t.name, node, slot: 0, identity: null, layout: 'plain' }],
    });
    return name;
  }
  throw new WeightFileError('the text encoder has no token-embedding table (no Gather on input_ids) to extend');
}

export interface InversionPlan {
  change: { name: string; change: ParamChange };
  /** Per embedding, its new token ids (one per vector). */
  ids: { name: string; ids: number[] }[];
  /** Where EOS's row was copied (after the embeddings' rows), when asked: the id EOS takes (ClipTokenizer.moveEos). */
  eosId: number | null;
}

/**
 * The grown token-embedding table and the ids each embedding's vectors get;
 * with `eosRow`, that row is copied last as well (see InversionPlan.eosId).
 */
export function planInversions(te: IndexedPart, inversions: readonly Inversion[], eosRow?: number): InversionPlan {
  const name = tokenEmbeddingParam(te);
  const param = te.params.get(name)!;
  const [rows, width] = param.dims as [number, number];
  for (const inv of inversions) {
    if (inv.hidden !== width) {
      throw new WeightFileError(
        `embedding ${inv.name} has vectors of width ${inv.hidden}; this model's text encoder needs ${width} (an embedding for another model family?)`,
      );
    }
  }
  const added = inversions.reduce((n, inv) => n + inv.count, 0) + (eosRow === undefined ? 0 : 1);
  const ids: InversionPlan['ids'] = [];
  let next = rows;
  for (const inv of inversions) {
    ids.push({ name: inv.name, ids: Array.from({ length: inv.count }, (_, k) => next + k) });
    next += inv.count;
  }
  const values = () => {
    const table = new Float32Array((rows + added) * width);
    table.set(paramValues(te, name));
    let at = rows;
    for (const inv of inversions) {
      table.set(inv.vectors, at * width);
      at += inv.count;
    }
    if (eosRow !== undefined) table.copyWithin(at * width, eosRow * width, (eosRow + 1) * width);
    return table;
  };
  return {
    change: { name, change: { values, dims: [rows + added, width] } },
    ids,
    eosId: eosRow === undefined ? null : rows + added - 1,
  };
}
