/**
 * The conversion worker: hashes the checkpoint (A1111's model hash) and
 * writes the model folder, posting progress. A worker of its own so a
 * multi-gigabyte conversion neither blocks the host nor waits behind
 * generation jobs, and cancelling is ending the thread.
 */
import fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { isStudioError } from '../../src-shared/domain/errors.js';
import { convertCheckpoint, fileSha256 } from '../engine/index.js';
import type { ConvertWorkerInput, ConvertWorkerMessage } from './convert-worker-protocol.js';

if (!parentPort) throw new Error('convert-worker must run as a worker thread');
const port = parentPort;
const post = (m: ConvertWorkerMessage) => port.postMessage(m);
const { file, template, out } = workerData as ConvertWorkerInput;

// No top-level await: the Electron build bundles workers as CommonJS.
async function run(): Promise<void> {
  let sha256: string | null = null;
  if (fs.statSync(file).isFile()) {
    post({ type: 'progress', phase: 'hashing', done: 0, total: 1 });
    sha256 = fileSha256(file);
  }
  const r = await convertCheckpoint(file, template, out, {
    sha256: sha256 ?? undefined,
    onProgress: (p) => post({ type: 'progress', phase: 'converting', done: p.done, total: p.total }),
  });
  post({ type: 'done', parameters: r.parameters, sha256 });
}

run().catch((err: unknown) =>
  post({
    type: 'error',
    error: isStudioError(err) ? err.toData() : { code: 'INTERNAL', message: (err as Error).message },
  }),
);
