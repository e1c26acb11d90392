import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureWritableDir, writeFileAtomic } from './fs-atomic.js';

describe('file system helpers', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-fs-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('a data folder that cannot be made says which folder and what to do', () => {
    fs.writeFileSync(path.join(tmp, 'a-file'), 'x');
    expect(() => ensureWritableDir(path.join(tmp, 'a-file', 'data'), 'data folder')).toThrow(
      /The data folder .*a-file\/data cannot be written \(ENOTDIR\): check that the folder and its parents exist and are writable/,
    );
    ensureWritableDir(path.join(tmp, 'fresh', 'data'), 'data folder');
    expect(fs.statSync(path.join(tmp, 'fresh', 'data')).isDirectory()).toBe(true);
  });

  it('writes atomically, leaving no temp file behind', () => {
    const file = path.join(tmp, 'deep', 'settings.json');
    writeFileAtomic(file, '{"a":1}');
    writeFileAtomic(file, '{"a":2}');
    expect(fs.readFileSync(file, 'utf8')).toBe('{"a":2}');
    expect(fs.readdirSync(path.dirname(file))).toEqual(['settings.json']);
  });
});
