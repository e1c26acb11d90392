/**
 * Gallery search: FTS5 over prompt and negative prompt, combined with
 * filters, three orders and keyset pagination (a cursor holds the last sort
 * key, so page N costs what page 1 costs).
 */
import type { GalleryItem, GallerySearch } from '../../src-shared/domain/gallery.js';
import { zGallerySearch } from '../../src-shared/domain/gallery.js';
import { StudioError } from '../../src-shared/domain/errors.js';
import { toFtsQuery } from './fts-query.js';
import type { GalleryStore, Row } from './gallery-store.js';

interface Cursor {
  k: number;
  i: number;
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

function decodeCursor(s: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Cursor;
    if (Number.isFinite(c.k) && Number.isInteger(c.i)) return c;
  } catch {
    // fall through
  }
  throw new StudioError('INVALID_INPUT', 'Invalid page cursor');
}

/** A deterministic shuffle key per (id, seed): multiplicative hashing, mod 2^31. */
const RANDOM_KEY = '((g.id * 1103515245 + @seed * 2654435761 + 12345) % 2147483648)';

/** FTS5 reports query mistakes as SQLite errors; check the query alone so they read as input errors. */
function checkFtsSyntax(store: GalleryStore, query: string): void {
  try {
    store.db.prepare('SELECT 1 FROM generations_fts WHERE generations_fts MATCH ? LIMIT 1').get(query);
  } catch (err) {
    const reason = (err as Error).message.replace(/^fts5: /, '');
    throw new StudioError(
      'INVALID_INPUT',
      `Search syntax not understood (${reason}). Use words, "phrases", prefix*, AND, OR, NOT.`,
    );
  }
}

export function searchGallery(
  store: GalleryStore,
  raw: GallerySearch,
): { items: GalleryItem[]; nextCursor: string | null } {
  const q = zGallerySearch.parse(raw);
  const where: string[] = ['g.deleted_at IS NULL'];
  const params: Record<string, unknown> = { limit: q.limit + 1, seed: q.randomSeed };
  const fts = toFtsQuery(q.query ?? '');
  if (fts.match) {
    checkFtsSyntax(store, fts.match);
    where.push('f.generations_fts MATCH @query');
    params.query = fts.match;
  }
  fts.exact.forEach((word, i) => {
    const escaped = word.replace(/[\\%_]/g, (c) => `\\${c}`);
    where.push(`(g.prompt LIKE @exact${i} ESCAPE '\\' OR g.negative_prompt LIKE @exact${i} ESCAPE '\\')`);
    params[`exact${i}`] = `%${escaped}%`;
  });
  if (fts.exclude) {
    checkFtsSyntax(store, fts.exclude);
    where.push('g.id NOT IN (SELECT rowid FROM generations_fts WHERE generations_fts MATCH @exclude)');
    params.exclude = fts.exclude;
  }
  // Plain column filters: [value, SQL condition on @name].
  const filters: Record<string, [unknown, string]> = {
    model: [q.model, 'g.model_name = @model'],
    sampler: [q.sampler, 'g.sampler = @sampler'],
    width: [q.width, 'g.width = @width'],
    height: [q.height, 'g.height = @height'],
    from: [q.from, 'g.created_at >= @from'],
    to: [q.to, 'g.created_at <= @to'],
    favourite: [q.favourite === undefined ? undefined : q.favourite ? 1 : 0, 'g.favourite = @favourite'],
  };
  for (const [name, [value, condition]] of Object.entries(filters)) {
    if (value === undefined) continue;
    where.push(condition);
    params[name] = value;
  }
  if (q.tag !== undefined) {
    where.push('EXISTS (SELECT 1 FROM tags t WHERE t.generation_id = g.id AND t.tag = @tag)');
    params.tag = q.tag.trim().toLowerCase();
  }
  if (q.lora !== undefined) {
    // The cheap test first: only prompts holding the name are parsed.
    where.push('instr(lower(g.prompt), @lora) > 0 AND uses_lora(g.prompt, @lora)');
    params.lora = q.lora.toLowerCase();
  }
  if (q.hasParent !== undefined) where.push(q.hasParent ? 'g.parent_id IS NOT NULL' : 'g.parent_id IS NULL');

  // Rows are added with strictly increasing created_at, so id order is time order. Ordering by
  // the FTS rowid lets FTS5 stream matches newest first and stop at the page size.
  const text = fts.match !== null;
  const key = q.sort === 'random' ? RANDOM_KEY : text ? 'f.rowid' : 'g.id';
  const dir = q.sort === 'oldest' ? 'ASC' : 'DESC';
  const cmp = q.sort === 'oldest' ? '>' : '<';
  if (q.cursor) {
    const c = decodeCursor(q.cursor);
    where.push(q.sort === 'random' ? `(${key}, g.id) ${cmp} (@ck, @ci)` : `${key} ${cmp} @ck`);
    params.ck = c.k;
    if (q.sort === 'random') params.ci = c.i;
  }
  const from = text ? 'generations_fts f JOIN generations g ON g.id = f.rowid' : 'generations g';
  const order = q.sort === 'random' ? `${key} ${dir}, g.id ${dir}` : `${key} ${dir}`;
  const sql = `SELECT g.*, ${key} AS sort_key FROM ${from} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order} LIMIT @limit`;
  const rows = store.db.prepare(sql).all(params) as (Row & { sort_key: number })[];
  const more = rows.length > q.limit;
  const page = more ? rows.slice(0, q.limit) : rows;
  const last = page[page.length - 1];
  return {
    items: store.toItems(page),
    nextCursor: more && last ? encodeCursor({ k: last.sort_key, i: last.id }) : null,
  };
}
