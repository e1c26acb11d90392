/**
 * The Hugging Face token for gated repositories, kept encrypted by the OS
 * keychain (Electron's safeStorage) in the data folder. Without a keychain
 * (studio serve, the command line) nothing is stored: HF_TOKEN is used.
 */
import fs from 'node:fs';
import path from 'node:path';
import { StudioError } from '../../src-shared/domain/errors.js';
import { writeFileAtomic } from '../fs-atomic.js';

export interface Cipher {
  encrypt(text: string): Buffer;
  decrypt(data: Buffer): string;
}

export class TokenStore {
  private readonly file: string;
  constructor(
    dataDir: string,
    private readonly cipher: Cipher | null,
  ) {
    this.file = path.join(dataDir, 'hf-token.bin');
  }

  get canStore(): boolean {
    return this.cipher !== null;
  }

  /** HF_TOKEN wins; then the stored one. */
  get(env: NodeJS.ProcessEnv = process.env): string | null {
    if (env.HF_TOKEN?.trim()) return env.HF_TOKEN.trim();
    if (!this.cipher || !fs.existsSync(this.file)) return null;
    try {
      return this.cipher.decrypt(fs.readFileSync(this.file));
    } catch {
      return null;
    }
  }

  set(token: string | null): void {
    if (token === null) {
      fs.rmSync(this.file, { force: true });
      return;
    }
    if (!this.cipher) {
      throw new StudioError(
        'INVALID_INPUT',
        'Tokens are stored only in the desktop app, in the OS keychain. For studio serve, set HF_TOKEN in its environment.',
      );
    }
    writeFileAtomic(this.file, this.cipher.encrypt(token));
  }
}
