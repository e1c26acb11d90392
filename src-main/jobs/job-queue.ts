/**
 * Generation jobs on the main side: a FIFO queue in front of the engine
 * worker, cancellation (queued or running), and the job.progress / job.done
 * events with step, ETA and the live preview.
 */
import type { SessionTuning } from '../engine/index.js';
import crypto from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { GenerationParams, JobDone, QueuedJob, QueueState } from '../../src-shared/domain/engine.js';
import type { Emit } from '../../src-shared/contract.js';
import { StudioError } from '../../src-shared/domain/errors.js';
import { pickSettings } from '../../src-shared/domain/generation.js';
import type { ProviderName } from '../../src-shared/domain/settings.js';
import type { ModelAdditions, PipelineRequest } from '../engine/index.js';
import type { FromWorker, ToWorker, WorkerImage } from './worker-protocol.js';
import { randomSeed } from './seeds.js';

export interface JobQueueOptions {
  emit: Emit;
  workerFile: string;
  appVersion: string;
  /** Model name -> folder; throws MODEL_NOT_FOUND. */
  resolveModel: (name: string) => string;
  /** The LoRAs and embeddings a request's prompts ask for; throws when one is missing. */
  resolveAdditions?: (params: GenerationParams) => ModelAdditions;
  providerOrder: (params: GenerationParams) => ProviderName[];
  /** Hires fix's ONNX upscaler file by name; throws when the models folder lacks it. */
  resolveUpscaler?: (name: string) => string;
  /** Session settings for the next job (the CPU threads setting), read when it starts. */
  tuning?: () => SessionTuning;
  /** The model folder's short hash if already known (the registry's cache), so images are saved without waiting for it. */
  knownModelHash?: (modelDir: string) => string | null;
  /**
   * Called for each finished image before job.done is sent (the gallery saves it here): its gallery id,
   * and a note for the user when there is one (the picture was already in the gallery).
   */
  onImage?: (
    job: { id: string; params: GenerationParams; durationMs: () => number },
    image: WorkerImage,
  ) => Promise<SavedImage> | SavedImage;
}

export interface SavedImage {
  galleryId: number | null;
  note?: string;
}

interface Job {
  id: string;
  params: GenerationParams;
  request: PipelineRequest;
  additions: ModelAdditions | undefined;
  modelDir: string;
  providers: ProviderName[];
  startedAt: number;
  images: WorkerImage[];
  galleryIds: Map<number, number>;
  pendingSaves: Promise<unknown>[];
  /** What saving the images reported (one could not be saved: disk full; one was already there), sent with the job. */
  saveNotes: string[];
}

export class JobQueue {
  private readonly pending: Job[] = [];
  private running: Job | null = null;
  private worker: Worker | null = null;
  private closing = false;

  constructor(private readonly opts: JobQueueOptions) {}

  submit(params: GenerationParams): string {
    const modelDir = this.opts.resolveModel(params.model);
    const additions = this.opts.resolveAdditions?.(params);
    const seed = params.seed < 0 ? randomSeed() : params.seed;
    const resolved: GenerationParams = { ...params, seed };
    const named = params.hiresUpscaler && !['latent', 'lanczos'].includes(params.hiresUpscaler);
    const request: PipelineRequest = {
      ...pickSettings(resolved),
      ...(named && (params.hiresScale ?? 1) > 1 && this.opts.resolveUpscaler
        ? { hiresUpscalerFile: this.opts.resolveUpscaler(params.hiresUpscaler!) }
        : {}),
      batchCount: params.batchCount,
      initImage: params.initImage ? Buffer.from(params.initImage, 'base64') : undefined,
      mask: params.mask ? Buffer.from(params.mask, 'base64') : undefined,
    };
    const job: Job = {
      id: crypto.randomUUID(),
      params: resolved,
      request,
      additions,
      modelDir,
      providers: this.opts.providerOrder(params),
      startedAt: 0,
      images: [],
      galleryIds: new Map(),
      pendingSaves: [],
      saveNotes: [],
    };
    this.pending.push(job);
    this.pump();
    this.announce();
    return job.id;
  }

  /** Moves a pending job to position `index` among the pending ones. */
  move(jobId: string, index: number): QueueState {
    const from = this.pending.findIndex((j) => j.id === jobId);
    if (from < 0) throw new StudioError('NOT_FOUND', 'That job is not waiting in the queue');
    const [job] = this.pending.splice(from, 1);
    this.pending.splice(Math.min(index, this.pending.length), 0, job!);
    this.announce();
    return this.state();
  }

  state(): QueueState {
    const summary = (j: Job): QueuedJob => ({
      jobId: j.id,
      mode: j.params.mode,
      prompt: j.params.prompt,
      model: j.params.model,
      steps: j.params.steps,
      width: j.params.width,
      height: j.params.height,
      batchCount: j.params.batchCount,
    });
    return { running: this.running ? summary(this.running) : null, pending: this.pending.map(summary) };
  }

  private announce(): void {
    this.opts.emit('queue.changed', this.state());
  }

  cancel(jobId: string): boolean {
    const index = this.pending.findIndex((j) => j.id === jobId);
    if (index >= 0) {
      const [job] = this.pending.splice(index, 1);
      this.finish(job!, {
        status: 'cancelled',
        error: { code: 'CANCELLED', message: 'Cancelled before it started' },
        provider: null,
        providerNote: null,
        warnings: [],
      });
      this.announce();
      return true;
    }
    if (this.running?.id === jobId) {
      this.post({ type: 'cancel', jobId });
      return true;
    }
    return false;
  }

  /**
   * Stops the engine: pending jobs are dropped, the running one is cancelled
   * (it stops within a model call), the sessions are released, then the
   * thread ends. Terminating a thread inside onnxruntime's run() aborts the
   * whole process, so it is only forced after `graceMs`.
   */
  async close(graceMs = 20_000): Promise<void> {
    this.closing = true;
    this.pending.length = 0;
    const w = this.worker;
    if (!w) return;
    const closed = new Promise<void>((resolve) => {
      w.on('message', (msg: FromWorker) => msg.type === 'closed' && resolve());
      w.once('exit', () => resolve());
    });
    let timer: NodeJS.Timeout | undefined;
    w.postMessage({ type: 'shutdown' } satisfies ToWorker);
    await Promise.race([closed, new Promise((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    this.worker = null;
    await w.terminate();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.opts.workerFile);
    worker.on('message', (msg: FromWorker) => this.onMessage(msg));
    const crashed = (reason: string) => {
      if (this.worker !== worker) return;
      this.worker = null;
      const job = this.running;
      if (job) {
        this.finish(job, {
          status: 'failed',
          error: {
            code: 'INTERNAL',
            message: `The engine stopped unexpectedly (${reason}); it restarts with the next job.`,
          },
          provider: null,
          providerNote: null,
          warnings: [],
        });
      }
    };
    worker.on('error', (err) => crashed(err.message.split('\n')[0]!));
    worker.on('exit', (code) => crashed(`exit code ${code}`));
    this.worker = worker;
    return worker;
  }

  private post(msg: ToWorker): void {
    this.ensureWorker().postMessage(msg);
  }

  private pump(): void {
    if (this.closing || this.running || this.pending.length === 0) return;
    const job = this.pending.shift()!;
    this.running = job;
    job.startedAt = Date.now();
    this.post({
      type: 'generate',
      jobId: job.id,
      modelDir: job.modelDir,
      modelName: job.params.model,
      providers: job.providers,
      request: job.request,
      additions: job.additions,
      modelHash: this.opts.knownModelHash?.(job.modelDir) ?? undefined,
      tuning: this.opts.tuning?.(),
      appVersion: this.opts.appVersion,
    });
  }

  private onMessage(msg: FromWorker): void {
    if (msg.type === 'closed') return; // close() waits for it
    const job = this.running;
    if (!job || job.id !== msg.jobId) return;
    if (msg.type === 'progress') {
      const elapsedMs = Date.now() - job.startedAt;
      const done = msg.imageIndex * msg.totalSteps + msg.step;
      const total = job.params.batchCount * msg.totalSteps;
      this.opts.emit('job.progress', {
        jobId: job.id,
        imageIndex: msg.imageIndex,
        batchCount: job.params.batchCount,
        step: msg.step,
        totalSteps: msg.totalSteps,
        elapsedMs,
        etaMs: done > 0 ? Math.round((elapsedMs / done) * (total - done)) : null,
        preview: msg.preview ? Buffer.from(msg.preview).toString('base64') : null,
      });
    } else if (msg.type === 'image') {
      job.images.push(msg.image);
      const onImage = this.opts.onImage;
      if (onImage) {
        const image = msg.image;
        const save = Promise.resolve()
          .then(() => onImage({ id: job.id, params: job.params, durationMs: () => Date.now() - job.startedAt }, image))
          .then(({ galleryId, note }) => {
            if (galleryId !== null) job.galleryIds.set(image.index, galleryId);
            if (note) job.saveNotes.push(`Image ${image.index + 1}: ${note}`);
          })
          .catch((err: Error) => {
            job.saveNotes.push(`Image ${image.index + 1} could not be saved to the gallery: ${err.message}`);
          });
        job.pendingSaves.push(save);
      }
    } else if (msg.type === 'done') {
      this.finish(job, {
        status: 'succeeded',
        error: null,
        provider: msg.provider,
        providerNote: msg.providerNote,
        warnings: msg.warnings,
      });
    } else if (msg.type === 'failed') {
      const status = msg.error.code === 'CANCELLED' ? 'cancelled' : 'failed';
      this.finish(job, { status, error: msg.error, provider: msg.provider, providerNote: null, warnings: [] });
    }
  }

  private finish(
    job: Job,
    outcome: Pick<JobDone, 'status' | 'error' | 'provider' | 'providerNote' | 'warnings'>,
  ): void {
    if (this.running === job) this.running = null;
    this.pump();
    this.announce();
    void Promise.allSettled(job.pendingSaves).then(() => {
      this.opts.emit('job.done', {
        jobId: job.id,
        ...outcome,
        warnings: [...outcome.warnings, ...job.saveNotes],
        images: job.images.map((i) => ({
          index: i.index,
          seed: i.seed,
          width: i.width,
          height: i.height,
          png: Buffer.from(i.png).toString('base64'),
          galleryId: job.galleryIds.get(i.index) ?? null,
        })),
        totalMs: job.startedAt ? Date.now() - job.startedAt : 0,
      });
    });
  }
}
