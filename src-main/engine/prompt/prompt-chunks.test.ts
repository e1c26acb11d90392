import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ClipTokenizer } from '../tokenizer/clip-tokenizer.js';
import { TINY_SD } from '../../test-support/fixtures.js';
import { applyEmphasis, chunkPrompt } from './prompt-chunks.js';

describe('chunkPrompt with the CLIP vocabulary', () => {
  const tok = ClipTokenizer.fromFolder(path.join(TINY_SD, 'tokenizer'));

  it('a short prompt is one chunk equal to the padded-77 encoding', () => {
    const { chunks, tokenCount } = chunkPrompt(tok, 'a red circle on a blue background');
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.tokens).toEqual(tok.encodePadded('a red circle on a blue background'));
    expect(tokenCount).toBe(7);
  });
  it('weights follow their words; specials weigh 1', () => {
    const { chunks } = chunkPrompt(tok, 'a (red:1.5) circle');
    expect(chunks[0]!.weights.slice(0, 5)).toEqual([1, 1, 1.5, 1, 1]);
  });
  it('long prompts split into 75-token chunks, each wrapped in BOS/EOS', () => {
    const prompt = Array.from({ length: 100 }, (_, _i) => `cat`).join(' ');
    const { chunks, tokenCount } = chunkPrompt(tok, prompt);
    expect(chunks).toHaveLength(2);
    expect(tokenCount).toBe(100);
    for (const c of chunks) {
      expect(c.tokens).toHaveLength(77);
      expect(c.tokens[0]).toBe(tok.bosId);
      expect(c.tokens[76]).toBe(tok.eosId);
    }
  });
  it('a full chunk moves the words after a recent comma to the next chunk', () => {
    const words = Array.from({ length: 70 }, () => 'cat').join(' ');
    const { chunks } = chunkPrompt(tok, `${words}, dog dog dog dog dog dog dog dog`);
    // 70 cats + comma fill 71; the dogs after the comma move together into chunk 2.
    expect(chunks).toHaveLength(2);
    const dog = tok.encodeText('dog')[0];
    expect(chunks[0]!.tokens.filter((t) => t === dog)).toHaveLength(0);
    expect(chunks[1]!.tokens.filter((t) => t === dog)).toHaveLength(8);
  });
  it('BREAK starts a new chunk', () => {
    expect(chunkPrompt(tok, 'a cat BREAK a dog').chunks).toHaveLength(2);
  });
});

describe('applyEmphasis', () => {
  it('scales weighted tokens and restores the mean', () => {
    const hidden = Float32Array.from([1, 2, 3, 4]);
    const out = applyEmphasis(hidden, [1, 2], 2);
    const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(mean(out)).toBeCloseTo(mean(hidden), 5);
    expect(out[2]! / out[0]!).toBeCloseTo(6, 5);
  });
  it('leaves unweighted chunks untouched', () => {
    const hidden = Float32Array.from([1, 2]);
    expect(applyEmphasis(hidden, [1], 2)).toBe(hidden);
  });
});
