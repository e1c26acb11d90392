import { useCallback, useEffect, useRef, useState } from 'react';
import type { GenerationRequest, JobDone, JobProgress } from '../../src-shared/domain/engine.js';
import { client } from '../api/client.js';

export interface JobState {
  jobId: string | null;
  progress: JobProgress | null;
  /** Latest live preview as a data URL. */
  preview: string | null;
  result: JobDone | null;
  error: string | null;
  /** Steps per second over the job so far. */
  itPerSec: number | null;
}

const IDLE: JobState = { jobId: null, progress: null, preview: null, result: null, error: null, itPerSec: null };

/** Runs one generation at a time and follows its job.progress / job.done events. */
export function useJob() {
  const [state, setState] = useState<JobState>(IDLE);
  const current = useRef<string | null>(null);

  useEffect(() => {
    const offProgress = client.on('job.progress', (p) => {
      if (p.jobId !== current.current) return;
      const doneSteps = p.imageIndex * p.totalSteps + p.step;
      setState((s) => ({
        ...s,
        progress: p,
        preview: p.preview ? `data:image/png;base64,${p.preview}` : s.preview,
        itPerSec: p.elapsedMs > 0 ? (doneSteps * 1000) / p.elapsedMs : null,
      }));
    });
    const offDone = client.on('job.done', (d) => {
      if (d.jobId !== current.current) return;
      current.current = null;
      setState((s) => ({ ...s, jobId: null, result: d, error: d.status === 'failed' ? (d.error?.message ?? 'Generation failed') : null }));
    });
    return () => {
      offProgress();
      offDone();
    };
  }, []);

  const start = useCallback(async (request: GenerationRequest) => {
    setState({ ...IDLE });
    try {
      const { jobId } = await client.invoke('engine.generate', request);
      current.current = jobId;
      setState((s) => ({ ...s, jobId }));
    } catch (err) {
      setState({ ...IDLE, error: (err as Error).message });
    }
  }, []);

  const cancel = useCallback(async () => {
    const id = current.current;
    if (id) await client.invoke('job.cancel', { jobId: id }).catch(() => {});
  }, []);

  return { state, start, cancel, running: state.jobId !== null };
}
