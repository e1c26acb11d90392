/** Messages between the checkpoint-import service and its conversion worker thread. */
import type { StudioErrorData } from '../../src-shared/domain/errors.js';

export interface ConvertWorkerInput {
  file: string;
  template: string;
  out: string;
}

export type ConvertWorkerMessage =
  | { type: 'progress'; phase: 'hashing' | 'converting'; done: number; total: number }
  | { type: 'done'; parameters: number; sha256: string | null }
  | { type: 'error'; error: StudioErrorData };
