/**
 * The training program (training/sd_mini/grammar.py) and the evaluator share one
 * caption grammar and palette; Python cannot import TypeScript, so this test
 * reads the Python table and holds the two to each other.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COLOURS, PALETTE, POSITIONS, SHAPES, SIZES } from './shape-captions.js';

const source = fs.readFileSync(
  path.resolve(import.meta.dirname, '..', '..', 'training', 'sd_mini', 'grammar.py'),
  'utf8',
);
const list = (name: string) => JSON.parse(new RegExp(`^${name} = (\\[.*\\])$`, 'm').exec(source)![1]!) as string[];

describe('training grammar', () => {
  it("has the evaluator's words", () => {
    expect(list('COLOURS')).toEqual([...COLOURS]);
    expect(list('SHAPES')).toEqual([...SHAPES]);
    expect(list('SIZES')).toEqual([...SIZES]);
    const phrases = [...source.matchAll(/^\s+"(\w+)": "([a-z ]+)",$/gm)].map((m) => m[2]);
    expect(phrases).toEqual([...POSITIONS]);
  });

  it("draws with the evaluator's palette", () => {
    for (const colour of COLOURS) {
      const m = new RegExp(`"${colour}": \\((\\d+), (\\d+), (\\d+)\\)`).exec(source);
      expect(m, colour).not.toBeNull();
      expect(m!.slice(1, 4).map(Number)).toEqual(PALETTE[colour]);
    }
  });
});
