/**
 * AUTOMATIC1111's prompt emphasis syntax (modules/prompt_parser.py,
 * parse_prompt_attention): `(text)` x1.1, `[text]` /1.1, `(text:1.3)`,
 * backslash escapes, and `BREAK` to start a new 75-token chunk. Unbalanced
 * brackets still apply, as in A1111.
 */
export interface WeightedFragment {
  text: string;
  weight: number;
}

/** A BREAK marker in the fragment list. */
export const BREAK_MARKER: WeightedFragment = Object.freeze({ text: 'BREAK', weight: -1 });

const TOKEN = /\\\(|\\\)|\\\[|\\]|\\\\|\\|\(|\[|:\s*([+-]?[.\d]+)\s*\)|\)|]|[^\\()[\]:]+|:/g;
const BREAK_SPLIT = /\s*\bBREAK\b\s*/;
const ROUND = 1.1;
const SQUARE = 1 / 1.1;

export function parsePromptAttention(text: string): WeightedFragment[] {
  const res: WeightedFragment[] = [];
  const round: number[] = [];
  const square: number[] = [];
  const multiplyFrom = (start: number, factor: number) => {
    for (let p = start; p < res.length; p++) res[p] = { text: res[p]!.text, weight: res[p]!.weight * factor };
  };

  for (const m of text.matchAll(TOKEN)) {
    const token = m[0];
    const weight = m[1];
    if (token.startsWith('\\') && token.length === 2) {
      res.push({ text: token.slice(1), weight: 1 });
    } else if (token === '(') {
      round.push(res.length);
    } else if (token === '[') {
      square.push(res.length);
    } else if (weight !== undefined && round.length > 0) {
      multiplyFrom(round.pop()!, Number.parseFloat(weight));
    } else if (token === ')' && round.length > 0) {
      multiplyFrom(round.pop()!, ROUND);
    } else if (token === ']' && square.length > 0) {
      multiplyFrom(square.pop()!, SQUARE);
    } else {
      const parts = token.split(BREAK_SPLIT);
      parts.forEach((part, i) => {
        if (i > 0) res.push(BREAK_MARKER);
        res.push({ text: part, weight: 1 });
      });
    }
  }
  for (const pos of round) multiplyFrom(pos, ROUND);
  for (const pos of square) multiplyFrom(pos, SQUARE);

  if (res.length === 0) return [{ text: '', weight: 1 }];
  // Merge neighbours of equal weight (BREAK markers stay apart).
  const merged: WeightedFragment[] = [];
  for (const frag of res) {
    const last = merged[merged.length - 1];
    if (last && last.weight === frag.weight && last !== BREAK_MARKER && frag !== BREAK_MARKER) {
      merged[merged.length - 1] = { text: last.text + frag.text, weight: last.weight };
    } else {
      merged.push(frag);
    }
  }
  return merged;
}
