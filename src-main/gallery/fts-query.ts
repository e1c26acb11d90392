/**
 * What a user types in the gallery's search box, turned into an FTS5 query
 * that cannot be a syntax error: every word is quoted (so `c++`, `(weird` or
 * `don't` are plain text), "phrases" and `prefix*` keep their meaning, AND /
 * OR / NOT (upper case) are operators between terms, `negative_prompt:word`
 * searches one column, and a leading NOT ("NOT star") becomes an exclusion,
 * which FTS5 alone cannot say.
 */
const COLUMNS = new Set(['prompt', 'negative_prompt']);
const OPERATORS = new Set(['AND', 'OR', 'NOT']);

export interface FtsQuery {
  /** Rows must match this (null: no positive terms). */
  match: string | null;
  /**
   * Words with accents, to be found as written: the index folds `ä` to `a`
   * (so `cafe` finds `café`), which alone would make `ä` match every "a".
   */
  exact: string[];
  /** Rows must not match this (from NOTs with nothing before them). */
  exclude: string | null;
}

function quoteTerm(raw: string): string | null {
  let column = '';
  let term = raw;
  const colon = term.indexOf(':');
  if (colon > 0 && COLUMNS.has(term.slice(0, colon))) {
    column = `${term.slice(0, colon)}:`;
    term = term.slice(colon + 1);
  }
  const prefix = term.endsWith('*');
  term = term.replace(/\*+$/, '');
  if (term.startsWith('"')) term = term.replace(/^"|"$/g, ''); // a phrase, closed or not
  // Only word characters make tokens; a term of punctuation alone would match nothing useful.
  if (!/[\p{L}\p{N}]/u.test(term)) return null;
  return `${column}"${term.replace(/"/g, '""')}"${prefix ? '*' : ''}`;
}

export function toFtsQuery(input: string): FtsQuery {
  const tokens = input.match(/(?:\w+:)?"[^"]*"?\*?|[^\s"]+/g) ?? [];
  const positive: string[] = [];
  const excluded: string[] = [];
  const exact: string[] = [];
  let pending: string | null = null; // an operator waiting for its right-hand term
  for (const token of tokens) {
    if (OPERATORS.has(token)) {
      pending = token;
      continue;
    }
    const term = quoteTerm(token.replace(/[()]/g, ''));
    if (!term) continue;
    if (pending === 'NOT' && positive.length === 0) excluded.push(term);
    else {
      positive.push(positive.length && pending ? `${pending} ${term}` : term);
      const word = token.replace(/^\w+:/, '').replace(/["()*]/g, '');
      if (pending !== 'OR' && word.normalize('NFD') !== word) exact.push(word);
    }
    pending = null;
  }
  return {
    match: positive.length ? positive.join(' ') : null,
    // With OR in play a row may match without a given word: then the index's folding stands.
    exact: positive.some((p) => p.startsWith('OR ')) ? [] : exact,
    exclude: excluded.length ? excluded.join(' OR ') : null,
  };
}
