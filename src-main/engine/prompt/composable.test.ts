import { describe, expect, it } from 'vitest';
import { splitAnd } from './composable.js';

describe("A1111's AND", () => {
  it('splits at the word AND and reads a trailing :weight', () => {
    expect(splitAnd('a cat AND a dog :0.5')).toEqual([
      { text: 'a cat', weight: 1 },
      { text: ' a dog', weight: 0.5 },
    ]);
    expect(splitAnd('a cat')).toEqual([{ text: 'a cat', weight: 1 }]);
    // Only the whole word, upper case: "band", "and" stay text; emphasis and LoRA tags are not weights.
    expect(splitAnd('a band and a (red:1.5) hat <lora:x:0.8>')).toHaveLength(1);
    expect(splitAnd('a band and a (red:1.5) hat <lora:x:0.8>')[0]!.weight).toBe(1);
    expect(splitAnd('x:-1 AND y: .5')).toEqual([
      { text: 'x', weight: -1 },
      { text: ' y', weight: 0.5 },
    ]);
  });
});
