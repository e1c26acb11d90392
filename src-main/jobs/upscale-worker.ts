/**
 * The gallery's Upscale action in a worker thread: an ONNX upscaler's
 * session.run blocks the thread it runs on, so it stays off the host's.
 * Cancelling is ending the thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isStudioError } from '../../src-shared/domain/errors.js';
import { upscalePicture } from './upscale-picture.js';

export interface UpscaleWorkerInput {
  bytes: Uint8Array;
  upscalerFile: string | null;
  scale: number;
}

export type UpscaleWorkerMessage =
  | { type: 'progress'; done: number; total: number }
  | { type: 'done'; png: Uint8Array; width: number; height: number; upscaler: string; scale: number; how: string }
  | { type: 'error'; error: { code: string; message: string } };

if (!parentPort) throw new Error('upscale-worker must run as a worker thread');
const port = parentPort;
const post = (m: UpscaleWorkerMessage) => port.postMessage(m);
const input = workerData as UpscaleWorkerInput;

upscalePicture(input.bytes, {
  upscalerFile: input.upscalerFile,
  scale: input.scale,
  onTile: (done, total) => post({ type: 'progress', done, total }),
}).then(
  (r) =>
    post({
      type: 'done',
      png: r.png,
      width: r.width,
      height: r.height,
      upscaler: r.upscaler,
      scale: r.scale,
      how: r.how,
    }),
  (err: unknown) =>
    post({
      type: 'error',
      error: isStudioError(err) ? err.toData() : { code: 'INTERNAL', message: (err as Error).message },
    }),
);
