import { describe, expect, it } from 'vitest';
import { guidanceScaleEmbedding } from './guidance-embedding.js';

describe('guidanceScaleEmbedding', () => {
  it('is sin/cos of (g - 1) * 1000 over geometric frequencies', () => {
    const e = guidanceScaleEmbedding(8.5, 256);
    expect(e).toHaveLength(256);
    expect(e[0]).toBeCloseTo(Math.sin(7500), 5);
    expect(e[128]).toBeCloseTo(Math.cos(7500), 5);
    expect(e[127]).toBeCloseTo(Math.sin(7500 / 10000), 5);
  });
  it('is zeros then ones at guidance 1 (no guidance)', () => {
    const e = guidanceScaleEmbedding(1, 8);
    expect(Array.from(e)).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
  });
});
