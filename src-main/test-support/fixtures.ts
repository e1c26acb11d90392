import fs from 'node:fs';
import path from 'node:path';

/**
 * The reference fixtures kept in the repository (test/fixtures, see its
 * README). Tests read them unconditionally: a missing file is a failure,
 * never a skip.
 */
export const FIXTURES_DIR = path.resolve(import.meta.dirname, '..', '..', 'test', 'fixtures');

export function readFixture<T>(name: string): T {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES_DIR, name), 'utf8')) as T;
}
export const TINY_SD = path.join(FIXTURES_DIR, 'tiny-sd');
export const TINY_SDXL = path.join(FIXTURES_DIR, 'tiny-sdxl');
