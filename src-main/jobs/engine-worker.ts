/**
 * The engine's worker thread. onnxruntime-node's session.run() blocks the
 * thread it runs on, so inference lives here and the main process stays free
 * to answer IPC. One job at a time; cancel aborts between model calls.
 */
import { parentPort } from 'node:worker_threads';
import { StudioError, isStudioError } from '../../src-shared/domain/errors.js';
import { encodePng, redactPaths } from '../engine/index.js';
import { ModelCache, generatePngs } from './generation.js';
import type { FromWorker, ToWorker } from './worker-protocol.js';

if (!parentPort) throw new Error('engine-worker must run as a worker thread');
const port = parentPort;
const cache = new ModelCache();
const running = new Map<string, AbortController>();
const post = (msg: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(msg, transfer);

async function generate(msg: Extract<ToWorker, { type: 'generate' }>): Promise<void> {
  const controller = new AbortController();
  running.set(msg.jobId, controller);
  let lastPreview = 0;
  // Posts go through one chain so progress never overtakes the images and the end of the job.
  let chain: Promise<void> = Promise.resolve();
  const inOrder = (fn: () => Promise<void> | void) => {
    chain = chain.then(fn, fn);
  };
  try {
    const result = await generatePngs(cache, msg.modelDir, msg.providers, msg.request, {
      signal: controller.signal,
      appVersion: msg.appVersion,
      modelName: msg.modelName,
      additions: msg.additions,
      modelHash: msg.modelHash,
      tuning: msg.tuning,
      onStep: (info) => {
        // Previews at most ~10 per second; the last step always gets one.
        const now = Date.now();
        const wantPreview = now - lastPreview > 100 || info.step === info.totalSteps;
        const send = (preview: Uint8Array | null) =>
          post({
            type: 'progress',
            jobId: msg.jobId,
            imageIndex: info.imageIndex,
            step: info.step,
            totalSteps: info.totalSteps,
            preview,
          });
        if (!wantPreview) return inOrder(() => send(null));
        lastPreview = now;
        const rgb = info.preview();
        inOrder(() =>
          encodePng(rgb).then(
            (png) => send(png),
            () => send(null),
          ),
        );
      },
      onImage: (image) =>
        inOrder(() => post({ type: 'image', jobId: msg.jobId, image: { ...image, png: new Uint8Array(image.png) } })),
    });
    await chain;
    post({
      type: 'done',
      jobId: msg.jobId,
      provider: result.provider,
      providerNote: result.providerNote,
      warnings: result.warnings,
    });
  } catch (err) {
    await chain;
    // The full error (paths, stack, the runtime's cause) goes to the log; the client gets it without paths.
    if (!isStudioError(err) || err.code !== 'CANCELLED') console.error('[engine]', err, (err as Error)?.cause ?? '');
    const error = isStudioError(err)
      ? err.toData()
      : new StudioError(
          'INTERNAL',
          `Generation failed: ${redactPaths((err as Error)?.message?.split('\n')[0] ?? String(err))}`,
        ).toData();
    post({ type: 'failed', jobId: msg.jobId, error, provider: null });
  } finally {
    running.delete(msg.jobId);
  }
}

let queue = Promise.resolve();
port.on('message', (msg: ToWorker) => {
  if (msg.type === 'cancel') {
    running.get(msg.jobId)?.abort();
  } else if (msg.type === 'unload') {
    queue = queue.then(() => cache.unload());
  } else if (msg.type === 'shutdown') {
    for (const controller of running.values()) controller.abort();
    queue = queue.then(() => cache.unload()).then(() => post({ type: 'closed' }));
  } else if (msg.type === 'generate') {
    queue = queue.then(() => generate(msg));
  }
});
