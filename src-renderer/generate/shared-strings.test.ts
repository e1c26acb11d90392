import { describe, expect, it } from 'vitest';
import { isSharedStrings, shareStrings, unshareStrings } from './shared-strings.js';

describe('JSON with shared long strings', () => {
  it('writes a picture repeated in every snapshot once, and reads the document back as it was', () => {
    const picture = `data:image/png;base64,${'A'.repeat(100_000)}`;
    const doc = {
      initImage: { url: picture, base64: picture.slice(22) },
      history: { past: Array.from({ length: 64 }, (_, i) => ({ step: i, initImage: { url: picture } })), future: [] },
      prompt: 'short strings stay where they are',
    };
    const shared = shareStrings(doc);
    expect(shared.strings).toHaveLength(2);
    expect(JSON.stringify(shared).length).toBeLessThan(210_000);
    expect(JSON.stringify(doc).length).toBeGreaterThan(6_000_000);
    const back = unshareStrings(JSON.parse(JSON.stringify(shared)));
    expect(back).toEqual(doc);
    expect(isSharedStrings(shared)).toBe(true);
    expect(isSharedStrings(doc)).toBe(false);
  });

  it('a reference to a string that is not there reads as null', () => {
    expect(unshareStrings({ strings: [], doc: { a: { $s: 3 }, b: [{ $s: 0 }] } })).toEqual({ a: null, b: [null] });
  });
});
