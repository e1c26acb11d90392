import { describe, expect, it } from 'vitest';
import { beyondPicture, boxLabel, isInside, sameBox, scaledSize, snapBox, wholePicture } from './bbox.js';

const picture = { width: 512, height: 384 };

describe('bounding box', () => {
  it('snaps a dragged box to the model multiple and its corner to the 8-pixel grid', () => {
    expect(snapBox({ x: 10.4, y: 20.6, width: 130, height: 97 }, picture, 8)).toEqual({
      x: 8,
      y: 24,
      width: 128,
      height: 96,
    });
    expect(snapBox({ x: 0, y: 0, width: 130, height: 97 }, picture, 64)).toEqual({
      x: 0,
      y: 0,
      width: 128,
      height: 128,
    });
  });

  it('never leaves the picture: too large is cut to the picture, pushed back inside', () => {
    expect(snapBox({ x: 400, y: 300, width: 256, height: 256 }, picture, 8)).toEqual({
      x: 256,
      y: 128,
      width: 256,
      height: 256,
    });
    expect(snapBox({ x: -50, y: -5, width: 900, height: 900 }, picture, 8)).toEqual(wholePicture(picture));
    // A picture off the multiple: the largest box on the multiple that fits.
    expect(snapBox({ x: 0, y: 0, width: 500, height: 333 }, { width: 500, height: 333 }, 8)).toEqual({
      x: 0,
      y: 0,
      width: 496,
      height: 328,
    });
  });

  it('is at least the smallest size the engine makes', () => {
    expect(snapBox({ x: 5, y: 5, width: 3, height: 20 }, picture, 8)).toMatchObject({ width: 64, height: 64 });
  });

  it('names its size and compares by value', () => {
    expect(boxLabel({ x: 0, y: 0, width: 192, height: 64 })).toBe('192×64');
    expect(sameBox({ x: 1, y: 2, width: 64, height: 64 }, { x: 1, y: 2, width: 64, height: 64 })).toBe(true);
    expect(sameBox(null, { x: 1, y: 2, width: 64, height: 64 })).toBe(false);
  });

  it("is generated at the model's native area, in its shape, when scaled", () => {
    expect(scaledSize({ width: 96, height: 64 }, 512, 8)).toEqual({ width: 624, height: 416 });
    expect(scaledSize({ width: 64, height: 64 }, 128, 8)).toEqual({ width: 128, height: 128 });
    // A box larger than the native size is made smaller, as InvokeAI does.
    expect(scaledSize({ width: 1024, height: 1024 }, 512, 64)).toEqual({ width: 512, height: 512 });
  });

  it('may reach beyond the picture by the room given (outpainting), no further', () => {
    const box = snapBox({ x: 440, y: -30, width: 128, height: 128 }, picture, 8, 64);
    expect(box).toEqual({ x: 440, y: -32, width: 128, height: 128 });
    expect(beyondPicture(box, picture)).toEqual({ left: 0, top: 32, right: 56, bottom: 0 });
    expect(isInside(box, picture)).toBe(false);
    expect(snapBox({ x: 700, y: 0, width: 128, height: 128 }, picture, 8, 64).x).toBe(448);
    expect(snapBox({ x: -500, y: 0, width: 2000, height: 64 }, picture, 8, 64)).toMatchObject({ x: -64, width: 640 });
    expect(isInside(wholePicture(picture), picture)).toBe(true);
  });
});
