/**
 * The canvas's document changes, named for what happened (InvokeAI's habit):
 * each goes through the Generate draft store, and each says whether it is an
 * undo step. Steps record the canvas layers as they were before
 * (canvas-history.ts); showing another staged result or discarding them is
 * not a step, accepting one is.
 */
import type { JobDone } from '../../src-shared/domain/engine.js';
import {
  type CanvasLayers,
  currentDraft,
  type DraftPatch,
  type GenerateDraftState,
  updateDraft,
} from '../generate/draft.js';
import { sameBox, snapBox, type Rect } from './bbox.js';
import { stepRecorded, stepRedone, stepUndone } from './canvas-history.js';
import { pasteInto } from './compose.js';
import { emptyMask, opAdded, type MaskOp } from './mask-document.js';

const layersOf = (s: GenerateDraftState): CanvasLayers => ({
  initImage: s.initImage,
  mask: s.mask,
  bbox: s.bbox,
  parentId: s.parentId,
  width: s.width,
  height: s.height,
});

/** An undoable change of the canvas layers (and anything else the patch carries); nothing changed, no step. */
function stepTaken(patch: (s: GenerateDraftState) => Partial<CanvasLayers> & DraftPatch): void {
  updateDraft((s) => {
    const p = patch(s);
    return Object.keys(p).length === 0 ? {} : { ...p, history: stepRecorded(s.history, layersOf(s)) };
  });
}

export const maskOpAdded = (op: MaskOp) => stepTaken((s) => ({ mask: opAdded(s.mask, op) }));

/** The box moved or resized (snapped already); the generation size follows it. */
export const bboxChanged = (box: Rect) =>
  stepTaken((s) => (sameBox(s.bbox, box) ? {} : { bbox: box, width: box.width, height: box.height }));

/**
 * The box snapped again to another model's multiple (not an undo step: nothing the user did); `room` as the
 * box tool allows, so a box over the edge stays there.
 */
export const bboxRefitted = (picture: { width: number; height: number }, multiple: number, room: number) =>
  updateDraft((s) => {
    if (!s.bbox) return {};
    const box = snapBox(s.bbox, picture, multiple, room);
    return sameBox(box, s.bbox) ? {} : { bbox: box, width: box.width, height: box.height };
  });

/** Back to generating the whole picture, at the picture's size. */
export const bboxRemoved = (picture: { width: number; height: number }) =>
  stepTaken(() => ({ bbox: null, width: picture.width, height: picture.height }));

/**
 * The picture on a larger canvas with the mask of the new area (outpainting); staged results no longer fit.
 * The box is dropped, or kept where it was over the old picture (a box over the edge outpaints).
 */
export const pictureExtended = (
  image: string,
  mask: string,
  size: { width: number; height: number },
  bbox: Rect | null = null,
) =>
  stepTaken(() => ({
    initImage: { base64: image, url: `data:image/png;base64,${image}` },
    mask: opAdded(emptyMask(), { type: 'image', dataUrl: `data:image/png;base64,${mask}` }),
    bbox,
    // Staged results and jobs still running were placed on the smaller picture.
    staging: null,
    canvasJobs: [],
    strength: 1,
    ...(bbox ? { width: bbox.width, height: bbox.height } : size),
  }));

export function canvasUndone(): void {
  updateDraft((s) => {
    const u = stepUndone(s.history, layersOf(s));
    return u ? { ...u.restored, history: u.history } : {};
  });
}

export function canvasRedone(): void {
  updateDraft((s) => {
    const r = stepRedone(s.history, layersOf(s));
    return r ? { ...r.restored, history: r.history } : {};
  });
}

/** A canvas job was queued: its results will be staged over this box. */
export const canvasJobQueued = (jobId: string, box: Rect) =>
  updateDraft((s) => ({ canvasJobs: [...s.canvasJobs, { jobId, box }].slice(-16) }));

/**
 * A finished job: the canvas's own results join the staging area (after the
 * ones already there when they fill the same box, replacing them otherwise),
 * the newest shown. Other jobs are not the canvas's business.
 */
export function jobFinished(done: JobDone): void {
  updateDraft((s) => {
    const job = s.canvasJobs.find((j) => j.jobId === done.jobId);
    if (!job) return {};
    const canvasJobs = s.canvasJobs.filter((j) => j !== job);
    if (done.status !== 'succeeded' || done.images.length === 0) return { canvasJobs };
    const fresh = done.images.map((i) => ({ png: i.png, galleryId: i.galleryId ?? null, seed: i.seed }));
    const images = s.staging && sameBox(s.staging.box, job.box) ? [...s.staging.images, ...fresh] : fresh;
    return { canvasJobs, staging: { box: job.box, images, index: images.length - fresh.length } };
  });
}

export const stagedShown = (index: number) =>
  updateDraft((s) =>
    s.staging ? { staging: { ...s.staging, index: (index + s.staging.images.length) % s.staging.images.length } } : {},
  );

export const stagingDiscarded = () => updateDraft({ staging: null });

/** The shown result goes into the picture at its box, and becomes the parent of what is generated next. */
export async function stagedAccepted(): Promise<void> {
  const { staging, initImage } = currentDraft();
  const picked = staging?.images[staging.index];
  if (!staging || !picked || !initImage) return;
  const base64 = await pasteInto(initImage.url, picked.png, staging.box);
  // The picture changed while the paste was drawn (another picture opened): nothing to accept into.
  if (currentDraft().initImage !== initImage) return;
  stepTaken(() => ({
    initImage: { base64, url: `data:image/png;base64,${base64}` },
    parentId: picked.galleryId ?? undefined,
    staging: null,
  }));
}
