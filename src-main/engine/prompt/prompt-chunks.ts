/**
 * Long prompts as AUTOMATIC1111 handles them (modules/sd_hijack_clip.py):
 * tokens go into chunks of 75, each wrapped as [BOS] + 75 + [EOS] = 77; a
 * chunk that fills up moves the words after a recent comma (within 20 tokens)
 * to the next chunk; BREAK starts a new chunk. Every token keeps its
 * fragment's weight; specials and padding weigh 1.
 */
import type { ClipTokenizer } from '../tokenizer/clip-tokenizer.js';
import { CHUNK_TOKENS } from '../tokenizer/clip-tokenizer.js';
import { BREAK_MARKER, parsePromptAttention } from './attention-parser.js';
import { withoutNetworkTags } from '../../../src-shared/domain/network-tags.js';

export const COMMA_BACKTRACK = 20;

export interface PromptChunk {
  /** 77 token ids. */
  tokens: number[];
  /** 77 weights. */
  weights: number[];
}

export interface ChunkedPrompt {
  chunks: PromptChunk[];
  /** Tokens the prompt uses (without specials), as A1111's counter shows it. */
  tokenCount: number;
}

export function chunkPrompt(tokenizer: ClipTokenizer, prompt: string): ChunkedPrompt {
  const fragments = parsePromptAttention(withoutNetworkTags(prompt));
  const commaId = tokenizer.encodeText(',')[0];
  const chunks: PromptChunk[] = [];
  let tokens: number[] = [];
  let weights: number[] = [];
  let lastComma = -1;
  let tokenCount = 0;

  const nextChunk = (isLast = false) => {
    tokenCount += isLast ? tokens.length : CHUNK_TOKENS;
    while (tokens.length < CHUNK_TOKENS) {
      tokens.push(tokenizer.eosId);
      weights.push(1);
    }
    const ids = [tokenizer.bosId, ...tokens, tokenizer.eosId];
    // Models whose pad token is not EOS (SD 2.x) pad everything after the first EOS.
    if (tokenizer.padId !== tokenizer.eosId) {
      const firstEos = ids.indexOf(tokenizer.eosId);
      for (let i = firstEos + 1; i < ids.length; i++) ids[i] = tokenizer.padId;
    }
    chunks.push({ tokens: ids, weights: [1, ...weights, 1] });
    tokens = [];
    weights = [];
    lastComma = -1;
  };

  for (const fragment of fragments) {
    if (fragment === BREAK_MARKER) {
      nextChunk();
      continue;
    }
    for (const token of tokenizer.encodeText(fragment.text)) {
      if (token === commaId) {
        lastComma = tokens.length;
      } else if (tokens.length === CHUNK_TOKENS && lastComma !== -1 && tokens.length - lastComma <= COMMA_BACKTRACK) {
        const cut = lastComma + 1;
        const movedTokens = tokens.slice(cut);
        const movedWeights = weights.slice(cut);
        tokens = tokens.slice(0, cut);
        weights = weights.slice(0, cut);
        nextChunk();
        tokens = movedTokens;
        weights = movedWeights;
      }
      if (tokens.length === CHUNK_TOKENS) nextChunk();
      tokens.push(token);
      weights.push(fragment.weight);
    }
  }
  if (tokens.length > 0 || chunks.length === 0) nextChunk(true);
  return { chunks, tokenCount };
}

/** A1111's "Original" emphasis: scale each token's embedding, then restore the chunk's mean. */
export function applyEmphasis(hidden: Float32Array, weights: readonly number[], dim: number): Float32Array {
  if (weights.every((w) => w === 1)) return hidden;
  let before = 0;
  for (const v of hidden) before += v;
  const out = new Float32Array(hidden.length);
  let after = 0;
  for (let t = 0; t < weights.length; t++) {
    const w = weights[t]!;
    for (let d = 0; d < dim; d++) {
      const v = hidden[t * dim + d]! * w;
      out[t * dim + d] = v;
      after += v;
    }
  }
  const k = before / after;
  for (let i = 0; i < out.length; i++) out[i] = out[i]! * k;
  return out;
}
