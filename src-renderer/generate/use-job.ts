import { useCallback, useEffect, useState } from 'react';
import type { GenerationRequest, JobDone, JobProgress, QueueState } from '../../src-shared/domain/engine.js';
import { client } from '../api/client.js';

export interface JobState {
  /** The job the engine is running now, whoever queued it. */
  activeJobId: string | null;
  progress: JobProgress | null;
  /** Latest live preview as a data URL. */
  preview: string | null;
  /** The last finished job. */
  result: JobDone | null;
  error: string | null;
  /** Steps per second over the running job so far. */
  itPerSec: number | null;
  queue: QueueState;
}

const EMPTY_QUEUE: QueueState = { running: null, pending: [] };

/** Follows the engine queue: the running job's progress and preview, the last result, the waiting jobs. */
export function useJob() {
  const [state, setState] = useState<JobState>({
    activeJobId: null,
    progress: null,
    preview: null,
    result: null,
    error: null,
    itPerSec: null,
    queue: EMPTY_QUEUE,
  });

  useEffect(() => {
    void client.invoke('jobs.list', {}).then(
      (queue) => setState((s) => ({ ...s, queue, activeJobId: queue.running?.jobId ?? null })),
      () => {},
    );
    const offQueue = client.on('queue.changed', (queue) =>
      setState((s) => {
        const activeJobId = queue.running?.jobId ?? null;
        const switched = activeJobId !== s.activeJobId;
        return {
          ...s,
          queue,
          activeJobId,
          ...(switched && activeJobId
            ? { progress: null, preview: null, itPerSec: null, result: null, error: null }
            : {}),
        };
      }),
    );
    const offProgress = client.on('job.progress', (p) => {
      const doneSteps = p.imageIndex * p.totalSteps + p.step;
      setState((s) => ({
        ...s,
        activeJobId: p.jobId,
        progress: p,
        preview: p.preview ? `data:image/png;base64,${p.preview}` : s.progress?.jobId === p.jobId ? s.preview : null,
        itPerSec: p.elapsedMs > 0 ? (doneSteps * 1000) / p.elapsedMs : null,
      }));
    });
    const offDone = client.on('job.done', (d) => {
      setState((s) => ({
        ...s,
        // A job cancelled while waiting does not replace what is on screen.
        ...(d.status === 'cancelled' && s.activeJobId !== d.jobId && s.progress?.jobId !== d.jobId
          ? {}
          : {
              result: d,
              progress: s.progress?.jobId === d.jobId ? null : s.progress,
              error: d.status === 'failed' ? (d.error?.message ?? 'Generation failed') : null,
            }),
      }));
    });
    return () => {
      offQueue();
      offProgress();
      offDone();
    };
  }, []);

  const start = useCallback(async (request: GenerationRequest) => {
    try {
      await client.invoke('engine.generate', request);
    } catch (err) {
      setState((s) => ({ ...s, error: (err as Error).message }));
    }
  }, []);

  const cancel = useCallback(
    async (jobId?: string) => {
      const id = jobId ?? state.activeJobId;
      if (id) await client.invoke('job.cancel', { jobId: id }).catch(() => {});
    },
    [state.activeJobId],
  );

  const move = useCallback(async (jobId: string, index: number) => {
    await client.invoke('jobs.move', { jobId, index }).catch(() => {});
  }, []);

  return { state, start, cancel, move, running: state.queue.running !== null };
}
