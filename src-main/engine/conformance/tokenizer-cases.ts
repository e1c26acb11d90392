import path from 'node:path';
import { ClipTokenizer } from '../tokenizer/clip-tokenizer.js';
import { readPythonJson, type CaseResult } from './conformance-result.js';

interface TokenizerCase {
  prompt: string;
  ids: number[];
  padded77: number[];
}

/** tokenizer-cases.json: exact ids, unpadded and padded to 77, with the vocabulary named in the fixture folder. */
export function runTokenizerCases(dir: string, tokenizerDir: string): CaseResult[] {
  const { cases } = readPythonJson(path.join(dir, 'tokenizer-cases.json')) as { cases: TokenizerCase[] };
  const tok = ClipTokenizer.fromFolder(tokenizerDir);
  return cases.map((c, i) => {
    const ids = tok.encode(c.prompt);
    const padded = tok.encodePadded(c.prompt);
    const same = (a: number[], b: number[]) => a.length === b.length && a.every((v, k) => v === b[k]);
    const ok = same(ids, c.ids) && same(padded, c.padded77);
    const label = JSON.stringify(c.prompt.length > 40 ? `${c.prompt.slice(0, 40)}...` : c.prompt);
    return {
      name: `tokenizer-cases.json#${i} ${label}`,
      ok,
      detail: ok ? '' : `got ${JSON.stringify(ids.slice(0, 12))}..., want ${JSON.stringify(c.ids.slice(0, 12))}...`,
    };
  });
}
