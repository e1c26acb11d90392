/**
 * The gallery's Upscale action: an item's picture through an upscaler in a
 * worker thread, with progress and cancel, saved as a new item whose parent
 * is the original (its settings are the parent's: remixing it makes the
 * parent's picture again; the upscale is in its PNG as A1111's extras line).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { Emit } from '../../src-shared/contract.js';
import { StudioError } from '../../src-shared/domain/errors.js';
import type { UpscaleWorkerInput, UpscaleWorkerMessage } from '../jobs/upscale-worker.js';
import type { GalleryService } from './gallery-service.js';

export class UpscaleTasks {
  private readonly running = new Map<string, { worker: Worker; cancelled: boolean }>();

  constructor(
    private readonly emit: Emit,
    private readonly gallery: GalleryService,
    /** An upscaler's file by its name in the models folder's upscalers/ (undefined when absent). */
    private readonly upscalerFile: (name: string) => string | undefined,
    private readonly workerFile: string,
  ) {}

  start(req: { id: number; upscaler: string; scale: number }): string {
    const item = this.gallery.store.get(req.id);
    const lanczos = req.upscaler.toLowerCase() === 'lanczos';
    const file = lanczos ? null : this.upscalerFile(req.upscaler.replace(/\.onnx$/i, ''));
    if (!lanczos && !file)
      throw new StudioError('INVALID_INPUT', `No upscaler "${req.upscaler}" in the models folder's upscalers/`);
    const imagePath = this.gallery.store.files.abs(item.image);
    if (!fs.existsSync(imagePath)) throw new StudioError('NOT_FOUND', `The picture of item ${req.id} is missing`);
    const taskId = crypto.randomUUID();
    const input: UpscaleWorkerInput = {
      bytes: fs.readFileSync(imagePath),
      upscalerFile: file ?? null,
      scale: req.scale,
    };
    const worker = new Worker(this.workerFile, { workerData: input });
    const run = { worker, cancelled: false };
    let answered = false;
    this.running.set(taskId, run);
    const started = Date.now();
    let settled = false;
    const finish = (
      status: 'succeeded' | 'failed' | 'cancelled',
      newId: number | null,
      error: { code: string; message: string } | null,
    ) => {
      if (settled) return;
      settled = true;
      this.running.delete(taskId);
      void worker.terminate();
      if (newId !== null) this.emit('gallery.added', { ids: [newId] });
      this.emit('gallery.upscaleDone', { taskId, id: req.id, status, newId, error });
    };
    worker.on('message', (m: UpscaleWorkerMessage) => {
      if (m.type !== 'progress') answered = true;
      if (m.type === 'progress')
        this.emit('gallery.upscaleProgress', { taskId, id: req.id, done: m.done, total: m.total });
      else if (m.type === 'error') finish('failed', null, m.error);
      else
        this.gallery
          .saveUpscaled(
            req.id,
            Buffer.from(m.png),
            { upscaler: m.upscaler, scale: m.scale, how: m.how },
            Date.now() - started,
          )
          .then(
            (newId) => finish('succeeded', newId, null),
            (err: Error) => finish('failed', null, { code: 'INTERNAL', message: err.message }),
          );
    });
    worker.on('error', (err) => finish('failed', null, { code: 'INTERNAL', message: err.message }));
    worker.on('exit', () => {
      // After 'done' the save is still under way; only an exit before any answer ends the task here.
      if (answered) return;
      if (run.cancelled) finish('cancelled', null, null);
      else finish('failed', null, { code: 'INTERNAL', message: 'the upscale stopped' });
    });
    return taskId;
  }

  cancel(taskId: string): boolean {
    const run = this.running.get(taskId);
    if (!run) return false;
    run.cancelled = true;
    void run.worker.terminate();
    return true;
  }

  async close(): Promise<void> {
    for (const id of [...this.running.keys()]) this.cancel(id);
  }
}
