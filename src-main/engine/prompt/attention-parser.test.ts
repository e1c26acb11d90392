import { describe, expect, it } from 'vitest';
import { BREAK_MARKER, parsePromptAttention } from './attention-parser.js';

const round = (frags: { text: string; weight: number }[]) =>
  frags.map((f) => [f.text, Math.round(f.weight * 10000) / 10000]);

describe('parsePromptAttention (A1111 syntax)', () => {
  it('plain text has weight 1', () => {
    expect(round(parsePromptAttention('a red circle'))).toEqual([['a red circle', 1]]);
  });
  it('the A1111 doctest: nesting, explicit weights and square brackets', () => {
    expect(round(parsePromptAttention('a (((house:1.3)) [on] a (hill:0.5), sun, (((sky))).'))).toEqual([
      ['a ', 1],
      ['house', 1.573],
      [' ', 1.1],
      ['on', 1],
      [' a ', 1.1],
      ['hill', 0.55],
      [', sun, ', 1.1],
      ['sky', 1.4641],
      ['.', 1.1],
    ]);
  });
  it('(word) is 1.1, [word] is 1/1.1, (word:1.2) is 1.2', () => {
    expect(round(parsePromptAttention('(a) [b] (c:1.2)'))).toEqual([
      ['a', 1.1],
      [' ', 1],
      ['b', 0.9091],
      [' ', 1],
      ['c', 1.2],
    ]);
  });
  it('unbalanced brackets still apply', () => {
    expect(round(parsePromptAttention('(unbalanced'))).toEqual([['unbalanced', 1.1]]);
    expect(round(parsePromptAttention('[open'))).toEqual([['open', 0.9091]]);
  });
  it('escapes give literal brackets', () => {
    expect(round(parsePromptAttention('\\(literal\\]'))).toEqual([['(literal]', 1]]);
    expect(round(parsePromptAttention('a \\(b\\) c'))).toEqual([['a (b) c', 1]]);
  });
  it('BREAK splits into separate fragments', () => {
    const frags = parsePromptAttention('a cat BREAK a dog');
    expect(frags).toEqual([{ text: 'a cat', weight: 1 }, BREAK_MARKER, { text: 'a dog', weight: 1 }]);
  });
  it('an empty prompt is one empty fragment; a stray colon is text', () => {
    expect(parsePromptAttention('')).toEqual([{ text: '', weight: 1 }]);
    expect(round(parsePromptAttention('ratio 16:9'))).toEqual([['ratio 16:9', 1]]);
  });
});
