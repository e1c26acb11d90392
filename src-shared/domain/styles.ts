/**
 * Prompt styles as AUTOMATIC1111 keeps them: a name, a prompt fragment and a
 * negative fragment. Applying one puts the user's prompt where the fragment
 * says `{prompt}`, or else appends the fragment after a comma (A1111's rule),
 * for the prompt and the negative prompt alike.
 */
import { z } from 'zod';

export const zStyle = z.object({
  name: z.string().trim().min(1).max(100),
  prompt: z.string().max(20000),
  negativePrompt: z.string().max(20000),
});
export type Style = z.output<typeof zStyle>;

/** A1111's merge: `{prompt}` placement, else "prompt, fragment" (empty parts left out). */
export function mergeStyleText(fragment: string, text: string): string {
  if (fragment.includes('{prompt}')) return fragment.replaceAll('{prompt}', text);
  return [text.trim(), fragment.trim()].filter(Boolean).join(', ');
}

/** The prompts with each style applied in order. */
export function applyStyles(
  styles: readonly Style[],
  prompt: string,
  negativePrompt: string,
): { prompt: string; negativePrompt: string } {
  return styles.reduce(
    (acc, s) => ({
      prompt: mergeStyleText(s.prompt, acc.prompt),
      negativePrompt: mergeStyleText(s.negativePrompt, acc.negativePrompt),
    }),
    { prompt, negativePrompt },
  );
}

/** Rows of a CSV text (RFC 4180: quoted fields, doubled quotes, newlines inside quotes). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => r.some((f) => f.trim() !== ''));
}

/**
 * A1111's styles.csv (header `name,prompt,negative_prompt`, columns in any
 * order); A1111's "None" row and rows without a name are skipped.
 */
export function readA1111Styles(csv: string): Style[] {
  const [header, ...rows] = parseCsv(csv.replace(/^\uFEFF/, ''));
  if (!header) return [];
  const col = (name: string) => header.findIndex((h) => h.trim().toLowerCase() === name);
  const [ni, pi, qi] = [col('name'), col('prompt'), col('negative_prompt')];
  if (ni < 0 || (pi < 0 && qi < 0))
    throw new Error('not an A1111 styles.csv (its header needs name, prompt, negative_prompt)');
  return rows
    .map((r) => ({
      name: (r[ni] ?? '').trim(),
      prompt: pi >= 0 ? (r[pi] ?? '') : '',
      negativePrompt: qi >= 0 ? (r[qi] ?? '') : '',
    }))
    .filter((s) => s.name !== '' && s.name !== 'None')
    .map((s) => zStyle.parse(s));
}

export const styleChannels = {
  'styles.list': { input: z.object({}).strict(), output: z.object({ styles: z.array(zStyle) }) },
  /** Adds or replaces (by name). */
  'styles.save': { input: zStyle.strict(), output: z.object({ styles: z.array(zStyle) }) },
  'styles.delete': {
    input: z.object({ name: z.string().min(1).max(100) }).strict(),
    output: z.object({ styles: z.array(zStyle) }),
  },
  /** Imports an A1111 styles.csv text: its styles are added, replacing those of the same name. */
  'styles.import': {
    input: z.object({ csv: z.string().max(4 * 1024 * 1024) }).strict(),
    output: z.object({ styles: z.array(zStyle), imported: z.number().int() }),
  },
} as const;
