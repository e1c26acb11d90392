import fs from 'node:fs';
export interface CaseResult {
  /** `file:case` label printed by `studio conformance`. */
  name: string;
  ok: boolean;
  /** Why it failed (first mismatch), empty when it passed. */
  detail: string;
}

/** Relative error check with an absolute floor: |got - want| <= rel * max(|want|, floor / rel). */
export function firstMismatch(
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  rel: number,
  absFloor: number,
): string | null {
  if (got.length !== want.length) return `length ${got.length}, want ${want.length}`;
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!;
    const w = want[i]!;
    if (!(Math.abs(g - w) <= Math.max(rel * Math.abs(w), absFloor))) return `[${i}] = ${g}, want ${w}`;
  }
  return null;
}

/**
 * Reads JSON written by Python's json module, which may contain the bare
 * tokens Infinity, -Infinity and NaN (outside strings).
 */
export function readPythonJson<T>(file: string): T {
  const text = fs.readFileSync(file, 'utf8');
  const fixed = text.replace(/("(?:[^"\\]|\\.)*")|-Infinity|Infinity|NaN/g, (m, str: string | undefined) => {
    if (str) return str;
    return m === 'NaN' ? 'null' : m === '-Infinity' ? '-1e999' : '1e999';
  });
  return JSON.parse(fixed) as T;
}
