import { describe, expect, it } from 'vitest';
import { emptyMask, fitView, isBlank, nextBrushSize, opAdded, zoomAt, type MaskOp } from './mask-document.js';

const stroke = (tool: 'brush' | 'eraser' = 'brush'): MaskOp => ({
  type: 'stroke',
  tool,
  size: 10,
  hardness: 1,
  points: [0, 0, 5, 5],
});

describe('mask document', () => {
  it('knows a blank mask from a painted one', () => {
    expect(isBlank(emptyMask())).toBe(true);
    expect(isBlank(opAdded(emptyMask(), stroke('eraser')))).toBe(true);
    expect(isBlank(opAdded(emptyMask(), stroke()))).toBe(false);
    expect(isBlank(opAdded(opAdded(emptyMask(), stroke()), { type: 'clear' }))).toBe(true);
    expect(isBlank(opAdded(emptyMask(), { type: 'invert' }))).toBe(false);
  });
  it('steps brush sizes and keeps them in range', () => {
    expect(nextBrushSize(40, 1)).toBe(44);
    expect(nextBrushSize(40, -1)).toBe(36);
    expect(nextBrushSize(1, -1)).toBe(1);
    expect(nextBrushSize(1024, 1)).toBe(1024);
  });
  it('zooms around the pointer and fits the image', () => {
    const v = zoomAt({ scale: 1, x: 0, y: 0 }, { x: 100, y: 50 }, 2);
    expect(v).toEqual({ scale: 2, x: -100, y: -50 });
    expect(fitView({ width: 512, height: 256 }, { width: 1056, height: 1000 })).toEqual({ scale: 2, x: 16, y: 244 });
  });
});
