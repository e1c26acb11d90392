/**
 * Model management for the app: installs running in the background with
 * progress events, folder import (copy or link in place) and removal.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { StudioError, isStudioError } from '../../src-shared/domain/errors.js';
import type { Emit } from '../../src-shared/contract.js';
import { readModelFolder } from '../engine/index.js';
import { ModelInstaller, type InstallRequest } from './model-installer.js';
import { HubClient } from './hub-client.js';
import { assertModelName, isWholeModelFolder, type ModelRegistry } from './model-registry.js';

export class ModelService {
  private readonly installs = new Map<string, AbortController>();

  constructor(
    private readonly emit: Emit,
    readonly registry: ModelRegistry,
    private readonly modelsDir: () => string,
    private readonly hubClient: () => HubClient = () => new HubClient(),
  ) {}

  install(req: InstallRequest): string {
    const installId = crypto.randomUUID();
    const controller = new AbortController();
    this.installs.set(installId, controller);
    fs.mkdirSync(this.modelsDir(), { recursive: true });
    const installer = new ModelInstaller(this.modelsDir(), this.hubClient());
    void installer
      .install(req, {
        signal: controller.signal,
        onProgress: (p) => this.emit('models.installProgress', { installId, repo: req.repo, ...p }),
      })
      .then(
        (name) => {
          void this.registry.hash(path.join(this.modelsDir(), name));
          this.emit('models.installDone', { installId, repo: req.repo, status: 'succeeded', name, error: null });
        },
        (err: unknown) => {
          const error = isStudioError(err) ? err.toData() : { code: 'INTERNAL', message: (err as Error).message };
          this.emit('models.installDone', {
            installId,
            repo: req.repo,
            status: error.code === 'CANCELLED' ? 'cancelled' : 'failed',
            name: null,
            error,
          });
        },
      )
      .finally(() => this.installs.delete(installId));
    return installId;
  }

  cancel(installId: string): boolean {
    const c = this.installs.get(installId);
    c?.abort();
    return c !== undefined;
  }

  /** Copies a model folder in, or links it where it is. */
  importFolder(source: string, mode: 'copy' | 'link', name?: string): string {
    if (!path.isAbsolute(source)) throw new StudioError('INVALID_INPUT', 'Give the model folder as an absolute path');
    const folder = readModelFolder(source);
    const finalName = name ?? folder.name;
    assertModelName(finalName);
    const target = path.join(this.modelsDir(), finalName);
    if (fs.existsSync(target))
      throw new StudioError('INVALID_INPUT', `A model named "${finalName}" is already installed`);
    fs.mkdirSync(this.modelsDir(), { recursive: true });
    if (mode === 'link') {
      fs.symlinkSync(path.resolve(source), target, process.platform === 'win32' ? 'junction' : 'dir');
    } else {
      const tmp = path.join(this.modelsDir(), '.downloads', `copy-${crypto.randomBytes(4).toString('hex')}`);
      try {
        fs.cpSync(source, tmp, { recursive: true, dereference: true });
        fs.renameSync(tmp, target);
      } catch (err) {
        fs.rmSync(tmp, { recursive: true, force: true });
        throw new StudioError('INTERNAL', `Copying the model failed: ${(err as Error).message}`);
      }
    }
    void this.registry.hash(target);
    return finalName;
  }

  /**
   * Removes a model from the user's models folder (a linked one: only the link).
   * Only a folder the registry lists as a model, holding nothing but model
   * parts, is removed; anything else in the models folder is refused untouched.
   */
  delete(name: string): boolean {
    assertModelName(name);
    const target = path.join(this.modelsDir(), name);
    const st = fs.lstatSync(target, { throwIfNoEntry: false });
    if (!st) {
      this.registry.find(name); // builtin models answer here with a clear error
      throw new StudioError('INVALID_INPUT', `"${name}" ships with the app and cannot be removed`);
    }
    const listed = this.registry.list().some((m) => m.name === name && m.source === 'user');
    if (st.isSymbolicLink() && listed) {
      fs.unlinkSync(target);
      return true;
    }
    if (!listed || !st.isDirectory() || !isWholeModelFolder(target))
      throw new StudioError(
        'INVALID_INPUT',
        `"${name}" in the models folder is not a model folder the studio recognises, so it was left alone; remove it yourself if you mean to`,
      );
    fs.rmSync(target, { recursive: true, force: true });
    return true;
  }
}
