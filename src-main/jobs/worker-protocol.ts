import type { SessionTuning } from '../engine/index.js';
/** Messages between the main process and the engine worker thread. */
import type { StudioErrorData } from '../../src-shared/domain/errors.js';
import type { GenerationFacts } from '../../src-shared/domain/generation.js';
import type { ProviderName } from '../../src-shared/domain/settings.js';
import type { ModelAdditions, PipelineRequest } from '../engine/index.js';

export type ToWorker =
  | {
      type: 'generate';
      jobId: string;
      modelDir: string;
      modelName: string;
      providers: ProviderName[];
      request: PipelineRequest;
      /** LoRAs and embeddings applied to the model for this job. */
      additions?: ModelAdditions;
      /** The model's short hash when the main process already knows it (saves hashing it again here). */
      modelHash?: string;
      /** Session settings (CPU threads); a change reloads the model. */
      tuning?: SessionTuning;
      appVersion: string;
    }
  | { type: 'cancel'; jobId: string }
  | { type: 'unload' }
  /** Stop the running job, release every session, then answer 'closed' (terminating mid-run aborts the process). */
  | { type: 'shutdown' };

export interface WorkerImage {
  index: number;
  seed: number;
  width: number;
  height: number;
  png: Uint8Array;
  facts: GenerationFacts;
}

export type FromWorker =
  | {
      type: 'progress';
      jobId: string;
      imageIndex: number;
      step: number;
      totalSteps: number;
      preview: Uint8Array | null;
    }
  | { type: 'image'; jobId: string; image: WorkerImage }
  | { type: 'done'; jobId: string; provider: ProviderName; providerNote: string | null; warnings: string[] }
  | { type: 'failed'; jobId: string; error: StudioErrorData; provider: ProviderName | null }
  | { type: 'closed' };
