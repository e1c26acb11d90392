import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TINY_SDXL } from '../../test-support/fixtures.js';
import { ClipTokenizer } from './clip-tokenizer.js';

// A miniature CLIP-format vocabulary: the byte alphabet, a few merges, the specials.
function miniTokenizer(padToken?: string): ClipTokenizer {
  const vocab: Record<string, number> = {};
  let id = 0;
  for (const ch of 'abcdefghijklmnopqrstuvwxyz,!') vocab[ch] = id++;
  for (const ch of 'abcdefghijklmnopqrstuvwxyz,!') vocab[`${ch}</w>`] = id++;
  const merges = ['c a', 'ca t</w>', 'r e', 're d</w>'];
  for (const m of merges) vocab[m.replace(' ', '')] = id++;
  vocab['<|startoftext|>'] = id++;
  vocab['<|endoftext|>'] = id++;
  return new ClipTokenizer({ vocab, merges, padToken });
}

describe('ClipTokenizer', () => {
  const tok = miniTokenizer();
  const v = (s: string) => (tok as unknown as { vocab: Map<string, number> }).vocab.get(s)!;

  it('keeps its word cache within a byte budget, whatever clients send', () => {
    const t = miniTokenizer();
    const cacheOf = (x: ClipTokenizer) => x as unknown as { cache: Map<string, number[]>; cacheBytes: number };
    t.encodeText('x'.repeat(5000)); // one long piece: worked out, not kept
    expect(cacheOf(t).cache.size).toBe(0);
    let word = 0;
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    const unique = () => {
      let n = word++;
      let w = '';
      for (let i = 0; i < 40; i++, n = Math.floor(n / 26)) w += letters[n % 26];
      return w;
    };
    for (let i = 0; i < 200; i++) t.encodeText(Array.from({ length: 500 }, unique).join(' '));
    expect(cacheOf(t).cacheBytes).toBeLessThanOrEqual(8 * 1024 * 1024);
    expect(cacheOf(t).cache.size).toBeLessThan(100_000);
    expect(t.encodeText('cat red')).toEqual([v('cat</w>'), v('red</w>')]);
  });
  it('applies merges by rank and marks word ends', () => {
    expect(tok.encodeText('cat red')).toEqual([v('cat</w>'), v('red</w>')]);
    expect(tok.encodeText('ca')).toEqual([v('c'), v('a</w>')]);
  });
  it('lower-cases, collapses whitespace and splits punctuation', () => {
    expect(tok.encodeText('  CAT,\n\tRed ')).toEqual([v('cat</w>'), v(',</w>'), v('red</w>')]);
  });
  it('pads to 77 with the pad token and truncates to 75 + specials', () => {
    const padded = tok.encodePadded('cat');
    expect(padded).toHaveLength(77);
    expect(padded.slice(0, 3)).toEqual([tok.bosId, v('cat</w>'), tok.eosId]);
    expect(padded[76]).toBe(tok.eosId);
    const long = tok.encodePadded(Array(100).fill('cat').join(' '));
    expect(long).toHaveLength(77);
    expect(long[76]).toBe(tok.eosId);
    expect(miniTokenizer('!').encodePadded('cat')[76]).toBe(v('!'));
  });
});

describe('a fast tokenizer file alone', () => {
  it('reads tokenizer.json (string and pair merges) to the same ids as vocab.json + merges.txt', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-tok-'));
    try {
      const src = path.join(TINY_SDXL, 'tokenizer_2');
      const vocab = JSON.parse(fs.readFileSync(path.join(src, 'vocab.json'), 'utf8')) as Record<string, number>;
      const merges = fs
        .readFileSync(path.join(src, 'merges.txt'), 'utf8')
        .split('\n')
        .filter((l, i) => l.trim() !== '' && !(i === 0 && l.startsWith('#version')));
      const pairs = merges.map((m, i) => (i % 2 ? m.split(' ') : m));
      fs.writeFileSync(
        path.join(dir, 'tokenizer.json'),
        JSON.stringify({ model: { type: 'BPE', vocab, merges: pairs } }),
      );
      fs.copyFileSync(path.join(src, 'special_tokens_map.json'), path.join(dir, 'special_tokens_map.json'));
      const fast = ClipTokenizer.fromFolder(dir);
      const slow = ClipTokenizer.fromFolder(src);
      const text = 'a photograph of an astronaut riding a horse, (highly detailed:1.2), 4k';
      expect(fast.encodeText(text)).toEqual(slow.encodeText(text));
      expect(fast.padId).toBe(slow.padId);
      expect(ClipTokenizer.folderHasTokenizer(dir)).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
