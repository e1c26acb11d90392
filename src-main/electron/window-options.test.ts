import { describe, expect, it } from 'vitest';
import { secureWindowOptions } from './window-options.js';
import { CONTENT_SECURITY_POLICY } from '../host/csp.js';

describe('the BrowserWindow options', () => {
  it('isolate and sandbox the renderer', () => {
    const prefs = secureWindowOptions('/app/preload.cjs').webPreferences!;
    expect(prefs).toMatchObject({
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      sandbox: true,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      preload: '/app/preload.cjs',
    });
  });
  it('the CSP allows no remote scripts or connections', () => {
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("connect-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/https?:/);
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-eval');
  });
});
