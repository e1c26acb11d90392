/**
 * X/Y/Z plots in the app: a generation request and up to three axes written
 * as A1111 writes them (plot-axes.ts); every cell is queued as a job of its
 * own, and when all are done the labelled grid goes into the gallery with the
 * cells as its children.
 */
import { z } from 'zod';
import { zGenerationParams } from './engine.js';

const zAxisSpec = z.string().trim().min(3).max(2000);

export const zPlotProgress = z.object({
  plotId: z.string(),
  done: z.number().int(),
  total: z.number().int(),
});
export const zPlotDone = z.object({
  plotId: z.string(),
  status: z.enum(['succeeded', 'failed', 'cancelled']),
  /** The grid's gallery item; the cells are its children. */
  gridId: z.number().int().nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});

export const plotChannels = {
  'plot.start': {
    input: z
      .object({
        request: zGenerationParams,
        x: zAxisSpec,
        y: zAxisSpec.optional(),
        z: zAxisSpec.optional(),
      })
      .strict(),
    output: z.object({
      plotId: z.string(),
      /** Cells in the order they were queued: z, then y, then x. */
      cells: z.number().int(),
      jobIds: z.array(z.string()),
    }),
  },
  'plot.cancel': {
    input: z.object({ plotId: z.string().min(1).max(100) }).strict(),
    output: z.object({ cancelled: z.boolean() }),
  },
} as const;

export const plotEvents = {
  'plot.progress': zPlotProgress,
  'plot.done': zPlotDone,
} as const;
