/**
 * X/Y/Z plot axes, A1111's way of writing them: `NAME=VALUES`, the values a
 * comma list or ranges: `1-5` (every integer), `5-20 (+5)` (a step),
 * `4-8 [3]` (that many, evenly spaced); `sr=red,blue` replaces the first
 * value's text in the prompts by each value in turn (prompt S/R);
 * `model=NAME,...` switches the model; `lora-weight=0,0.5,1` sets the weight
 * of every `<lora:NAME:WEIGHT>` tag in the prompt.
 */
import type { GenerationRequest } from './engine.js';

export const AXIS_NAMES = [
  'seed',
  'sampler',
  'steps',
  'cfg',
  'size',
  'strength',
  'sr',
  'variation-strength',
  'model',
  'lora-weight',
] as const;
export type AxisName = (typeof AXIS_NAMES)[number];

export interface Axis {
  name: AxisName;
  /** The values as written (labels), one per column / row / grid. */
  values: string[];
}

export class AxisError extends Error {
  override readonly name = 'AxisError';
}

const NUMERIC: Partial<Record<AxisName, 'int' | 'float'>> = {
  seed: 'int',
  steps: 'int',
  cfg: 'float',
  strength: 'float',
  'variation-strength': 'float',
  'lora-weight': 'float',
};

/** `<lora:NAME:WEIGHT>` (and `<lyco:...>`), the weight part captured. */
const LORA_TAG = /(<(?:lora|lyco):[^:>]+)(?::[^:>]*)?((?::[^>]*)?>)/gi;

/** Expands one comma-separated item: a plain value or a range. */
function expand(item: string, kind: 'int' | 'float' | undefined): string[] {
  const range =
    /^\s*(-?\d+(?:\.\d+)?)\s*-\s*(-?\d+(?:\.\d+)?)\s*(?:\(\s*\+\s*(\d+(?:\.\d+)?)\s*\)|\[\s*(\d+)\s*\])?\s*$/.exec(
      item,
    );
  if (!kind || !range) return [item.trim()];
  const [from, to] = [Number(range[1]), Number(range[2])];
  const round = (v: number) => (kind === 'int' ? Math.round(v) : Number(v.toFixed(4)));
  if (range[4]) {
    const n = Number(range[4]);
    if (n < 1) throw new AxisError(`${item}: a count of at least 1`);
    return Array.from({ length: n }, (_, i) => String(round(n === 1 ? from : from + ((to - from) * i) / (n - 1))));
  }
  const step = range[3] ? Number(range[3]) : 1;
  if (step <= 0) throw new AxisError(`${item}: the step must be positive`);
  const out: string[] = [];
  const dir = to >= from ? 1 : -1;
  for (let v = from; dir > 0 ? v <= to + 1e-9 : v >= to - 1e-9; v += dir * step) {
    out.push(String(round(v)));
    if (out.length > 100) throw new AxisError(`${item}: more than 100 values`);
  }
  return out;
}

/** `name=values` -> an axis; throws AxisError with what is wrong. */
export function parseAxis(spec: string): Axis {
  const eq = spec.indexOf('=');
  if (eq < 0) throw new AxisError(`${spec}: write NAME=VALUES (${AXIS_NAMES.join(', ')})`);
  const name = spec.slice(0, eq).trim().toLowerCase() as AxisName;
  if (!AXIS_NAMES.includes(name))
    throw new AxisError(`unknown axis ${JSON.stringify(name)} (${AXIS_NAMES.join(', ')})`);
  const values = spec
    .slice(eq + 1)
    .split(',')
    .flatMap((item) => expand(item, NUMERIC[name]))
    .filter((v) => v !== '');
  if (values.length === 0) throw new AxisError(`${name}: no values`);
  if (name === 'sr' && values.length < 2) throw new AxisError('sr: the text to find, then what replaces it');
  return { name, values };
}

/** The request with one axis value applied (numbers validated later, with the whole request). */
export function applyAxis(req: GenerationRequest, axis: Axis, value: string): GenerationRequest {
  const num = Number(value);
  switch (axis.name) {
    case 'seed':
      return { ...req, seed: num };
    case 'sampler':
      return { ...req, sampler: value as GenerationRequest['sampler'] };
    case 'steps':
      return { ...req, steps: num };
    case 'cfg':
      return { ...req, cfgScale: num };
    case 'strength':
      return { ...req, strength: num };
    case 'variation-strength':
      return { ...req, variationStrength: num };
    case 'model':
      return { ...req, model: value };
    case 'lora-weight': {
      if (!LORA_TAG.test(req.prompt ?? ''))
        throw new AxisError('lora-weight: the prompt has no <lora:NAME:WEIGHT> tag to set the weight of');
      LORA_TAG.lastIndex = 0;
      return {
        ...req,
        prompt: req.prompt.replace(LORA_TAG, (_, head: string, tail: string) => `${head}:${value}${tail}`),
      };
    }
    case 'size': {
      const m = /^(\d+)x(\d+)$/i.exec(value);
      if (!m) throw new AxisError(`size: ${value} is not WxH`);
      return { ...req, width: Number(m[1]), height: Number(m[2]) };
    }
    case 'sr': {
      const find = axis.values[0]!;
      return {
        ...req,
        prompt: req.prompt.split(find).join(value),
        negativePrompt: (req.negativePrompt ?? '').split(find).join(value),
      };
    }
  }
}
