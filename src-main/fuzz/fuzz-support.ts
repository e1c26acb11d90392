/**
 * The fuzz suite's tools: a seeded random source (a failure names its seed
 * and can be replayed), inputs drawn from the contract's own zod schemas
 * (mostly valid in shape, so they reach the handlers, with wild values mixed
 * in), and byte mutations for files.
 */
import type { z } from 'zod';

/** STUDIO_FUZZ_SEED replays a run; STUDIO_FUZZ_SCALE (default 1) stretches the budgets. */
export const FUZZ_SEED = Number(process.env.STUDIO_FUZZ_SEED ?? 20261201);
export const FUZZ_SCALE = Number(process.env.STUDIO_FUZZ_SCALE ?? 1);

export type Rand = {
  (): number;
  int(n: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
};

/** mulberry32: small, fast, and the same sequence on every machine. */
export function seeded(seed: number): Rand {
  let a = seed >>> 0;
  const next = (() => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }) as Rand;
  next.int = (n) => Math.floor(next() * n);
  next.pick = (items) => items[next.int(items.length)]!;
  next.chance = (p) => next() < p;
  return next;
}

export interface ValuePools {
  strings: readonly string[];
  numbers: readonly number[];
  /** Values that make sense for a key of that name (a model that exists, an id in the gallery), used 9 times in 10. */
  byKey?: Record<string, readonly unknown[]>;
}

/** Any JSON value: what a hostile client can put anywhere. */
export function wildValue(rand: Rand, pools: ValuePools, depth = 0): unknown {
  switch (rand.int(depth > 2 ? 5 : 8)) {
    case 0:
      return null;
    case 1:
      return rand.chance(0.5);
    case 2:
      return rand.pick(pools.numbers);
    case 3:
    case 4:
      return rand.pick(pools.strings);
    case 5:
      return Array.from({ length: rand.int(4) }, () => wildValue(rand, pools, depth + 1));
    default: {
      const out: Record<string, unknown> = {};
      for (let i = rand.int(4); i > 0; i--)
        out[rand.pick(pools.strings).slice(0, 20)] = wildValue(rand, pools, depth + 1);
      return out;
    }
  }
}

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  entries?: Record<string, string>;
  values?: unknown[];
}

const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: Def } })._zod.def;

/**
 * A value shaped by a schema: objects get a random subset of their keys,
 * enums and literals their own values, and with probability `wildness`
 * any part is replaced by a wild value (or an unknown key is added).
 */
export function valueFor(schema: z.ZodType, rand: Rand, pools: ValuePools, wildness = 0.15, depth = 0): unknown {
  if (rand.chance(wildness) || depth > 6) return wildValue(rand, pools);
  const def = defOf(schema);
  const inner = (s: z.ZodType) => valueFor(s, rand, pools, wildness, depth + 1);
  switch (def.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [key, s] of Object.entries(def.shape ?? {})) {
        const optional = ['optional', 'default'].includes(defOf(s).type);
        if (!rand.chance(optional ? 0.5 : 0.95)) continue;
        const known = pools.byKey?.[key];
        out[key] = known && rand.chance(0.9) ? rand.pick(known) : inner(s);
      }
      if (rand.chance(wildness / 2)) out[rand.pick(pools.strings).slice(0, 20)] = wildValue(rand, pools);
      return out;
    }
    case 'optional':
    case 'nullable':
    case 'default':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      return rand.chance(0.1) ? (def.type === 'nullable' ? null : undefined) : inner(def.innerType!);
    case 'pipe':
      return inner(def.in!);
    case 'array':
      return Array.from({ length: rand.int(4) }, () => inner(def.element!));
    case 'union':
      return inner(rand.pick(def.options!));
    case 'enum':
      return rand.pick(Object.values(def.entries!));
    case 'literal':
      return rand.pick(def.values!);
    case 'string':
      return rand.pick(pools.strings);
    case 'number':
    case 'int':
      return rand.chance(0.5) ? numberWithin(schema, rand) : rand.pick(pools.numbers);
    case 'boolean':
      return rand.chance(0.5);
    case 'null':
      return null;
    default:
      return wildValue(rand, pools);
  }
}

/** A number the schema's own bounds allow (integers as multiples of 64 half the time: sizes). */
function numberWithin(schema: z.ZodType, rand: Rand): number {
  const n = schema as unknown as { minValue: number | null; maxValue: number | null; isInt: boolean };
  const lo = Number.isFinite(n.minValue) ? n.minValue! : -1000;
  const hi = Number.isFinite(n.maxValue) ? Math.min(n.maxValue!, lo + 1e6) : lo + 1000;
  if (!n.isInt) return lo + rand() * (hi - lo);
  if (rand.chance(0.5)) {
    const steps = Math.floor((hi - Math.ceil(lo / 64) * 64) / 64);
    if (steps >= 0) return Math.ceil(lo / 64) * 64 + 64 * rand.int(steps + 1);
  }
  return Math.ceil(lo) + rand.int(Math.floor(hi) - Math.ceil(lo) + 1);
}

/** A damaged copy of a file's bytes: flipped bytes, a cut, a splice, or a length field set huge. */
export function mutateBytes(bytes: Uint8Array, rand: Rand): Buffer {
  const out = Buffer.from(bytes);
  switch (rand.int(5)) {
    case 0: {
      for (let i = 1 + rand.int(16); i > 0; i--) out[rand.int(out.length)] = rand.int(256);
      return out;
    }
    case 1:
      return out.subarray(0, rand.int(out.length));
    case 2: {
      // A stretch copied over another place: plausible-looking structure in the wrong spot.
      const from = rand.int(out.length);
      const to = rand.int(out.length);
      const n = Math.min(1 + rand.int(64), out.length - Math.max(from, to));
      out.copy(out, to, from, from + n);
      return out;
    }
    case 3: {
      // A 32-bit length (big- or little-endian) somewhere set to an extreme.
      const at = rand.int(Math.max(1, out.length - 4));
      const v = rand.pick([0xffffffff, 0x7fffffff, 0x80000000, 0, 1]);
      if (rand.chance(0.5)) out.writeUInt32BE(v, at);
      else out.writeUInt32LE(v, at);
      return out;
    }
    default: {
      const junk = Buffer.alloc(1 + rand.int(256));
      for (let i = 0; i < junk.length; i++) junk[i] = rand.int(256);
      const at = rand.int(out.length);
      return Buffer.concat([out.subarray(0, at), junk, out.subarray(at)]);
    }
  }
}

/** Runs `fn` until the budget is spent (at least `min` times); returns how many ran. */
export async function forBudget(ms: number, min: number, fn: (i: number) => Promise<void> | void): Promise<number> {
  const end = performance.now() + ms * FUZZ_SCALE;
  let i = 0;
  while (i < min || performance.now() < end) await fn(i++);
  return i;
}

/** Rejects when a call takes longer than `ms`: a hang is a failure, not a slow test. */
export function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    }),
  ]);
}
