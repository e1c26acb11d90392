import path from 'node:path';
import { createGenerator } from '../rng/index.js';
import { readPythonJson, type CaseResult } from './conformance-result.js';

interface Draw {
  shape: number[];
  sum: number;
  values?: number[];
  head?: number[];
  tail?: number[];
  every997?: number[];
}
interface RandnCase {
  seed: number;
  device: 'cpu' | 'cuda';
  draws: Draw[];
}

const close = (got: number, want: number) => Math.abs(got - want) <= 4e-6 + 1e-6 * Math.abs(want);

function checkDraw(got: Float32Array, want: Draw): string | null {
  const pairs: [number, number][] = [];
  const at = (values: number[] | undefined, index: (i: number) => number) => {
    for (const [i, v] of (values ?? []).entries()) pairs.push([index(i), v]);
  };
  at(want.values, (i) => i);
  at(want.head, (i) => i);
  at(want.tail, (i) => got.length - want.tail!.length + i);
  at(want.every997, (i) => i * 997);
  for (const [i, v] of pairs) if (!close(got[i]!, v)) return `[${i}] = ${got[i]}, want ${v}`;
  let sum = 0;
  for (const v of got) sum += v;
  if (Math.abs(sum - want.sum) > 1e-3 + 1e-6 * Math.abs(want.sum)) return `sum ${sum}, want ${want.sum}`;
  return null;
}

/** torch-randn.json: every draw, in order, from one generator per case. */
export function runRandnCases(dir: string): CaseResult[] {
  const { cases } = readPythonJson(path.join(dir, 'torch-randn.json')) as { cases: RandnCase[] };
  return cases.map((c) => {
    const gen = createGenerator(c.device === 'cuda' ? 'gpu' : 'cpu', c.seed);
    let detail = '';
    for (const [i, d] of c.draws.entries()) {
      const problem = checkDraw(gen.randn(d.shape), d);
      if (problem) {
        detail = `draw ${i} ${JSON.stringify(d.shape)}: ${problem}`;
        break;
      }
    }
    return { name: `torch-randn.json ${c.device} seed ${c.seed}`, ok: detail === '', detail };
  });
}
