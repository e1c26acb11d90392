import { describe, expect, it } from 'vitest';
import { applyStyles, mergeStyleText, parseCsv, readA1111Styles } from './styles.js';

describe('prompt styles, A1111 style', () => {
  it('puts the prompt at {prompt}, or appends the fragment after a comma', () => {
    expect(mergeStyleText('masterpiece, {prompt}, film grain', 'a cat')).toBe('masterpiece, a cat, film grain');
    expect(mergeStyleText('film grain', 'a cat')).toBe('a cat, film grain');
    expect(mergeStyleText('film grain', '')).toBe('film grain');
    expect(mergeStyleText('', 'a cat')).toBe('a cat');
    expect(
      applyStyles(
        [
          { name: 'a', prompt: 'photo of {prompt}', negativePrompt: 'blurry' },
          { name: 'b', prompt: '35mm', negativePrompt: '{prompt}, lowres' },
        ],
        'a cat',
        'ugly',
      ),
    ).toEqual({ prompt: 'photo of a cat, 35mm', negativePrompt: 'ugly, blurry, lowres' });
  });

  it("reads A1111's styles.csv: quotes, doubled quotes, newlines in a field, the None row", () => {
    const csv =
      '\uFEFFname,prompt,negative_prompt\r\nNone,,\r\n"Cinematic","{prompt}, ""film"" grain, 35mm",blurry\r\nPortrait,"close-up,\nsoft light",\n';
    expect(parseCsv('a,"b,c"\n1,2')).toEqual([
      ['a', 'b,c'],
      ['1', '2'],
    ]);
    expect(readA1111Styles(csv)).toEqual([
      { name: 'Cinematic', prompt: '{prompt}, "film" grain, 35mm', negativePrompt: 'blurry' },
      { name: 'Portrait', prompt: 'close-up,\nsoft light', negativePrompt: '' },
    ]);
    expect(() => readA1111Styles('title,text\nx,y')).toThrow(/styles\.csv/);
  });
});
