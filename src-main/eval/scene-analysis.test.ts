import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodePngToRgb } from '../engine/index.js';
import { PALETTE, evalSpecs, formatCaption, parseCaption, type Colour } from './shape-captions.js';
import { readScene, scoreScene } from './scene-analysis.js';

const hex = (c: Colour) => `#${PALETTE[c].map((v) => v.toString(16).padStart(2, '0')).join('')}`;

/** A drawn scene: one shape on a plain background (SVG through sharp). */
async function scene(bg: Colour, fg: Colour, cx: number, cy: number, r: number, shape: 'circle' | 'square' = 'circle') {
  const el =
    shape === 'circle'
      ? `<circle cx="${cx}" cy="${cy}" r="${r}" fill="${hex(fg)}"/>`
      : `<rect x="${cx - r}" y="${cy - r}" width="${2 * r}" height="${2 * r}" fill="${hex(fg)}"/>`;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128"><rect width="128" height="128" fill="${hex(bg)}"/>${el}</svg>`;
  return decodePngToRgb(await sharp(Buffer.from(svg)).png().toBuffer());
}

describe('caption grammar', () => {
  it('parses every form, optional parts really optional', () => {
    expect(parseCaption('a red circle')).toEqual({
      size: null,
      colour: 'red',
      shape: 'circle',
      position: null,
      background: null,
    });
    expect(parseCaption('a large blue star on the left')).toMatchObject({
      size: 'large',
      colour: 'blue',
      shape: 'star',
      position: 'left',
    });
    expect(parseCaption('a small yellow triangle at the top on a purple background')).toMatchObject({
      size: 'small',
      position: 'top',
      background: 'purple',
    });
    expect(parseCaption('a green dragon')).toBeNull();
  });
  it('round-trips generated evaluation prompts, never with the shape colour as background', () => {
    for (const spec of evalSpecs(200, 7)) {
      expect(parseCaption(formatCaption(spec))).toEqual(spec);
      expect(spec.background).not.toBe(spec.colour);
    }
    expect(evalSpecs(5, 1)).toEqual(evalSpecs(5, 1));
  });
});

describe('reading a scene', () => {
  it('finds background, colour, side and size', async () => {
    const big = readScene(await scene('purple', 'yellow', 32, 64, 28), 'yellow');
    expect(big).toMatchObject({ background: 'purple', position: 'left', size: 'large' });
    const small = readScene(await scene('green', 'red', 100, 64, 9, 'square'), 'red');
    expect(small).toMatchObject({ background: 'green', position: 'right', size: 'small' });
    expect(readScene(await scene('blue', 'white', 64, 20, 12), 'white').position).toBe('top');
    expect(readScene(await scene('black', 'orange', 64, 64, 20), 'orange').position).toBe('center');
  });
  it('scores what was asked and reports a missing blob', async () => {
    const img = await scene('green', 'red', 96, 64, 28);
    expect(
      scoreScene(parseCaption('a large red circle on the right on a green background')!, readScene(img, 'red')),
    ).toEqual({ colour: true, background: true, position: true, size: true });
    expect(scoreScene(parseCaption('a blue circle on the left')!, readScene(img, 'blue'))).toEqual({
      colour: false,
      background: null,
      position: false,
      size: null,
    });
  });
});
