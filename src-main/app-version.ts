import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The version in package.json, from sources (one level down) or bundles (two levels down). */
export function appVersion(): string {
  try {
    return (require('../package.json') as { version: string }).version;
  } catch {
    return (require('../../package.json') as { version: string }).version;
  }
}
