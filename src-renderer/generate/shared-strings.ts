/**
 * JSON for documents that repeat long strings: the canvas history holds the
 * same picture (base64, data URL) in many snapshots, and plain JSON would
 * write it once per snapshot (64 steps of a 512x512 picture: about 50 MB, far
 * over localStorage's quota). Long strings are written once in a table and
 * referenced by index. Pure.
 */
const LONG = 1024;

export interface SharedStrings {
  strings: string[];
  doc: unknown;
}

/** The document with every string of LONG characters or more moved into a table, each written once. */
export function shareStrings(doc: unknown): SharedStrings {
  const strings: string[] = [];
  const index = new Map<string, number>();
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string' && v.length >= LONG) {
      let i = index.get(v);
      if (i === undefined) {
        i = strings.push(v) - 1;
        index.set(v, i);
      }
      return { $s: i };
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return { strings, doc: walk(doc) };
}

/** The document back; a reference to a missing string becomes null (a damaged entry is then refused field by field). */
export function unshareStrings({ strings, doc }: SharedStrings): unknown {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      const ref = (v as { $s?: unknown }).$s;
      if (Object.keys(v).length === 1 && Number.isInteger(ref)) return strings[ref as number] ?? null;
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    }
    return v;
  };
  return walk(doc);
}

export const isSharedStrings = (v: unknown): v is SharedStrings =>
  !!v && typeof v === 'object' && Array.isArray((v as SharedStrings).strings) && 'doc' in v;
