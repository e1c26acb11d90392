import { afterEach, describe, expect, it } from 'vitest';
import { tempStudioPaths } from '../test-support/temp-home.js';
import { TokenStore } from './token-store.js';
import fs from 'node:fs';

describe('TokenStore', () => {
  const paths = tempStudioPaths();
  fs.mkdirSync(paths.dataDir, { recursive: true });
  afterEach(() => fs.rmSync(`${paths.dataDir}/hf-token.bin`, { force: true }));
  // A stand-in keychain: reversible, and visibly not plain text on disk.
  const cipher = {
    encrypt: (t: string) => Buffer.from(t).reverse(),
    decrypt: (b: Buffer) => Buffer.from(b).reverse().toString(),
  };

  it('keeps the token encrypted on disk and reads it back; HF_TOKEN wins', () => {
    const store = new TokenStore(paths.dataDir, cipher);
    store.set('hf_secret_token');
    expect(fs.readFileSync(`${paths.dataDir}/hf-token.bin`, 'utf8')).not.toContain('hf_secret_token');
    expect(store.get({})).toBe('hf_secret_token');
    expect(store.get({ HF_TOKEN: 'hf_from_env' })).toBe('hf_from_env');
    store.set(null);
    expect(store.get({})).toBeNull();
  });
  it('refuses to store a token in plain text where there is no keychain', () => {
    const store = new TokenStore(paths.dataDir, null);
    expect(() => store.set('hf_secret_token')).toThrow(/HF_TOKEN/);
    expect(fs.existsSync(`${paths.dataDir}/hf-token.bin`)).toBe(false);
  });
});
