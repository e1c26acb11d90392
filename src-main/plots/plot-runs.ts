/**
 * X/Y/Z plots in the app: every cell is queued as a job of its own (the same
 * queue, progress and previews as any generation), and when the last is done
 * the labelled grid (plot-grid.ts) is saved into the gallery and the cells
 * become its children. One seed for the whole plot unless an axis is seed, as
 * A1111 does; each cell is reproducible from its own record.
 */
import crypto from 'node:crypto';
import type { Emit, EventEnvelope } from '../../src-shared/contract.js';
import type { GenerationParams, GenerationRequest, JobDone } from '../../src-shared/domain/engine.js';
import { zGenerationParams } from '../../src-shared/domain/engine.js';
import { StudioError } from '../../src-shared/domain/errors.js';
import { type Axis, AxisError, applyAxis, parseAxis } from '../../src-shared/domain/plot-axes.js';
import { describeIssues } from '../ipc/router.js';
import { randomSeed } from '../jobs/seeds.js';
import type { GalleryService } from '../gallery/gallery-service.js';
import { composeGrid } from './plot-grid.js';

/** More cells than this is no plot to wait for on one machine. */
export const MAX_PLOT_CELLS = 64;
const NONE: Axis = { name: 'seed', values: [''] };

export interface PlotSpec {
  request: GenerationParams;
  x: string;
  y?: string;
  z?: string;
}

interface Cell {
  jobId: string;
  at: [number, number, number];
  done: JobDone | null;
}

/** The three axes of a plot from their specs (an absent one has a single empty value). */
export function parseAxes(spec: { x: string; y?: string; z?: string }): [Axis, Axis, Axis] {
  try {
    return [parseAxis(spec.x), spec.y ? parseAxis(spec.y) : NONE, spec.z ? parseAxis(spec.z) : NONE];
  } catch (err) {
    if (err instanceof AxisError) throw new StudioError('INVALID_INPUT', err.message);
    throw err;
  }
}

/**
 * Each cell's request, z then y then x, checked before anything runs (a bad
 * value names its cell); one seed for all unless an axis is the seed.
 */
export function planCells(
  axes: [Axis, Axis, Axis],
  request: GenerationRequest,
): { at: [number, number, number]; params: GenerationParams }[] {
  const [ax, ay, az] = axes;
  const total = ax.values.length * ay.values.length * az.values.length;
  if (total > MAX_PLOT_CELLS)
    throw new StudioError('INVALID_INPUT', `${total} cells: at most ${MAX_PLOT_CELLS} in one plot`);
  const base: GenerationRequest = {
    ...request,
    seed: request.seed === undefined || request.seed < 0 ? randomSeed() : request.seed,
    batchCount: 1,
  };
  const cells: { at: [number, number, number]; params: GenerationParams }[] = [];
  for (const [zi, zv] of az.values.entries())
    for (const [yi, yv] of ay.values.entries())
      for (const [xi, xv] of ax.values.entries()) {
        let req = base;
        for (const [axis, v] of [
          [az, zv],
          [ay, yv],
          [ax, xv],
        ] as const)
          if (v !== '') req = applyAxis(req, axis, v);
        const parsed = zGenerationParams.safeParse(req);
        if (!parsed.success)
          throw new StudioError(
            'INVALID_INPUT',
            `cell ${[xv, yv, zv].filter(Boolean).join(', ')}: ${describeIssues(parsed.error)}`,
          );
        cells.push({ at: [zi, yi, xi], params: parsed.data });
      }
  return cells;
}

interface Run {
  cells: Cell[];
  axes: [Axis, Axis, Axis];
  cancelled: boolean;
}

export class PlotRuns {
  private readonly runs = new Map<string, Run>();

  constructor(
    private readonly emit: Emit,
    private readonly jobs: { submit(p: GenerationParams): string; cancel(jobId: string): boolean },
    private readonly gallery: GalleryService,
    subscribe: (listener: (e: EventEnvelope) => void) => () => void,
  ) {
    subscribe((e) => {
      if (e.event === 'job.done') this.onJobDone(e.payload as JobDone);
    });
  }

  start(spec: PlotSpec): { plotId: string; cells: number; jobIds: string[] } {
    const axes = parseAxes(spec);
    const cells = planCells(axes, spec.request);
    const plotId = crypto.randomUUID();
    const run: Run = { cells: [], axes, cancelled: false };
    this.runs.set(plotId, run);
    for (const c of cells) run.cells.push({ jobId: this.jobs.submit(c.params), at: c.at, done: null });
    return { plotId, cells: cells.length, jobIds: run.cells.map((c) => c.jobId) };
  }

  cancel(plotId: string): boolean {
    const run = this.runs.get(plotId);
    if (!run) return false;
    run.cancelled = true;
    for (const c of run.cells) if (!c.done) this.jobs.cancel(c.jobId);
    return true;
  }

  private onJobDone(done: JobDone): void {
    for (const [plotId, run] of this.runs) {
      const cell = run.cells.find((c) => c.jobId === done.jobId);
      if (!cell) continue;
      cell.done = done;
      const finished = run.cells.filter((c) => c.done).length;
      this.emit('plot.progress', { plotId, done: finished, total: run.cells.length });
      if (finished === run.cells.length) void this.finish(plotId);
      return;
    }
  }

  private async finish(plotId: string): Promise<void> {
    const run = this.runs.get(plotId)!;
    this.runs.delete(plotId);
    const axes = run.axes;
    const failed = run.cells.map((c) => c.done!).find((d) => d.status !== 'succeeded');
    if (failed || run.cancelled) {
      const status = run.cancelled || failed?.status === 'cancelled' ? 'cancelled' : 'failed';
      this.emit('plot.done', { plotId, status, gridId: null, error: failed?.error ?? null });
      return;
    }
    try {
      const [ax, ay, az] = axes;
      const grid: Buffer[][][] = az.values.map(() => ay.values.map(() => ax.values.map(() => Buffer.alloc(0))));
      for (const c of run.cells) grid[c.at[0]]![c.at[1]]![c.at[2]] = Buffer.from(c.done!.images[0]!.png, 'base64');
      const label = (axis: Axis) => (v: string) => (v === '' ? '' : `${axis.name}: ${v}`);
      const png = await composeGrid(grid, {
        x: ax.values.map(label(ax)),
        y: ay.values.map(label(ay)),
        z: az.values.map(label(az)),
      });
      const cellIds = run.cells.map((c) => c.done!.images[0]!.galleryId).filter((id): id is number => id !== null);
      const gridId = await this.gallery.saveGrid(cellIds, png, {
        x: ax.values.length > 0 ? `${ax.name}=${ax.values.join(',')}` : null,
        y: ay.values[0] !== '' ? `${ay.name}=${ay.values.join(',')}` : null,
        z: az.values[0] !== '' ? `${az.name}=${az.values.join(',')}` : null,
      });
      this.emit('gallery.added', { ids: [gridId] });
      this.emit('plot.done', { plotId, status: 'succeeded', gridId, error: null });
    } catch (err) {
      this.emit('plot.done', {
        plotId,
        status: 'failed',
        gridId: null,
        error: { code: 'INTERNAL', message: (err as Error).message },
      });
    }
  }
}
