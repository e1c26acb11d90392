/**
 * Prompt -> encoder hidden states, A1111 style: each 77-token chunk encoded
 * on its own, emphasis applied per chunk, chunks concatenated. The negative
 * prompt is padded with empty-prompt chunks to the same length, so the pair
 * runs as one UNet batch.
 */
import type { LoadedModel } from '../model/loaded-model.js';
import { applyEmphasis, chunkPrompt, type PromptChunk } from '../prompt/prompt-chunks.js';
import { concatFloat32 } from '../float32.js';

export interface Conditioning {
  /** [chunks * 77, dim], flat. */
  hidden: Float32Array;
  tokens: number;
  dim: number;
}

async function encodeChunks(
  model: LoadedModel,
  chunks: PromptChunk[],
): Promise<{ parts: Float32Array[]; dim: number }> {
  const parts: Float32Array[] = [];
  let dim = 0;
  for (const chunk of chunks) {
    const { hidden, dim: d } = await model.encodeTokens(chunk.tokens);
    dim = d;
    parts.push(applyEmphasis(hidden, chunk.weights, d));
  }
  return { parts, dim };
}

export async function encodePromptPair(
  model: LoadedModel,
  prompt: string,
  negative: string,
): Promise<{ cond: Conditioning; uncond: Conditioning }> {
  const c = chunkPrompt(model.tokenizer, prompt);
  const u = chunkPrompt(model.tokenizer, negative);
  const cond = await encodeChunks(model, c.chunks);
  const uncond = await encodeChunks(model, u.chunks);
  const longest = Math.max(cond.parts.length, uncond.parts.length);
  if (cond.parts.length < longest || uncond.parts.length < longest) {
    const empty = (await encodeChunks(model, chunkPrompt(model.tokenizer, '').chunks)).parts[0]!;
    while (cond.parts.length < longest) cond.parts.push(empty);
    while (uncond.parts.length < longest) uncond.parts.push(empty);
  }
  return {
    cond: { hidden: concatFloat32(cond.parts), tokens: longest * 77, dim: cond.dim },
    uncond: { hidden: concatFloat32(uncond.parts), tokens: longest * 77, dim: uncond.dim },
  };
}
