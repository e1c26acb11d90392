import { describe, expect, it } from 'vitest';
import type { JobDone } from '../../src-shared/domain/engine.js';
import { currentDraft, newCanvas, updateDraft } from '../generate/draft.js';
import {
  bboxChanged,
  bboxRefitted,
  canvasJobQueued,
  canvasRedone,
  canvasUndone,
  jobFinished,
  maskOpAdded,
  stagedShown,
} from './canvas-store.js';

const box = (x: number, width = 128) => ({ x, y: 0, width, height: 128 });
const done = (jobId: string, seeds: number[], status: JobDone['status'] = 'succeeded') =>
  ({
    jobId,
    status,
    images: seeds.map((seed, index) => ({ index, seed, png: `png-${seed}`, galleryId: seed, width: 128, height: 128 })),
  }) as unknown as JobDone;

function freshCanvas() {
  updateDraft({ ...newCanvas(), initImage: { base64: 'A', url: 'data:image/png;base64,A' }, width: 256, height: 128 });
}

describe('the canvas store', () => {
  it('undo and redo walk through strokes and box edits alike; a box edit sets the size', () => {
    freshCanvas();
    maskOpAdded({ type: 'fill' });
    bboxChanged(box(64));
    expect(currentDraft()).toMatchObject({ bbox: box(64), width: 128, height: 128 });
    canvasUndone();
    expect(currentDraft()).toMatchObject({ bbox: null, width: 256, mask: { ops: [{ type: 'fill' }] } });
    canvasUndone();
    expect(currentDraft().mask.ops).toEqual([]);
    canvasRedone();
    canvasRedone();
    expect(currentDraft().bbox).toEqual(box(64));
    expect(currentDraft().history.future).toEqual([]);
  });

  it('a change that changes nothing is no step', () => {
    freshCanvas();
    bboxChanged(box(0));
    bboxChanged(box(0));
    expect(currentDraft().history.past).toHaveLength(1);
  });

  it("another model's multiple re-snaps the box without an undo step", () => {
    freshCanvas();
    bboxChanged({ x: 8, y: 0, width: 96, height: 96 });
    const steps = currentDraft().history.past.length;
    bboxRefitted({ width: 256, height: 128 }, 64, 256);
    expect(currentDraft()).toMatchObject({ bbox: { x: 8, y: 0, width: 128, height: 128 }, width: 128 });
    expect(currentDraft().history.past).toHaveLength(steps);
  });

  it("stages only the canvas's own jobs; results over the same box gather, another box starts again", () => {
    freshCanvas();
    jobFinished(done('not-ours', [1]));
    expect(currentDraft().staging).toBeNull();
    canvasJobQueued('a', box(0));
    canvasJobQueued('b', box(0));
    canvasJobQueued('c', box(64));
    jobFinished(done('a', [10, 11]));
    expect(currentDraft().staging).toMatchObject({ box: box(0), index: 0 });
    jobFinished(done('b', [20]));
    // The newest result is shown; the earlier ones stay to step back to.
    expect(currentDraft().staging!.images.map((i) => i.seed)).toEqual([10, 11, 20]);
    expect(currentDraft().staging!.index).toBe(2);
    stagedShown(3);
    expect(currentDraft().staging!.index).toBe(0);
    jobFinished(done('c', [30]));
    expect(currentDraft().staging).toMatchObject({ box: box(64), images: [{ seed: 30 }] });
    // A failed canvas job stages nothing and is forgotten.
    canvasJobQueued('d', box(64));
    jobFinished(done('d', [], 'failed'));
    expect(currentDraft().staging!.images).toHaveLength(1);
    expect(currentDraft().canvasJobs).toEqual([]);
    // A job of the previous picture does not come back to a new one.
    canvasJobQueued('e', box(0));
    freshCanvas();
    jobFinished(done('e', [40]));
    expect(currentDraft().staging).toBeNull();
  });
});
