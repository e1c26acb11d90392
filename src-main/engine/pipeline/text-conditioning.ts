/**
 * Prompt -> encoder hidden states, A1111 style: each 77-token chunk encoded
 * on its own, emphasis applied per chunk, chunks concatenated. The negative
 * prompt is padded with empty-prompt chunks to the same length, so the pair
 * runs as one UNet batch.
 *
 * SDXL encodes every chunk with both encoders (each with its own tokenizer
 * and emphasis, as A1111 wraps them), joins their hidden_states[-2] along
 * the feature axis, and takes the pooled projection of the second encoder
 * from the first chunk. An empty negative prompt is all zeros where the model
 * says force_zeros_for_empty_prompt, as diffusers does.
 */
import type { LoadedModel } from '../model/loaded-model.js';
import { applyEmphasis, chunkPrompt, type PromptChunk } from '../prompt/prompt-chunks.js';
import { concatFloat32 } from '../float32.js';

export interface Conditioning {
  /** [chunks * 77, dim], flat. */
  hidden: Float32Array;
  tokens: number;
  dim: number;
  /** SDXL's pooled text embedding; null for one-encoder models. */
  pooled: Float32Array | null;
}

interface Encoded {
  parts: Float32Array[];
  dim: number;
  pooled: Float32Array | null;
}

/** Joins two [77, a] and [77, b] token matrices into [77, a + b]. */
function joinFeatures(a: Float32Array, da: number, b: Float32Array, db: number): Float32Array {
  const rows = a.length / da;
  const out = new Float32Array(rows * (da + db));
  for (let r = 0; r < rows; r++) {
    out.set(a.subarray(r * da, (r + 1) * da), r * (da + db));
    out.set(b.subarray(r * db, (r + 1) * db), r * (da + db) + da);
  }
  return out;
}

async function encodeChunks(model: LoadedModel, text: string): Promise<Encoded> {
  const first = chunkPrompt(model.tokenizer, text).chunks;
  const second = model.tokenizer2 ? chunkPrompt(model.tokenizer2, text).chunks : null;
  const parts: Float32Array[] = [];
  let dim = 0;
  let pooled: Float32Array | null = null;
  for (const [k, chunk] of first.entries()) {
    const one = await encodeChunk(model, chunk, 1);
    if (!second) {
      parts.push(one.hidden);
      dim = one.dim;
      continue;
    }
    // Both tokenizers share the BPE vocabulary, so they cut the prompt at the same places.
    const two = await encodeChunk(model, second[k] ?? second[second.length - 1]!, 2);
    parts.push(joinFeatures(one.hidden, one.dim, two.hidden, two.dim));
    dim = one.dim + two.dim;
    if (k === 0) pooled = two.pooled;
  }
  return { parts, dim, pooled };
}

async function encodeChunk(model: LoadedModel, chunk: PromptChunk, encoder: 1 | 2) {
  const { hidden, dim, pooled } = await model.encodeTokens(chunk.tokens, encoder);
  return { hidden: applyEmphasis(hidden, chunk.weights, dim), dim, pooled };
}

function zerosLike(e: Encoded): Encoded {
  return {
    parts: e.parts.map((p) => new Float32Array(p.length)),
    dim: e.dim,
    pooled: e.pooled ? new Float32Array(e.pooled.length) : null,
  };
}

export async function encodePromptPair(
  model: LoadedModel,
  prompt: string,
  negative: string,
  opts: { encodeEmptyNegative?: boolean } = {},
): Promise<{ cond: Conditioning; uncond: Conditioning }> {
  const { conds, uncond } = await encodePromptSet(model, [prompt], negative, opts);
  return { cond: conds[0]!, uncond };
}

/**
 * Several positive prompts (composable diffusion's sub-prompts) and the
 * negative, all padded with empty chunks to the longest one's length, so
 * they share one UNet batch.
 */
export async function encodePromptSet(
  model: LoadedModel,
  prompts: readonly string[],
  negative: string,
  opts: { encodeEmptyNegative?: boolean } = {},
): Promise<{ conds: Conditioning[]; uncond: Conditioning }> {
  const conds: Encoded[] = [];
  for (const p of prompts) conds.push(await encodeChunks(model, p));
  const zeroNegative =
    model.description.forceZerosForEmptyPrompt && negative.trim() === '' && !opts.encodeEmptyNegative;
  const uncond = zeroNegative ? zerosLike(conds[0]!) : await encodeChunks(model, negative);
  const all = [...conds, uncond];
  const longest = Math.max(...all.map((e) => e.parts.length));
  if (all.some((e) => e.parts.length < longest)) {
    const empty = (await encodeChunks(model, '')).parts[0]!;
    for (const e of all) while (e.parts.length < longest) e.parts.push(empty);
  }
  const flat = (e: Encoded): Conditioning => ({
    hidden: concatFloat32(e.parts),
    tokens: longest * 77,
    dim: e.dim,
    pooled: e.pooled,
  });
  return { conds: conds.map(flat), uncond: flat(uncond) };
}
