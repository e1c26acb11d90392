import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveInside } from './path-inside.js';

describe('resolveInside', () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-static-'));
  const root = path.join(base, 'root');
  fs.mkdirSync(path.join(root, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(root, 'assets', 'app.js'), '');
  fs.writeFileSync(path.join(base, 'secret.txt'), 'secret');
  fs.symlinkSync(path.join(base, 'secret.txt'), path.join(root, 'link.txt'));
  afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

  it('finds files inside the root', () => {
    expect(resolveInside(root, '/assets/app.js')).toBe(fs.realpathSync(path.join(root, 'assets', 'app.js')));
  });
  it.each([
    ['dot-dot', '/../secret.txt'],
    ['encoded dot-dot', '/%2e%2e/secret.txt'],
    ['encoded slash', '/..%2fsecret.txt'],
    ['absolute', path.join(base, 'secret.txt')],
    ['backslash', '/..\\secret.txt'],
    ['NUL byte', '/assets/app.js%00.png'],
    ['symlink out of the root', '/link.txt'],
    ['bad escape', '/%E0%A4%A'],
  ])('refuses %s', (_name, p) => {
    expect(resolveInside(root, p)).toBeNull();
  });
});
