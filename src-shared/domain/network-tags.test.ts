import { describe, expect, it } from 'vitest';
import { hypernetTags, loraTags, withoutNetworkTags } from './network-tags.js';

describe('extra-network tags', () => {
  it('reads <lora:NAME:WEIGHT> as A1111 writes it, weight 1 when left out, the last of a repeated name', () => {
    expect(loraTags('a cat <lora:detail:0.8>, <lyco:style> <lora:detail:-0.5:1> <hypernet:old:1>')).toEqual([
      { name: 'detail', weight: -0.5 },
      { name: 'style', weight: 1 },
    ]);
  });
  it('removes every tag from the text the tokenizer sees', () => {
    expect(withoutNetworkTags('a cat <lora:detail:0.8>, sitting<hypernet:x:1>')).toBe('a cat , sitting');
  });
  it('names the hypernetworks a prompt asks for (not supported: the job warns that they were left out)', () => {
    expect(hypernetTags('a cat <lora:detail:0.8> <hypernet:old:1> <Hypernet:anime>')).toEqual(['old', 'anime']);
  });
});
