import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinModelsDirIn, osAppDataDir, resolveStudioPaths } from './paths.js';

describe('resolveStudioPaths', () => {
  it('puts data and models under STUDIO_HOME when it is set', () => {
    const p = resolveStudioPaths({ STUDIO_HOME: '/tmp/portable' }, 'linux');
    expect(p.dataDir).toBe(path.resolve('/tmp/portable/data'));
    expect(p.modelsDir).toBe(path.resolve('/tmp/portable/models'));
  });
  it("uses the OS's application-data folder otherwise", () => {
    expect(osAppDataDir({ XDG_DATA_HOME: '/x/share' }, 'linux')).toBe('/x/share/latent-studio');
    expect(osAppDataDir({ APPDATA: 'C:/Users/a/AppData/Roaming' }, 'win32')).toContain('Latent Studio');
    expect(osAppDataDir({}, 'darwin')).toContain(path.join('Library', 'Application Support', 'Latent Studio'));
    expect(resolveStudioPaths({ XDG_DATA_HOME: '/x/share' }, 'linux').dataDir).toBe('/x/share/latent-studio/data');
  });
  it('the built-in models folder is the one in the app, unpacked beside app.asar when packaged', () => {
    expect(resolveStudioPaths({}, 'linux').builtinModelsDir).toBe(path.resolve(import.meta.dirname, '..', 'models'));
    expect(builtinModelsDirIn('/opt/Latent Studio/resources/app.asar')).toBe(
      '/opt/Latent Studio/resources/app.asar.unpacked/models',
    );
  });
});
