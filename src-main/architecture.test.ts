import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');

function sources(dir: string, withTests = false): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) return sources(rel, withTests);
    return /\.(ts|tsx)$/.test(e.name) && (withTests || !/\.test\.tsx?$/.test(e.name)) ? [rel] : [];
  });
}

function imports(file: string): string[] {
  const text = fs.readFileSync(path.join(root, file), 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
}

/** Imports of `files` that match `forbidden`, as "file -> module". */
function violations(files: string[], forbidden: (mod: string, file: string) => boolean): string[] {
  return files.flatMap((f) =>
    imports(f)
      .filter((m) => forbidden(m, f))
      .map((m) => `${f} -> ${m}`),
  );
}

describe('the folder says where code runs', () => {
  it('src-shared is pure: no node, electron or DOM-only modules', () => {
    expect(
      violations(
        sources('src-shared'),
        (m) => m.startsWith('node:') || m === 'electron' || m.startsWith('../src-main') || m.includes('src-renderer'),
      ),
    ).toEqual([]);
  });
  it("only src-main/electron imports 'electron'", () => {
    const files = [...sources('src-main'), ...sources('src-renderer'), ...sources('src-shared')].filter(
      (f) => !f.startsWith(path.join('src-main', 'electron')),
    );
    expect(violations(files, (m) => m === 'electron')).toEqual([]);
  });
  it('the engine imports no IPC, gallery, PNG metadata, jobs, database or Electron code', () => {
    expect(
      violations(
        sources(path.join('src-main', 'engine')),
        (m) =>
          /\/(ipc|gallery|host|electron|jobs|pngmeta|models|cli)\//.test(m) ||
          m === 'better-sqlite3' ||
          m === 'electron',
      ),
    ).toEqual([]);
  });
  it('everything outside the engine enters it through engine/index.ts only', () => {
    const outside = [...sources('src-main', true), ...sources('e2e', true)].filter(
      (f) => !f.startsWith(path.join('src-main', 'engine') + path.sep),
    );
    expect(violations(outside, (m) => /(^|\/)engine\/(?!index\.js$)/.test(m))).toEqual([]);
  });
  it('services import no transport: the gallery, models and jobs never reach into host/ or ipc/', () => {
    const services = ['gallery', 'models', 'jobs'].flatMap((d) => sources(path.join('src-main', d)));
    expect(violations(services, (m) => /\/(host|ipc|electron)\//.test(m))).toEqual([]);
  });
  it('the renderer talks to main only through the typed client (no node modules, no src-main)', () => {
    expect(
      violations(
        sources('src-renderer'),
        (m) => m.startsWith('node:') || m.includes('src-main') || m === 'onnxruntime-node' || m === 'better-sqlite3',
      ),
    ).toEqual([]);
  });
});
