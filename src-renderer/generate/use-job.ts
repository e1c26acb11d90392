import { useCallback, useEffect, useState } from 'react';
import type { GenerationRequest, JobDone, JobProgress, QueueState } from '../../src-shared/domain/engine.js';
import { client } from '../api/client.js';

export interface JobState {
  /** The job the engine is running now, whoever queued it. */
  activeJobId: string | null;
  /** Whether that job is this window's (another tab's job is shown as busy, never as our result). */
  activeIsMine: boolean;
  progress: JobProgress | null;
  /** Latest live preview as a data URL. */
  preview: string | null;
  /** The last finished job. */
  result: JobDone | null;
  /** Every picture this window made in this session, newest first (at most SESSION_LIMIT). */
  session: SessionImage[];
  error: string | null;
  /** Steps per second over the running job so far. */
  itPerSec: number | null;
  queue: QueueState;
}

const EMPTY_QUEUE: QueueState = { running: null, pending: [] };

export type SessionImage = JobDone['images'][number] & { jobId: string };
const SESSION_LIMIT = 32;

/**
 * The jobs this window submitted. Several windows share one engine queue;
 * each shows only its own progress and results. Kept in sessionStorage: per
 * tab, and it survives a reload of that tab.
 */
const MINE_KEY = 'latent-studio.my-jobs';
const mine = new Set<string>(
  (() => {
    try {
      return JSON.parse(sessionStorage.getItem(MINE_KEY) ?? '[]') as string[];
    } catch {
      return [];
    }
  })(),
);
function remember(jobId: string) {
  mine.add(jobId);
  try {
    sessionStorage.setItem(MINE_KEY, JSON.stringify([...mine].slice(-50)));
  } catch {
    // no storage: ownership holds for this page's life
  }
}
export const isMyJob = (jobId: string) => mine.has(jobId);
/** job.done events that came before engine.generate answered with their id (a job that failed at once). */
const earlyDone = new Map<string, JobDone>();

/** A finished job of this window: the last result, and its pictures at the front of the session strip. */
function withDone(s: JobState, d: JobDone): JobState {
  // A job cancelled while waiting does not replace what is on screen.
  if (d.status === 'cancelled' && s.activeJobId !== d.jobId && s.progress?.jobId !== d.jobId) return s;
  return {
    ...s,
    result: d,
    session: [...d.images.map((i) => ({ ...i, jobId: d.jobId })).reverse(), ...s.session].slice(0, SESSION_LIMIT),
    progress: s.progress?.jobId === d.jobId ? null : s.progress,
    error: d.status === 'failed' ? (d.error?.message ?? 'Generation failed') : null,
  };
}

/** Follows the engine queue: the running job's progress and preview, the last result, the waiting jobs. */
export function useJob() {
  const [state, setState] = useState<JobState>({
    activeJobId: null,
    activeIsMine: false,
    session: [],
    progress: null,
    preview: null,
    result: null,
    error: null,
    itPerSec: null,
    queue: EMPTY_QUEUE,
  });

  useEffect(() => {
    void client.invoke('jobs.list', {}).then(
      (queue) =>
        setState((s) => ({
          ...s,
          queue,
          activeJobId: queue.running?.jobId ?? null,
          activeIsMine: !!queue.running && mine.has(queue.running.jobId),
        })),
      () => {},
    );
    const offQueue = client.on('queue.changed', (queue) =>
      setState((s) => {
        const activeJobId = queue.running?.jobId ?? null;
        const activeIsMine = activeJobId !== null && mine.has(activeJobId);
        const switched = activeJobId !== s.activeJobId;
        return {
          ...s,
          queue,
          activeJobId,
          activeIsMine,
          ...(switched && activeIsMine
            ? { progress: null, preview: null, itPerSec: null, result: null, error: null }
            : {}),
        };
      }),
    );
    const offProgress = client.on('job.progress', (p) => {
      if (!mine.has(p.jobId)) return;
      const doneSteps = p.imageIndex * p.totalSteps + p.step;
      setState((s) => ({
        ...s,
        activeJobId: p.jobId,
        activeIsMine: true,
        progress: p,
        preview: p.preview ? `data:image/png;base64,${p.preview}` : s.progress?.jobId === p.jobId ? s.preview : null,
        itPerSec: p.elapsedMs > 0 ? (doneSteps * 1000) / p.elapsedMs : null,
      }));
    });
    const offDone = client.on('job.done', (d) => {
      if (!mine.has(d.jobId)) {
        earlyDone.set(d.jobId, d);
        if (earlyDone.size > 20) earlyDone.delete(earlyDone.keys().next().value!);
        return;
      }
      setState((s) => withDone(s, d));
    });
    return () => {
      offQueue();
      offProgress();
      offDone();
    };
  }, []);

  /** Queues a job; its id, or null when the engine refused it (the error is in the state). */
  const start = useCallback(async (request: GenerationRequest): Promise<string | null> => {
    try {
      const { jobId } = await client.invoke('engine.generate', request);
      remember(jobId);
      // queue.changed may have announced it before this answer came: it is ours after all.
      setState((s) =>
        s.activeJobId === jobId
          ? { ...s, activeIsMine: true, progress: null, preview: null, itPerSec: null, result: null, error: null }
          : s,
      );
      const done = earlyDone.get(jobId);
      if (done) {
        earlyDone.delete(jobId);
        setState((s) => withDone(s, done));
      }
      return jobId;
    } catch (err) {
      setState((s) => ({ ...s, error: (err as Error).message }));
      return null;
    }
  }, []);

  /** Jobs this window started some other way (a plot's cells): their progress and results show here. */
  const adopt = useCallback((jobIds: readonly string[]) => {
    for (const id of jobIds) {
      remember(id);
      // A fast cell can finish before the window learns it is its own.
      const done = earlyDone.get(id);
      if (done) {
        earlyDone.delete(id);
        setState((s) => withDone(s, done));
      }
    }
  }, []);

  /** Cancels a job by id, or this window's running job (never another window's by default). */
  const cancel = useCallback(
    async (jobId?: string) => {
      const id = jobId ?? (state.activeIsMine ? state.activeJobId : null);
      if (id) await client.invoke('job.cancel', { jobId: id }).catch(() => {});
    },
    [state.activeJobId, state.activeIsMine],
  );

  const move = useCallback(async (jobId: string, index: number) => {
    await client.invoke('jobs.move', { jobId, index }).catch(() => {});
  }, []);

  return {
    state,
    start,
    adopt,
    cancel,
    move,
    /** The engine is busy (with any window's job): new jobs queue. */
    running: state.queue.running !== null,
    /** This window's job is the one running. */
    runningMine: state.activeIsMine,
  };
}
