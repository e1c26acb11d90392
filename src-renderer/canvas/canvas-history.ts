/**
 * Undo across every canvas operation: a capped stack of whole snapshots of
 * the canvas document (picture, mask, box, parent, size). Snapshots share
 * their unchanged parts (a mask's operation list, a picture's base64) with
 * the live document, so a step costs a few references, not a copy.
 * Each change says whether it is a step: strokes, box edits, extends and
 * accepted results are; choosing the staged result to show is not.
 */
export interface CanvasHistory<T> {
  past: readonly T[];
  /** Undone snapshots, the most recent last; cleared by any new step. */
  future: readonly T[];
}

/** As many steps as InvokeAI's canvas keeps. */
export const HISTORY_LIMIT = 64;

export const emptyHistory = <T>(): CanvasHistory<T> => ({ past: [], future: [] });

/** A new step: the document as it was before the change goes on the stack. */
export function stepRecorded<T>(history: CanvasHistory<T>, before: T): CanvasHistory<T> {
  return { past: [...history.past, before].slice(-HISTORY_LIMIT), future: [] };
}

/** The snapshot to restore and the history after undoing one step, or null when there is nothing to undo. */
export function stepUndone<T>(history: CanvasHistory<T>, now: T): { history: CanvasHistory<T>; restored: T } | null {
  const restored = history.past[history.past.length - 1];
  if (restored === undefined) return null;
  return { restored, history: { past: history.past.slice(0, -1), future: [...history.future, now] } };
}

export function stepRedone<T>(history: CanvasHistory<T>, now: T): { history: CanvasHistory<T>; restored: T } | null {
  const restored = history.future[history.future.length - 1];
  if (restored === undefined) return null;
  return { restored, history: { past: [...history.past, now], future: history.future.slice(0, -1) } };
}
