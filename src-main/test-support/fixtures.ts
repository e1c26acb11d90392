import fs from 'node:fs';
import path from 'node:path';

/**
 * The shared reference fixtures (../shared/fixtures beside the checkout, or
 * STUDIO_FIXTURES). Tests that need them skip with this message when absent.
 */
export const FIXTURES_DIR = process.env.STUDIO_FIXTURES ?? path.resolve(import.meta.dirname, '..', '..', '..', 'shared', 'fixtures');
export const HAVE_FIXTURES = fs.existsSync(path.join(FIXTURES_DIR, 'README.md'));
export const FIXTURES_SKIP_MESSAGE = `reference fixtures not found at ${FIXTURES_DIR} (set STUDIO_FIXTURES); skipping`;
if (!HAVE_FIXTURES) console.warn(FIXTURES_SKIP_MESSAGE);

export function readFixture<T>(name: string): T {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES_DIR, name), 'utf8')) as T;
}
export const TINY_SD = path.join(FIXTURES_DIR, 'tiny-sd');
